import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { buildServer, listenOnSocket } from '../../src/protocol/server.js';
import { call, readLogs } from '../helpers/fake-dockerd.js';
import { tmpDir } from '../helpers/tmp.js';

// Requests dockerd would never send, as an attacker or a broken client would:
// each must fail cleanly, say what was wrong, and leave nothing behind.

function info(id: string, extra: Record<string, unknown> = {}) {
  return {
    Config: {},
    ContainerID: id,
    ContainerName: '/p1',
    ContainerEntrypoint: 'sh',
    ContainerArgs: [],
    ContainerImageID: 'sha256:' + 'ae'.repeat(32),
    ContainerImageName: 'bb:latest',
    ContainerCreated: '2026-11-28T20:01:23.567244869Z',
    ContainerEnv: null,
    ContainerLabels: {},
    LogPath: '',
    DaemonName: 'docker',
    ...extra,
  };
}

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
  driver = new PluginDriver({ root, report: () => undefined });
  app = buildServer({ driver, logger: pino({ level: 'silent' }) });
  await listenOnSocket(app, socket);
});

afterEach(async () => {
  await driver.shutdown();
  await app.close();
});

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
