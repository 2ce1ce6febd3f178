import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_MAX_UNSAVED } from '../../src/router/checkpoint-file.js';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, Fifo } from '../helpers/fake-dockerd.js';
import { startDaemonChild } from '../helpers/processes.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: 'stdout', sec: 1795896100, nsec: i, line: Buffer.from(`n${i}`), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

function delivered(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('crash recovery', () => {
  it('loses nothing when the daemon is killed with SIGKILL mid-delivery; duplicates stay within the unsaved and in-flight batches', { timeout: 60_000 }, async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const socket = path.join(dir, 'tslogs.sock');
    const out = path.join(dir, 'delivered.txt');
    const id = '9'.repeat(64);
    let daemon = await startDaemonChild(root, socket);
    const fifo = new Fifo(dir, 'fifo');
    const info = containerInfo({ Config: { 'file-address': out }, ContainerID: id, ContainerName: '/c' });
    expect(JSON.parse((await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info })).body.toString())).toEqual({});
    await fifo.write(frames(0, 3000));
    await waitUntil(() => delivered(out).length >= 500, 'some delivery', 30_000);
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon.once('exit', r));
    const atKill = delivered(out).length;
    expect(atKill).toBeLessThan(3000); // killed mid-delivery
    // dockerd keeps writing into the FIFO while the plugin is down.
    await fifo.write(frames(3000, 4000));
    daemon = await startDaemonChild(root, socket);
    await fifo.write(frames(4000, 5000));
    await waitUntil(() => new Set(delivered(out)).size >= 5000, 'everything after the restart', 30_000);
    await call(socket, 'LogDriver.StopLogging', { File: fifo.path });
    await fifo.close();
    const lines = delivered(out);
    const unique = [...new Set(lines)];
    expect(unique).toEqual(Array.from({ length: 5000 }, (_, i) => `n${i}`));
    // Batches of 50: at most CHECKPOINT_MAX_UNSAVED acknowledged and not yet written, plus the one in flight.
    expect(lines.length - unique.length).toBeLessThanOrEqual((CHECKPOINT_MAX_UNSAVED + 1) * 50);
    expect(fs.readFileSync(path.join(root, 'containers', id, `${id}-json.log`), 'utf8').split('\n').length).toBe(5001);
  });
});
