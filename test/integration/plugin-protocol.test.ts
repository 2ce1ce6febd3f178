import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { buildServer, listenOnSocket } from '../../src/protocol/server.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, Fifo, readLogs } from '../helpers/fake-dockerd.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';
import { type RecordingLogger, recordingLogger } from '../helpers/recording-logger.js';

const T0 = 1795896100n * 1_000_000_000n;

const info = (id: string, config: Record<string, string> = {}) =>
  containerInfo({ Config: config, ContainerID: id, ContainerName: '/p1', ContainerArgs: ['-c', 'echo hello'], ContainerEnv: ['E1=x1'], ContainerLabels: { lab1: 'v<1>&' } });

function frame(i: number, source = 'stdout', line = `line ${i}`): Buffer {
  const ns = T0 + BigInt(i) * 1000n;
  return encodeFrame({ source, sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n), line: Buffer.from(line), partial: false, meta: undefined });
}

const NO_BOUND = '0001-01-01T00:00:00Z';
const readAll = (id: string, extra: Record<string, unknown> = {}) => ({
  Info: info(id),
  Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: false, ...extra },
});

let root: string;
let socket: string;
let app: FastifyInstance;
let driver: PluginDriver;
let logged: RecordingLogger;

beforeEach(async () => {
  const dir = tmpDir();
  root = path.join(dir, 'store');
  socket = path.join(dir, 'tslogs.sock');
  logged = recordingLogger();
  driver = new PluginDriver({ root, log: logged });
  const metrics = createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => c });
  app = buildServer({ driver, logger: pino({ level: 'silent' }), metrics });
  fs.writeFileSync(socket, ''); // a stale file where the socket goes
  fs.rmSync(socket);
  await listenOnSocket(app, socket);
});

afterEach(async () => {
  await driver.shutdown();
  await app.close();
});

function storeFile(id: string): string {
  return path.join(root, 'containers', id, `${id}-json.log`);
}

