// Target 2: HTTP requests on the plugin socket, every endpoint. Whatever the request,
// an answer comes within the hang bound, it is never a 500 (a 500 is an error the code
// did not expect), an error answer is JSON with an Err, a FIFO that is not one is refused
// naming it and leaves the container not live, and started sessions store their lines.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FrameEncoder } from '../../../src/codec/frame-encoder.js';
import { containerInfo } from '../../helpers/container-info.js';
import { type Answer, bounded, call, errOf, HANG_MS, raw, send } from '../client.js';
import { openFifo } from '../fifos.js';
import { Finding, type Target, type TargetContext } from '../harness.js';
import type { Prng } from '../prng.js';
import { SENTINEL_ID } from '../sentinel.js';
import { anyValue, body, type Json } from './json-mutations.js';

const ENDPOINTS = ['Plugin.Activate', 'LogDriver.Capabilities', 'LogDriver.StartLogging', 'LogDriver.StopLogging', 'LogDriver.ReadLogs', 'tslogs/logs'];
const NO_BOUND = '0001-01-01T00:00:00Z';
/** Fastify's default body limit. */
const BODY_LIMIT = 1024 * 1024;
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

function hexId(prng: Prng): string {
  return prng.bytes(32).toString('hex');
}

function infoJson(id: string, prng: Prng): Json {
  const info = containerInfo({ ContainerID: id, ContainerName: '/h' }) as unknown as { [k: string]: Json };
  if (prng.chance(0.2)) info.Config = { [prng.pick(['max-size', 'tag', 'labels', 'bogus'])]: prng.string(prng.length(10)) };
  return info;
}

function time(prng: Prng): string {
  return prng.pick([NO_BOUND, '', '2026-11-28T20:01:40Z', '2026-11-28T20:01:40.123456789+01:00', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', 'yesterday', prng.string(prng.length(30)), `${prng.int(-1e9, 1e10)}`]);
}

function readConfig(prng: Prng, follow: boolean): Json {
  return { Since: time(prng), Until: prng.chance(0.7) ? NO_BOUND : time(prng), Tail: prng.pick([-1, 0, 1, 10, -5, 2 ** 31, 1.5, 1e300]), Follow: follow };
}

/** A path for StartLogging's File that is no FIFO dockerd gave us. */
function notAFifo(ctx: TargetContext, prng: Prng): string {
  const regular = path.join(ctx.dir, 'regular-file');
  if (!fs.existsSync(regular)) fs.writeFileSync(regular, 'not a fifo\n');
  return prng.pick([
    '/etc/passwd', '/etc', '/dev/null', '/dev/zero', '/dev/urandom', '/proc/self/mem', '/proc/self/fd/0', regular, ctx.socket,
    `${ctx.fifos.dir}/../../../../../../etc/passwd`, `${ctx.fifos.dir}/../regular-file`, '/run/docker/logging/../../../etc/shadow',
    `${ctx.fifos.dir}/missing-${prng.int(0, 1e6)}`, '/nonexistent/fifo', 'relative/fifo', '', '.', '..',
    `${ctx.fifos.dir}/${'x'.repeat(prng.pick([255, 256, 5000]))}`, `${ctx.fifos.dir}/a\u0000b`, path.join(ctx.root, 'containers'),
  ]);
}

function frames(n: number, tag: string): Buffer {
  const encoder = new FrameEncoder();
  for (let i = 0; i < n; i++) encoder.add({ source: 'stdout', sec: 1795896100 + i, nsec: 0, line: Buffer.from(`${tag} ${i}`), partial: false, meta: undefined });
  return encoder.take();
}

/** Reads a streamed answer; closes it after `keepMs` unless it ended. Resolves with whether it ended by itself. */
function stream(socket: string, url: string, payload: Json, keepMs: number): Promise<{ status: number; ended: boolean; body: Buffer }> {
  const bytes = Buffer.from(JSON.stringify(payload));
  return bounded(
    new Promise((resolve, reject) => {
      const req = http.request({ socketPath: socket, method: 'POST', path: url, headers: { 'Content-Length': bytes.length } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const timer = setTimeout(() => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, ended: false, body: Buffer.concat(chunks) });
        }, keepMs);
        res.on('data', (c: Buffer) => size < 1 << 20 && (chunks.push(c), (size += c.length)));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, ended: true, body: Buffer.concat(chunks) });
        });
        res.on('error', () => undefined);
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve({ status: 0, ended: false, body: Buffer.alloc(0) }) : reject(err)));
      req.end(bytes);
    }),
    `POST ${url}`,
  );
}

