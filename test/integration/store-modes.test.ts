import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, Fifo } from '../helpers/fake-dockerd.js';
import { startPluginProcess } from '../helpers/processes.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

// The plugin's socket and store hold every container's log: their modes must not
// depend on the umask the daemon was started with.

const mode = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');

const info = (id: string, config: Record<string, string>) => containerInfo({ Config: config, ContainerID: id, ContainerName: '/m' });

function frames(n: number): Buffer {
  const line = Buffer.from('x'.repeat(100));
  return Buffer.concat(Array.from({ length: n }, (_, i) => encodeFrame({ source: 'stdout', sec: 1795896100 + i, nsec: 0, line, partial: false, meta: undefined })));
}

describe('modes of the socket and the store', () => {
  it.each(['000', '077'])('are exact under umask %s', { timeout: 60_000 }, async (umask) => {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const socket = path.join(dir, 'run', 'plugin.sock');
    await startPluginProcess(root, socket, umask);
    const id = '5'.repeat(64);
    const fifo = new Fifo(dir, 'fifo');
    const res = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, { 'max-size': '1k', 'max-file': '3', compress: 'true' }) });
    expect(JSON.parse(res.body.toString())).toEqual({});
    await fifo.write(frames(40)); // about 5 KB: rotates, and compresses what rotated
    const containerDir = path.join(root, 'containers', id);
    const log = path.join(containerDir, `${id}-json.log`);
    await waitUntil(() => fs.existsSync(`${log}.1.gz`) && fs.existsSync(`${log}.2.gz`), 'two compressed rotations', 30_000);
    const sessions = path.join(root, 'sessions');
    const [session] = fs.readdirSync(sessions);

    expect(fs.statSync(socket).isSocket()).toBe(true);
    expect({
      socket: mode(socket),
      socketDir: mode(path.dirname(socket)),
      root: mode(root),
      containers: mode(path.join(root, 'containers')),
      container: mode(containerDir),
      log: mode(log),
      rotated: mode(`${log}.1.gz`),
      info: mode(path.join(containerDir, 'tslogs-info.json')),
      sessions: mode(sessions),
      session: mode(path.join(sessions, session!)),
    }).toEqual({
      socket: '0660',
      socketDir: umask === '000' ? '0755' : '0700', // created by us: never wider than 0755
      root: '0750',
      containers: '0750',
      container: '0750',
      log: '0640',
      rotated: '0640',
      info: '0600', // it holds sink secrets (a Splunk token)
      sessions: '0700',
      session: '0600',
    });
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.tslogs-'))).toEqual([]); // the private bind directory is gone
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
  });

  it('removes its socket when it exits', { timeout: 60_000 }, async () => {
    const dir = tmpDir();
    const socket = path.join(dir, 'plugin.sock');
    const child = await startPluginProcess(path.join(dir, 'store'), socket, '022');
    await call(socket, 'LogDriver.Capabilities'); // serving: its SIGTERM handler is installed
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    expect(fs.existsSync(socket)).toBe(false);
  });
});
