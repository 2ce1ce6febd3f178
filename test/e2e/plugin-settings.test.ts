// Every daemon setting of README's "Daemon settings" table, set with `docker plugin set`
// on a managed plugin of this test's own (installed from the checkout by
// scripts/plugin-install.sh, removed afterwards), and each one's effect observed from
// outside: the metrics listener answers where it was put, HEC events carry the host
// name, batches have the batch size, a batch that is not full waits for the frequency,
// the store lands in the store.source directory, a removed container's logs go five
// seconds after docker rm, and /healthz reports the log level
// and the tunables the plugin was given.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_SETTINGS } from '../../src/daemon/settings.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { cleanupContainers, docker, dockerOk, PLUGIN_NAME, runContainerFull, uniqueName, waitFor } from './helpers/docker.js';
import { freePort } from '../helpers/ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NAME = `${PLUGIN_NAME}-settings`;
const HOST_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-settings-store-'));
const HOSTNAME = 'tslogs-settings-e2e-host';
let port = 0;
let receiver: HecReceiver;

async function removePlugin(): Promise<void> {
  await docker(['plugin', 'disable', '-f', NAME]);
  await docker(['plugin', 'rm', '-f', NAME]);
}

/** The value each setting gets here; every setting the plugin can take has one. */
function settingValues(): Record<string, string> {
  return {
    LOG_LEVEL: 'debug',
    TSLOGS_HOSTNAME: HOSTNAME,
    TSLOGS_METRICS_ADDRESS: `127.0.0.1:${port}`,
    SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '1h',
    SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: '3',
    SPLUNK_LOGGING_DRIVER_BUFFER_MAX: '20000',
    SPLUNK_LOGGING_DRIVER_CHANNEL_SIZE: '8000',
    TSLOGS_RETAIN_REMOVED: '5s',
    TSLOGS_PRUNE_INTERVAL: '200ms',
    // Absent, so no routes; test/e2e/routes-engine.test.ts reads a real one.
    TSLOGS_ROUTES_FILE: '/etc/tslogs/tslogs-settings-routes.json',
  };
}

beforeAll(async () => {
  port = await freePort();
  receiver = await HecReceiver.start();
  await removePlugin();
  const settings = Object.entries(settingValues()).map(([k, v]) => `${k}=${v}`).join(' ');
  execFileSync('bash', ['scripts/plugin-install.sh', NAME], {
    cwd: ROOT,
    env: { ...process.env, TSLOGS_SKIP_BUILD: '1', TSLOGS_HOST_ROOT: HOST_ROOT, TSLOGS_PLUGIN_SETTINGS: settings, TSLOGS_PLUGIN_DIR: path.join(ROOT, 'build/plugin-settings') },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
});

afterAll(async () => {
  await cleanupContainers();
  await removePlugin();
  await receiver?.close();
  fs.rmSync(HOST_ROOT, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, 'build/plugin-settings'), { recursive: true, force: true });
});

async function get(urlPath: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: res.status, body: await res.text() };
}

describe('daemon settings on the managed plugin (docker plugin set)', () => {
  it('covers every setting the plugin lets one set', async () => {
    const settable = DAEMON_SETTINGS.filter((s) => s.managed === 'value').map((s) => s.name);
    expect(Object.keys(settingValues()).sort()).toEqual(settable.sort());
    const env = JSON.parse(await dockerOk(['plugin', 'inspect', '-f', '{{json .Settings.Env}}', NAME])) as string[];
    for (const [k, v] of Object.entries(settingValues())) expect(env).toContain(`${k}=${v}`);
  });

  it('each one takes effect', async () => {
    // TSLOGS_METRICS_ADDRESS: /metrics and /healthz answer there.
    const metrics = await waitFor(async () => (await get('/metrics').catch(() => undefined))?.body, { timeoutMs: 20_000, what: 'the metrics listener' });
    expect(metrics).toContain('tslogs_build_info{');
    const health = JSON.parse((await get('/healthz')).body) as { status: string; store: { path: string }; settings: Record<string, unknown> };
    expect(health.status).toBe('ok');
    // LOG_LEVEL: the logger's own level, as the daemon reports it.
    expect(health.settings.logLevel).toBe('debug');
    // The validated-only tunables reach the daemon (their only effect is their validation).
    expect(health.settings.splunk).toEqual(Object.fromEntries(Object.entries(settingValues()).filter(([k]) => k.startsWith('SPLUNK_'))));
    // TSLOGS_ROOT is fixed in the plugin; store.source puts it in the host directory.
    expect(health.store.path).toBe('/var/lib/tslogs');
    expect(health.settings.retention).toMatchObject({ retainRemoved: 5_000, pruneInterval: 200 });
    expect(health.settings.routesFile).toBe('/etc/tslogs/tslogs-settings-routes.json');

    // Four lines, then the container waits: BATCH_SIZE=3 sends the first three in one
    // request; FREQUENCY=1h holds the fourth (Docker's 5 s default would have sent it)
    // until the container stops and its backlog is flushed.
    const { id, name } = await runContainerFull({
      driver: NAME,
      name: uniqueName('tslogs-settings'),
      logOpts: { 'splunk-url': receiver.url, 'splunk-token': 'settings-token', 'splunk-format': 'raw' },
      cmd: 'echo one; echo two; echo three; echo four; sleep 600',
      detach: true,
    });
    await waitFor(() => receiver.accepted.length >= 3, { timeoutMs: 30_000, what: 'the first batch' });
    const beyondDockersDefault = Date.now() + 6_000;
    await waitFor(() => Date.now() > beyondDockersDefault, { timeoutMs: 10_000 });
    expect(receiver.requests.map((r) => r.events.length)).toEqual([3]);
    await dockerOk(['stop', '-t', '1', name]);
    await waitFor(() => receiver.accepted.length >= 4, { timeoutMs: 30_000, what: 'the held line after the stop' });
    expect(receiver.requests.map((r) => r.events.length)).toEqual([3, 1]);
    // TSLOGS_HOSTNAME: Docker's splunk driver puts the daemon host's name in `host`.
    for (const e of receiver.accepted as { host: string }[]) expect(e.host).toBe(HOSTNAME);
    const stored = path.join(HOST_ROOT, 'containers', id);
    expect(fs.existsSync(path.join(stored, `${id}-json.log`))).toBe(true);

    // TSLOGS_RETAIN_REMOVED=5s: the logs outlive docker rm by five seconds, no more;
    // TSLOGS_PRUNE_INTERVAL=200ms notices the removal well within the wait below
    // (the 30 s default would not).
    await dockerOk(['rm', name]);
    const removedAt = Date.now();
    expect(fs.existsSync(stored)).toBe(true);
    await waitFor(() => !fs.existsSync(stored), { timeoutMs: 15_000, what: 'the removed container\'s logs to be pruned' });
    expect(Date.now() - removedAt).toBeGreaterThanOrEqual(4_500);
  });
});
