import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { buildServer, listenOnSocket } from '../../src/protocol/server.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, Fifo, readLogs } from '../helpers/fake-dockerd.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-logger.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';
import { silentLogger } from '../../src/util/log.js';

// Requests dockerd would never send, as an attacker or a broken client would:
// each must fail cleanly, say what was wrong, and leave nothing behind.

// `extra` may hold what no ContainerInfo holds: the requests are hostile.
const info = (id: string, extra: Record<string, unknown> = {}) => ({ ...containerInfo({ ContainerID: id, ContainerName: '/p1' }), ...extra });

const NO_BOUND = '0001-01-01T00:00:00Z';

let dir: string;
let root: string;
let socket: string;
let app: FastifyInstance;
let driver: PluginDriver;

beforeEach(async () => {
  dir = tmpDir();
  root = path.join(dir, 'store');
  socket = path.join(dir, 'tslogs.sock');
  driver = new PluginDriver({ root, log: silentLogger });
  app = buildServer({ driver, logger: pino({ level: 'silent' }) });
  await listenOnSocket(app, socket);
});

afterEach(async () => {
  await driver.shutdown();
  await app.close();
});

/** A second driver on the same store, with its own logger. */
async function driverWith(log: RecordingLogger): Promise<{ socket: string; close: () => Promise<void> }> {
  const own = new PluginDriver({ root, log });
  const server = buildServer({ driver: own, logger: pino({ level: 'silent' }) });
  const path2 = path.join(dir, 'own.sock');
  await listenOnSocket(server, path2);
  return { socket: path2, close: async () => { await own.shutdown(); await server.close(); } };
}