function checkAnswer(what: string, a: { status: number; body: Buffer }): void {
  if (a.status >= 500) throw new Finding(`${what} answered ${a.status}: ${a.body.toString('utf8').slice(0, 300)}`);
  if (a.status >= 400 && a.status !== 413) {
    let err: unknown;
    try {
      err = (JSON.parse(a.body.toString('utf8')) as { Err?: unknown }).Err;
    } catch {
      err = undefined;
    }
    if (typeof err !== 'string' || err === '') throw new Finding(`${what} answered ${a.status} without an Err: ${a.body.toString('utf8').slice(0, 300)}`);
  }
}

interface SlowReader {
  req: http.ClientRequest;
  ended: Promise<void>;
}

export function httpTarget(group = 8): Target {
  const slowReaders: SlowReader[] = [];
  let fdsBefore = 0;

  const openSlowReader = (ctx: TargetContext, consume: boolean): SlowReader => {
    const bytes = Buffer.from(JSON.stringify({ Info: containerInfo({ ContainerID: SENTINEL_ID }), Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: true } }));
    let req!: http.ClientRequest;
    const ended = new Promise<void>((resolve) => {
      req = http.request({ socketPath: ctx.socket, method: 'POST', path: '/LogDriver.ReadLogs', headers: { 'Content-Length': bytes.length } }, (res) => {
        if (consume) {
          // one small read every 50 ms: far slower than the sentinel writes
          res.on('readable', function slowly() {
            res.read(64);
            res.off('readable', slowly);
            const t = setInterval(() => res.read(64), 50);
            res.on('close', () => clearInterval(t));
          });
        } else res.pause();
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.end(bytes);
    });
    return { req, ended };
  };

  return {
    name: 'http',
    group,
    sentinelFiller: 4000,
    async setup(ctx) {
      fdsBefore = ctx.daemon.openFds();
      for (let i = 0; i < 40; i++) slowReaders.push(openSlowReader(ctx, i % 4 === 0));
    },
    async run(ctx, prng, index, slot) {
      const kind = prng.weighted<() => Promise<void>>([
        [5, () => anyEndpoint(ctx, prng)],
        [2, () => startNotAFifo(ctx, prng, slot)],
        [2, () => startAndLog(ctx, prng, index, slot)],
        [1, () => stopUnknown(ctx, prng)],
        [2, () => readUnknown(ctx, prng)],
        [1, () => cliApi(ctx, prng)],
        [1, () => rawRequest(ctx, prng)],
      ]);
      await kind();
    },
    async teardown(ctx) {
      for (const r of slowReaders) r.req.destroy();
      await bounded(Promise.all(slowReaders.map((r) => r.ended)), 'closing the slow readers');
      const deadline = Date.now() + HANG_MS;
      while (ctx.daemon.openFds() > fdsBefore + 8) {
        if (Date.now() > deadline) throw new Finding(`the daemon holds ${ctx.daemon.openFds()} descriptors after every request ended, ${fdsBefore} before the first`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function anyEndpoint(ctx: TargetContext, prng: Prng): Promise<void> {
  const endpoint = prng.pick(ENDPOINTS);
  const id = prng.chance(0.3) ? SENTINEL_ID : hexId(prng);
  const shapes: Record<string, () => Json> = {
    'Plugin.Activate': () => ({}),
    'LogDriver.Capabilities': () => ({}),
    'LogDriver.StartLogging': () => ({ File: notAFifo(ctx, prng), Info: infoJson(id, prng) }),
    'LogDriver.StopLogging': () => ({ File: notAFifo(ctx, prng) }),
    'LogDriver.ReadLogs': () => ({ Info: infoJson(id === SENTINEL_ID ? hexId(prng) : id, prng), Config: readConfig(prng, false) }),
    'tslogs/logs': () => ({ id: hexId(prng), tail: prng.pick([-1, 0, 3]), follow: false, stream: prng.pick(['stdout', 'stderr', 'x', undefined as unknown as Json]), grep: prng.pick(['a', '(', 'x{1000}', '\\C', '']) }),
  };
  const payload = body(prng, shapes[endpoint]!());
  const headers: Record<string, string> = prng.chance(0.2) ? { 'Content-Type': prng.pick(['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', prng.string(10, PRINTABLE)]) } : {};
  let a: Answer;
  try {
    a = await send(ctx.socket, { method: prng.chance(0.9) ? 'POST' : prng.pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']), path: `/${endpoint}${prng.chance(0.1) ? '?x=' + encodeURIComponent(prng.string(5, PRINTABLE)) : ''}`, body: payload, headers });
  } catch (err) {
    // A body over the limit is answered 413 and the connection closed before it was all sent.
    const code = (err as NodeJS.ErrnoException).code;
    if (payload.length > BODY_LIMIT && (code === 'EPIPE' || code === 'ECONNRESET')) return;
    throw new Finding(`${endpoint} with a ${payload.length}-byte body: ${(err as Error).message}`);
  }
  checkAnswer(endpoint, a);
}

async function startNotAFifo(ctx: TargetContext, prng: Prng, slot: number): Promise<void> {
  const file = notAFifo(ctx, prng);
  const id = `dead${slot.toString(16).padStart(4, '0')}`.padEnd(64, '0'); // never started for real
  const a = await call(ctx.socket, 'LogDriver.StartLogging', { File: file, Info: containerInfo({ ContainerID: id }) });
  checkAnswer('StartLogging', a);
  const err = errOf(a);
  if (err === '') throw new Finding(`StartLogging accepted ${JSON.stringify(file)}, which is not a FIFO`);
  if (a.status === 200 && /^[\x20-\x7e]+$/.test(file) && !err.includes(file)) throw new Finding(`StartLogging's refusal of ${file} does not name it: ${err}`);
  if (prng.chance(0.3)) {
    const r = await stream(ctx.socket, '/LogDriver.ReadLogs', { Info: containerInfo({ ContainerID: id }) as unknown as Json, Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: true } }, HANG_MS - 1000);
    if (!r.ended) throw new Finding(`after StartLogging of ${file} was refused, a ReadLogs follow of its container did not end`);
  }
}

/** A real session: StartLogging (sometimes twice), a few lines, StopLogging (sometimes twice), all lines readable. */
async function startAndLog(ctx: TargetContext, prng: Prng, index: number, slot: number): Promise<void> {
  const id = `${slot.toString(16).padStart(2, '0')}${(index % 50).toString(16).padStart(2, '0')}`.padEnd(64, 'b');
  const info = containerInfo({ ContainerID: id });
  const before = await readAll(ctx, id);
  const fifo = openFifo(ctx.fifos.next());
  const n = prng.int(0, 20);
  try {
    for (let i = prng.chance(0.2) ? 2 : 1; i > 0; i--) {
      const a = await call(ctx.socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info });
      checkAnswer('StartLogging', a);
      if (errOf(a) !== '') throw new Finding(`StartLogging of a real FIFO failed: ${errOf(a)}`);
    }
    await bounded(fifo.write(frames(n, `s${index}`)), 'writing into the FIFO');
    for (let i = prng.chance(0.2) ? 2 : 1; i > 0; i--) checkAnswer('StopLogging', await call(ctx.socket, 'LogDriver.StopLogging', { File: fifo.path }));
  } finally {
    await fifo.close();
  }
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    const after = await readAll(ctx, id);
    if (after === before + n) return;
    if (after > before + n) throw new Finding(`${after - before} lines stored for ${n} written`);
    if (Date.now() > deadline) throw new Finding(`${before + n - after} of ${n} lines of a session are not readable`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function readAll(ctx: TargetContext, id: string): Promise<number> {
  const r = await stream(ctx.socket, '/LogDriver.ReadLogs', { Info: containerInfo({ ContainerID: id }) as unknown as Json, Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: false } }, HANG_MS - 1000);
  if (!r.ended) throw new Finding('a ReadLogs without follow did not end');
  let n = 0;
  for (let pos = 0; pos + 4 <= r.body.length; pos += 4 + r.body.readUInt32BE(pos)) n++;
  return n;
}

async function stopUnknown(ctx: TargetContext, prng: Prng): Promise<void> {
  const file = prng.chance(0.5) ? path.join(ctx.fifos.dir, `never-started-${prng.int(0, 1e9)}`) : (anyValue(prng) as string);
  const a = await call(ctx.socket, 'LogDriver.StopLogging', { File: file });
  checkAnswer('StopLogging', a);
}

async function readUnknown(ctx: TargetContext, prng: Prng): Promise<void> {
  const follow = prng.chance(0.5);
  const id = prng.chance(0.8) ? hexId(prng) : SENTINEL_ID;
  const r = await stream(ctx.socket, '/LogDriver.ReadLogs', { Info: infoJson(id, prng), Config: readConfig(prng, follow) }, id === SENTINEL_ID ? prng.int(1, 100) : HANG_MS - 1000);
  checkAnswer('ReadLogs', r);
  if (id !== SENTINEL_ID && r.status === 200 && !r.ended) throw new Finding(`ReadLogs (follow ${follow}) of an unknown container did not end`);
}

async function cliApi(ctx: TargetContext, prng: Prng): Promise<void> {
  if (prng.chance(0.4)) {
    const a = await send(ctx.socket, { method: 'GET', path: prng.pick(['/tslogs/containers', '/tslogs/containers?details=1', '/tslogs/containers?details=' + encodeURIComponent(prng.string(4, PRINTABLE)), '/metrics', '/', '/tslogs', `/${prng.string(10).replace(/[^a-z]/g, '')}`]) });
    checkAnswer('GET', a);
    return;
  }
  const id = prng.chance(0.5) ? SENTINEL_ID : hexId(prng);
  const follow = prng.chance(0.4);
  const query: Json = { id, tail: prng.pick([-1, 0, 2, 1.5, 'x']), follow, marker: prng.chance(0.5), stream: prng.pick(['stdout', 'stderr', null]), grep: prng.pick([null, 'sentinel', 'x{2}', '(', '(?i)SENT', '\\C', prng.string(prng.length(20))]), since: prng.chance(0.3) ? time(prng) : null };
  const r = await stream(ctx.socket, '/tslogs/logs', query, id === SENTINEL_ID && follow ? prng.int(1, 100) : HANG_MS - 1000);
  checkAnswer('tslogs/logs', r);
  if (!(id === SENTINEL_ID && follow) && r.status === 200 && !r.ended) throw new Finding(`tslogs/logs ${JSON.stringify(query)} did not end`);
}

async function rawRequest(ctx: TargetContext, prng: Prng): Promise<void> {
  const endpoint = prng.pick(ENDPOINTS);
  const json = '{"File":"/x","Info":{"ContainerID":"' + 'a'.repeat(64) + '"}}';
  const bytes = prng.pick([
    `POST /${endpoint} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${json}`, // cut short
    `POST /${endpoint} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\nzz\r\n`,
    `POST /${endpoint} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    `POST /${endpoint} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}`,
    `POST /${endpoint} HTTP/1.1\r\nHost: x\r\n`, // headers cut short
    `${prng.string(prng.length(200))}\r\n\r\n`,
    `POST /${endpoint} HTTP/1.1\r\nHost: x\r\nX: ${'y'.repeat(prng.int(10_000, 20_000))}\r\n\r\n`,
  ]);
  await raw(ctx.socket, Buffer.from(bytes), prng.chance(0.5));
}

export type { Answer };
