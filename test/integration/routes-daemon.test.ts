// The routes file in the real daemon (`tslogs plugin` in its own process, as dockerd would
// run it), driven as an operator would: StartLogging naming routes, SIGHUP, `tslogs
// reload` and `tslogs routes` (the CLI as a child process), /metrics. Loopback only.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { readBody, request } from '../../src/cli/http-unix.js';
import { CLI_MAIN } from '../helpers/cli-harness.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, Fifo } from '../helpers/fake-dockerd.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { startPluginProcess } from '../helpers/processes.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const ID = 'd'.repeat(64);
const frames = (from: number, to: number) =>
  Buffer.concat(Array.from({ length: to - from }, (_, k) => encodeFrame({ source: 'stdout', sec: 1795896100 + from + k, nsec: 0, line: Buffer.from(`daemon line ${from + k}`), partial: false, meta: undefined })));

async function tslogs(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function metric(socket: string, name: string): Promise<number> {
  const text = (await readBody(await request(socket, 'GET', '/metrics'))).toString('utf8');
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (m === null) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

describe('routes in the daemon process', () => {
  it('SIGHUP and tslogs reload re-read the file; a refused one keeps the route, exit 1 with the reason, counted', { timeout: 120_000 }, async () => {
    const dir = tmpDir();
    const socket = path.join(dir, 'plugin.sock');
    const file = path.join(dir, 'routes.json');
    const [a, b] = await Promise.all([HecReceiver.start(), HecReceiver.start()]);
    closers.push(() => a.close(), () => b.close());
    const write = (text: string) => {
      fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    };
    const r1 = (url: string) => JSON.stringify({ routes: { r1: { 'splunk-url': url, 'splunk-token': 'daemon-secret' } } });
    write(r1(a.url));
    const plugin = await startPluginProcess(path.join(dir, 'store'), socket, undefined, { TSLOGS_ROUTES_FILE: file, SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '50ms' });
    closers.push(() => plugin.kill('SIGTERM'));

    const fifo = new Fifo(dir, 'fifo');
    closers.push(() => fifo.close());
    const unknown = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: containerInfo({ ContainerID: ID, Config: { sinks: 'r2' } }) });
    expect(JSON.parse(unknown.body.toString())).toEqual({ Err: "unknown sink or route 'r2' in log opt 'sinks' (sinks: splunk, fluentd, gelf, syslog, nats, otlp, loki; routes: r1)" });
    const started = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: containerInfo({ ContainerID: ID, ContainerName: '/web', Config: { sinks: 'r1' } }) });
    expect(JSON.parse(started.body.toString())).toEqual({});
    await fifo.write(frames(0, 10));
    await waitUntil(() => a.accepted.length >= 10, 'the first lines at the first receiver', 30_000, 20);

    write(r1(b.url));
    plugin.kill('SIGHUP');
    await waitUntil(async () => JSON.parse((await tslogs(['routes', '--json', '--socket', socket])).stdout).routes[0].options['splunk-url'] === b.url, 'the route changed', 30_000, 100);
    const shown = await tslogs(['routes', '--socket', socket]);
    expect(shown.stdout).toContain(`r1      splunk   web          splunk-url=${b.url} splunk-token=<redacted>`);
    expect(shown.stdout).not.toContain('daemon-secret');
    await fifo.write(frames(10, 20));
    await waitUntil(() => b.accepted.length >= 10, 'the next lines at the second receiver', 30_000, 20);
    expect(a.accepted.length).toBe(10);

    write('{"routes": {"r1": {"splunk-url": "' + a.url + '", "splunk-max-in-flight": "0", "splunk-token": "x"}}}');
    const refused = await tslogs(['reload', '--socket', socket]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`${socket}: routes not reloaded, the routes in force are kept: routes file ${file}: route "r1": splunk-max-in-flight: '0' is not a whole number from 1 to 16 (requests awaiting Splunk's answer at once)\n`);
    expect(await metric(socket, 'tslogs_routes_reload_failures_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(socket, 'tslogs_routes_last_reload_ok')).toBe(0);
    await fifo.write(frames(20, 30));
    await waitUntil(() => b.accepted.length >= 20, 'more lines at the route in force', 30_000, 20);

    write(r1(b.url));
    const reloaded = await tslogs(['reload', '--socket', socket]);
    expect([reloaded.code, reloaded.stdout]).toEqual([0, `${socket}: reloaded ${file}: 1 route(s): r1; 0 deliveries reopened, 1 unchanged, 0 kept on their last settings\n`]);
    expect(await metric(socket, 'tslogs_routes_last_reload_ok')).toBe(1);
    expect(await metric(socket, 'tslogs_routes_reopened_deliveries_total')).toBe(1);
    expect(await metric(socket, 'tslogs_routes')).toBe(1);
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
  });
});