/** POSTs bytes as they are, with dockerd's headers. */
function post(url: string, body: string): Promise<{ status: number; json: { Err?: string } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method: 'POST', path: url, headers: { 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

describe('StartLogging with a File that is not a FIFO', () => {
  it.each([
    ['a regular file', '/etc/passwd'],
    ['a directory', '/etc'],
    ['a character device', '/dev/null'],
  ])('refuses %s, naming it and saying a FIFO was expected', async (_what, file) => {
    const res = await call(socket, 'LogDriver.StartLogging', { File: file, Info: info('a'.repeat(64)) });
    expect(JSON.parse(res.body.toString()).Err).toMatch(new RegExp(`^cannot open log FIFO ${file}: it is a .+, not a FIFO`));
  });

  it('leaks no descriptor over 300 calls and leaves the container not live: a following ReadLogs ends', async () => {
    const id = 'b'.repeat(64);
    await call(socket, 'LogDriver.StartLogging', { File: '/etc/passwd', Info: info(id) }); // warm-up: lazily opened handles
    const before = openFds();
    for (let i = 0; i < 300; i++) {
      const res = await call(socket, 'LogDriver.StartLogging', { File: i % 2 ? '/dev/null' : '/etc/passwd', Info: info(id) });
      expect(JSON.parse(res.body.toString()).Err).toBeTruthy();
    }
    expect(openFds()).toBe(before);
    const follow = readLogs(socket, { Info: info(id), Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: true } });
    await follow.ended;
    expect(follow.entries).toEqual([]);
  });
});

describe('malformed request bodies', () => {
  const endpoints = ['Plugin.Activate', 'LogDriver.Capabilities', 'LogDriver.StartLogging', 'LogDriver.StopLogging', 'LogDriver.ReadLogs'];
  const bodies = ['{"File": "tok-SECRET', '{"File" "tok-SECRET"}', 'tok-SECRET', '{"a":"tok-SECRET\u0001"}', '{"File":"x"} tok-SECRET'];

  it.each(endpoints)('%s answers 400 naming the endpoint, without echoing the body', async (name) => {
    for (const body of bodies) {
      const res = await post(`/${name}`, body);
      expect(res.status).toBe(400);
      expect(res.json.Err).toMatch(new RegExp(`^${name.replace('.', '\\.')}: invalid request body: not valid JSON \\(.+\\)$`));
      expect(res.json.Err).not.toContain('SECRET');
    }
  });

  const id = 'c'.repeat(64);
  const config = { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: false };
  it.each([
    ['Info is not an object', { Info: 5, Config: config }, 'LogDriver.ReadLogs: invalid request body: Info must be a JSON object'],
    ['Config is not an object', { Info: info(id), Config: [] }, 'LogDriver.ReadLogs: invalid request body: Config must be a JSON object'],
    ['the container ID is not one', { Info: info('x'), Config: config }, 'invalid container ID "x": expected 64 hexadecimal characters'],
    ['Since is not a time', { Info: info(id), Config: { ...config, Since: 'yesterday' } }, "cannot parse time 'yesterday'"],
  ])('ReadLogs answers 400 when %s', async (_what, body, message) => {
    const res = await post('/LogDriver.ReadLogs', JSON.stringify(body));
    expect(res).toEqual({ status: 400, json: { Err: message } });
  });

  it('StartLogging answers 400 to a body of the wrong shape', async () => {
    const res = await post('/LogDriver.StartLogging', JSON.stringify({ File: 5, Info: info(id) }));
    expect(res).toEqual({ status: 400, json: { Err: 'LogDriver.StartLogging: invalid request body: File must be a string' } });
  });
});

describe('container labels that are not strings', () => {
  it('StartLogging with labels=a and a numeric label answers 400 naming the label, and stores nothing', async () => {
    const id = 'd'.repeat(64);
    const res = await post('/LogDriver.StartLogging', JSON.stringify({ File: '/run/docker/logging/x', Info: info(id, { Config: { labels: 'a' }, ContainerLabels: { a: 5 } }) }));
    expect(res).toEqual({ status: 400, json: { Err: 'LogDriver.StartLogging: invalid request body: Info.ContainerLabels["a"] must be a string' } });
    expect(fs.existsSync(path.join(root, 'containers', id))).toBe(false);
  });
});

describe('StartLogging when the store cannot be written', () => {
  // /dev/full fails every write with ENOSPC, as a full disk does; a directory is something in the way.
  const inTheWay = {
    'a full disk': (file: string) => fs.symlinkSync('/dev/full', file),
    'a directory in the way': (file: string) => fs.mkdirSync(file),
  };
  const id = 'e'.repeat(64);
  const infoFile = () => path.join(root, 'containers', id, 'tslogs-info.json');
  const sessionFile = (fifo: string) => path.join(root, 'sessions', createHash('sha1').update(fifo).digest('hex') + '.json');

  it.each(Object.entries(inTheWay))('names the info file on %s and leaves no session behind', async (_what, block) => {
    const fifo = new Fifo(dir, 'fifo');
    fs.mkdirSync(path.dirname(infoFile()), { recursive: true });
    block(`${infoFile()}.tmp`);
    await call(socket, 'LogDriver.Capabilities'); // the connection is open before counting
    const before = openFds();
    const res = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    expect(JSON.parse(res.body.toString()).Err).toMatch(new RegExp(`^cannot write the container's info file ${infoFile()}: E(NOSPC|ISDIR)`));
    expect(openFds()).toBe(before);
    expect(fs.existsSync(sessionFile(fifo.path))).toBe(false);
    const follow = readLogs(socket, { Info: info(id), Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: true } });
    await follow.ended; // not live: nothing attached as its writer
    await fifo.close();
  });

  it('names the session file when something is in the way, and leaves nothing open', async () => {
    const fifo = new Fifo(dir, 'fifo');
    fs.mkdirSync(path.join(root, 'sessions'), { recursive: true });
    fs.mkdirSync(`${sessionFile(fifo.path)}.tmp`);
    await call(socket, 'LogDriver.Capabilities'); // the connection is open before counting
    const before = openFds();
    const res = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    expect(JSON.parse(res.body.toString()).Err).toMatch(new RegExp(`^cannot write the session file ${sessionFile(fifo.path)}: EISDIR`));
    expect(openFds()).toBe(before);
    const follow = readLogs(socket, { Info: info(id), Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: true } });
    await follow.ended;
    await fifo.close();
  });

  it('on a full disk starts the container, says the session waits for room, and saves it once there is room', async () => {
    const log = recordingLogger();
    const own = await driverWith(log);
    const fifo = new Fifo(dir, 'fifo');
    fs.mkdirSync(path.join(root, 'sessions'), { recursive: true });
    inTheWay['a full disk'](`${sessionFile(fifo.path)}.tmp`);
    const res = await call(own.socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    expect(JSON.parse(res.body.toString()).Err ?? '').toBe('');
    expect(log.messages().join('\n')).toContain(`cannot write the session file ${sessionFile(fifo.path)}: ENOSPC`);
    expect(log.messages().join('\n')).toContain('its session is saved once there is room');
    // The failed write took its temporary file, /dev/full, away with it: room again.
    await waitUntil(() => fs.existsSync(sessionFile(fifo.path)), 'the session saved', 5000, 50);
    expect(JSON.parse(fs.readFileSync(sessionFile(fifo.path), 'utf8')).File).toBe(fifo.path);
    await call(own.socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
    await own.close();
  });

  it("on a full disk starts a logger for a container whose info is unchanged (dockerd's own, for `docker logs` of a stopped container)", async () => {
    const first = new Fifo(dir, 'first');
    expect(JSON.parse((await call(socket, 'LogDriver.StartLogging', { File: first.path, Info: info(id) })).body.toString()).Err ?? '').toBe('');
    await call(socket, 'LogDriver.StopLogging', { File: first.path });
    await first.close();
    inTheWay['a full disk'](`${infoFile()}.tmp`);
    const again = new Fifo(dir, 'again');
    const res = await call(socket, 'LogDriver.StartLogging', { File: again.path, Info: info(id) });
    expect(JSON.parse(res.body.toString()).Err ?? '').toBe('');
    await call(socket, 'LogDriver.StopLogging', { File: again.path });
    await again.close();
  });
});
