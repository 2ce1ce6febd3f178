import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, Fifo } from '../helpers/fake-dockerd.js';
import { startPluginProcess } from '../helpers/processes.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

// The real entry point (`tslogs plugin`) in its own process, as dockerd would find it.

const info = (id: string) => containerInfo({ ContainerID: id, ContainerName: `/c${id.slice(0, 4)}` });

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: i % 2 ? 'stderr' : 'stdout', sec: 1795896100 + i, nsec: 0, line: Buffer.from(`line ${i}`), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

function lines(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

describe('tslogs plugin daemon', () => {
  it('serves 100 containers logging at once, each store complete and in order', { timeout: 90_000 }, async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const socket = path.join(dir, 'plugin.sock');
    await startPluginProcess(root, socket);
    const ids = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(4, '0').repeat(16));
    const fifos = ids.map((id) => new Fifo(dir, `fifo-${id.slice(0, 4)}`));
    await Promise.all(ids.map((id, i) => call(socket, 'LogDriver.StartLogging', { File: fifos[i]!.path, Info: info(id) })));
    for (let round = 0; round < 5; round++) await Promise.all(fifos.map((f) => f.write(frames(round * 200, (round + 1) * 200))));
    await Promise.all(fifos.map((f) => call(socket, 'LogDriver.StopLogging', { File: f.path })));
    await Promise.all(fifos.map((f) => f.close()));
    const file = (id: string) => path.join(root, 'containers', id, `${id}-json.log`);
    await waitUntil(() => ids.every((id) => lines(file(id)) === 1000), 'all 100 stores', 30_000);
    for (const id of ids) {
      const logs = fs.readFileSync(file(id), 'utf8').trim().split('\n').map((l) => JSON.parse(l).log);
      expect(logs).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`));
    }
  });

  it('on SIGTERM writes what it read, exits 0, and the next start drains the rest of a FIFO dockerd still holds', { timeout: 60_000 }, async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const socket = path.join(dir, 'plugin.sock');
    const id = 'e'.repeat(64);
    let plugin = await startPluginProcess(root, socket);
    const fifo = new Fifo(dir, 'fifo');
    await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id) });
    await fifo.write(frames(0, 500));
    const file = path.join(root, 'containers', id, `${id}-json.log`);
    await waitUntil(() => lines(file) === 500, 'the first lines', 30_000);
    const exited = new Promise<number | null>((resolve) => plugin.once('exit', resolve));
    plugin.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fs.existsSync(socket)).toBe(false);
    // While the plugin is down the container keeps writing into the pipe.
    await fifo.write(frames(500, 600));
    plugin = await startPluginProcess(root, socket);
    await waitUntil(() => lines(file) === 600, 'the lines written while it was down', 30_000);
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).log).at(-1)).toBe('line 599\n');
  });
});