describe('plugin protocol', () => {
  it('answers Activate and Capabilities with empty bodies and no Content-Type', async () => {
    expect(JSON.parse((await call(socket, 'Plugin.Activate')).body.toString())).toEqual({ Implements: ['LogDriver'] });
    expect(JSON.parse((await call(socket, 'LogDriver.Capabilities')).body.toString())).toEqual({ Cap: { ReadLogs: true } });
  });

  it('serves Prometheus metrics on GET /metrics over the plugin socket', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      http.get({ socketPath: socket, path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    expect(text).toContain('# TYPE tslogs_ingested_entries_total counter');
    expect(text).toContain('# TYPE tslogs_sink_lag_bytes gauge');
  });

  it('answers unknown methods with a 404 and an Err', async () => {
    const res = await call(socket, 'LogDriver.Nope');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString()).Err).toMatch(/does not implement POST \/LogDriver.Nope/);
  });

  it.each([
    [{ bogus: 'x' }, "unknown log opt 'bogus' for tslogs log driver"],
    [{ 'max-size': 'abc' }, "log opt 'max-size': invalid size: 'abc'"],
    [{ 'max-size': '0' }, 'max-size must be a positive number'],
    [{ 'max-file': 'x' }, `log opt 'max-file': strconv.Atoi: parsing "x": invalid syntax`],
    [{ 'max-file': '0' }, 'max-file cannot be less than 1'],
    [{ compress: 'yes' }, `log opt 'compress': strconv.ParseBool: parsing "yes": invalid syntax`],
    [{ compress: 'true', 'max-file': '1' }, 'compress cannot be true when max-file is less than 2 or max-size is not set'],
  ])('rejects StartLogging options %j with Docker wording, naming the option', async (config, message) => {
    const id = 'a'.repeat(64);
    const fifo = new Fifo(path.dirname(socket), 'f1');
    const res = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, config) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ Err: message });
    await fifo.close();
  });

  it('rejects a FIFO that does not exist, naming it', async () => {
    const res = await call(socket, 'LogDriver.StartLogging', { File: '/nonexistent/fifo', Info: info('b'.repeat(64)) });
    expect(JSON.parse(res.body.toString()).Err).toMatch(/^cannot open log FIFO \/nonexistent\/fifo: ENOENT/);
  });

  it('stores frames, answers StopLogging before EOF and drains the FIFO afterwards', async () => {
    const id = 'c'.repeat(64);
    const fifo = new Fifo(path.dirname(socket), 'f2');
    expect(JSON.parse((await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, { labels: 'lab1', env: 'E1', tag: '{{.Name}}/{{.ID}}' }) })).body.toString())).toEqual({});
    const frames = Array.from({ length: 3000 }, (_, i) => frame(i, i % 3 ? 'stdout' : 'stderr'));
    await fifo.write(Buffer.concat(frames));
    // StopLogging must come back while the FIFO is still open and unread data may remain.
    const stop = await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    expect(JSON.parse(stop.body.toString())).toEqual({});
    await fifo.close();
    await waitUntil(() => fs.existsSync(storeFile(id)) && fs.readFileSync(storeFile(id), 'utf8').split('\n').length === 3001, 'all lines on disk', 4_000);
    const lines = fs.readFileSync(storeFile(id), 'utf8').split('\n');
    expect(lines[0]).toBe(
      '{"log":"line 0\\n","stream":"stderr","attrs":{"E1":"x1","lab1":"v\\u003c1\\u003e\\u0026","tag":"p1/cccccccccccc"},"time":"2026-11-28T20:01:40Z"}',
    );
    expect(lines[2999]).toContain('"log":"line 2999\\n","stream":"stdout"');
  });

  it('always answers StopLogging with success, even for an unknown FIFO', async () => {
    const res = await call(socket, 'LogDriver.StopLogging', { File: '/run/docker/logging/unknown' });
    expect(JSON.parse(res.body.toString())).toEqual({});
    expect(logged.messages()).toEqual(['no logging session for FIFO /run/docker/logging/unknown']);
  });

  it('keeps serving other containers when one sends an oversized frame', async () => {
    const bad = 'd'.repeat(64);
    const good = 'e'.repeat(64);
    const fifoBad = new Fifo(path.dirname(socket), 'bad');
    const fifoGood = new Fifo(path.dirname(socket), 'good');
    await call(socket, 'LogDriver.StartLogging', { File: fifoBad.path, Info: info(bad) });
    await call(socket, 'LogDriver.StartLogging', { File: fifoGood.path, Info: info(good) });
    await fifoBad.write(Buffer.concat([frame(1), Buffer.from([0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(1000)]));
    await fifoGood.write(frame(2));
    await waitUntil(() => logged.messages().some((r) => r.includes('exceeds the limit')), 'the oversize report', 4_000);
    expect(logged.messages()[0]).toBe(`container ${bad}: log frame of 2147483647 bytes exceeds the limit of 1000000 bytes; the stream is out of sync; discarding the rest of this stream`);
    await fifoBad.write(Buffer.alloc(100_000)); // still drained: the container is never blocked
    await fifoGood.write(frame(3));
    for (const f of [fifoBad, fifoGood]) await call(socket, 'LogDriver.StopLogging', { File: f.path });
    await fifoBad.close();
    await fifoGood.close();
    await waitUntil(() => fs.existsSync(storeFile(good)) && fs.readFileSync(storeFile(good), 'utf8').split('\n').length === 3, 'good lines', 4_000);
    expect(fs.readFileSync(storeFile(bad), 'utf8')).toContain('"log":"line 1\\n"');
  });

  it('serves ReadLogs with tail, since and until as framed entries with the newline put back', async () => {
    const id = 'f'.repeat(64);
    const fifo = new Fifo(path.dirname(socket), 'f3');
    await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    await fifo.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(i))));
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
    await waitUntil(() => fs.existsSync(storeFile(id)) && fs.readFileSync(storeFile(id), 'utf8').split('\n').length === 11, 'lines', 4_000);

    const all = readLogs(socket, readAll(id));
    await all.ended;
    expect(all.entries.map((e) => e.line)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}\n`));
    expect(all.entries[3]).toEqual({ source: 'stdout', timeNano: T0 + 3000n, line: 'line 3\n' });

    const tail = readLogs(socket, readAll(id, { Tail: 2 }));
    await tail.ended;
    expect(tail.entries.map((e) => e.line)).toEqual(['line 8\n', 'line 9\n']);

    const window = readLogs(socket, readAll(id, { Since: '2026-11-28T20:01:40.000002Z', Until: '2026-11-28T21:01:40.000004+01:00' }));
    await window.ended;
    expect(window.entries.map((e) => e.line)).toEqual(['line 2\n', 'line 3\n', 'line 4\n']);
  });

  it('follows a running container and ends the stream after StopLogging and EOF', async () => {
    const id = '1'.repeat(64);
    const fifo = new Fifo(path.dirname(socket), 'f4');
    await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, { 'max-size': '300', 'max-file': '3' }) });
    await fifo.write(frame(0));
    await waitUntil(() => fs.existsSync(storeFile(id)), 'first line', 4_000);
    const follow = readLogs(socket, readAll(id, { Follow: true, Tail: 0 }));
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 1; i <= 50; i++) {
      await fifo.write(frame(i));
      await follow.waitFor(i); // keeps pace, so rotation (every 3 lines here) drops nothing
    }
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
    await follow.ended;
    expect(follow.entries.map((e) => e.line)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}\n`));
    expect(fs.readdirSync(path.dirname(storeFile(id))).filter((n) => n.includes('-json.log')).length).toBe(3); // it rotated while following
  });

  it.each([
    ['ReadLogs', '/LogDriver.ReadLogs', (id: string) => readAll(id, { Follow: true, Tail: 0 })],
    ['the CLI API', '/tslogs/logs', (id: string) => ({ id, tail: 0, follow: true })],
  ])('answers a follow through %s before there is any line to send (found by the fuzzer)', async (_what, url, body) => {
    const id = '4'.repeat(64);
    const fifo = new Fifo(path.dirname(socket), 'quiet');
    await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    // The container logs nothing: the status must come anyway, or dockerd's request waits for a line.
    const payload = JSON.stringify(body(id));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ socketPath: socket, method: 'POST', path: url, headers: { 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.end(payload);
    });
    expect(status).toBe(200);
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
  });

  it('ends a follow when the client disconnects and leaks no descriptors across many follows', async () => {
    const id = '2'.repeat(64);
    const fifo = new Fifo(path.dirname(socket), 'f5');
    await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    await fifo.write(frame(0));
    await waitUntil(() => fs.existsSync(storeFile(id)), 'first line', 4_000);
    const fdsBefore = fs.readdirSync('/proc/self/fd').length;
    const follows = Array.from({ length: 40 }, () => readLogs(socket, readAll(id, { Follow: true })));
    await Promise.all(follows.map((f) => f.waitFor(1)));
    await fifo.write(frame(1));
    await Promise.all(follows.map((f) => f.waitFor(2)));
    for (const f of follows) f.close();
    await Promise.all(follows.map((f) => f.ended));
    await waitUntil(() => fs.readdirSync('/proc/self/fd').length <= fdsBefore, 'descriptors to be released', 4_000);
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
  });

  it('does not disturb the stored log when docker logs opens a StartLogging/StopLogging pair on a stopped container', async () => {
    const id = '3'.repeat(64);
    const f1 = new Fifo(path.dirname(socket), 'run');
    await call(socket, 'LogDriver.StartLogging', { File: f1.path, Info: info(id) });
    await f1.write(Buffer.concat([frame(0), frame(1)]));
    await call(socket, 'LogDriver.StopLogging', { File: f1.path });
    await f1.close();
    await waitUntil(() => fs.existsSync(storeFile(id)) && fs.readFileSync(storeFile(id), 'utf8').split('\n').length === 3, 'lines', 4_000);
    const before = fs.readFileSync(storeFile(id));

    const f2 = new Fifo(path.dirname(socket), 'logs');
    await call(socket, 'LogDriver.StartLogging', { File: f2.path, Info: info(id) });
    const read = readLogs(socket, readAll(id));
    await read.ended;
    await call(socket, 'LogDriver.StopLogging', { File: f2.path });
    await f2.close();
    expect(read.entries.map((e) => e.line)).toEqual(['line 0\n', 'line 1\n']);
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(storeFile(id))).toEqual(before);

    // The container starts again (same ID): new lines are appended.
    const f3 = new Fifo(path.dirname(socket), 'again');
    await call(socket, 'LogDriver.StartLogging', { File: f3.path, Info: info(id) });
    await f3.write(frame(2));
    await call(socket, 'LogDriver.StopLogging', { File: f3.path });
    await f3.close();
    await waitUntil(() => fs.readFileSync(storeFile(id), 'utf8').split('\n').length === 4, 'appended line', 4_000);
  });
});
