// The watcher's events, driven by explicit check() calls over files the test changes.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DockerLogWatcher } from '../../../src/sidecar/log-watcher.js';
import { rotatedOnce } from '../../../src/sidecar/rotation-check.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { FakeDockerContainer, jsonLine } from '../../helpers/sidecar-fake-docker.js';
import { tmpDir } from '../../helpers/tmp.js';

function watch(c: FakeDockerContainer) {
  const events: string[] = [];
  const calls: string[] = [];
  const w = new DockerLogWatcher(c.dir, c.id, c.opts.maxFile ?? 1, c.running, {
    resync: () => calls.push('resync'),
    runningChanged: (r) => calls.push(`running=${r}`),
    log: recordingLogger((r) => r.level !== 'debug' && calls.push(`report: ${r.msg}`)),
  });
  w.on('open', () => events.push('open')).on('append', () => events.push('append')).on('idle', () => events.push('idle'));
  w.on('rotate', (n) => events.push(`rotate ${n}`));
  return { w, events, calls };
}

// 100-byte log texts make ~160-byte lines: a 300-byte file rotates every 2 lines.
const long = (s: string) => s.padEnd(100, '.');

describe('DockerLogWatcher', () => {
  it('open, append, and one rotate per rename rotation (lines -1)', () => {
    const c = new FakeDockerContainer(tmpDir(), { maxSize: 300, maxFile: 3 });
    const { w, events, calls } = watch(c);
    w.check();
    expect(events).toEqual(['open']);
    expect(w.live).toBe(true);
    c.write([long('a')]);
    w.check();
    w.check(); // nothing new
    expect(events).toEqual(['open', 'append']);
    c.write([long('b'), long('c')]); // one rotation
    expect(c.rotations).toBe(1);
    w.check();
    expect(events.slice(2)).toEqual(['rotate -1']);
    expect(calls).toEqual([]);
    w.close();
  });

  it('recognises the old file at .1.gz by its first line after compression', () => {
    const c = new FakeDockerContainer(tmpDir(), { maxSize: 300, maxFile: 3, compress: true });
    const { w, events, calls } = watch(c);
    c.write([long('a')]);
    w.check();
    c.write([long('b'), long('c')]);
    expect(fs.existsSync(`${c.logPath}.1.gz`)).toBe(true);
    w.check();
    expect(events).toEqual(['open', 'append', 'rotate -1']);
    expect(calls).toEqual([]);
    w.close();
  });

  it('several rotations between two looks: idle (while live), so readers finish their file and reopen the store', () => {
    const c = new FakeDockerContainer(tmpDir(), { maxSize: 300, maxFile: 10 });
    const { w, events } = watch(c);
    c.write([long('a')]);
    w.check();
    c.write(Array.from({ length: 20 }, (_, i) => `line ${i}`));
    expect(c.rotations).toBeGreaterThan(2);
    w.check();
    expect(events).toEqual(['open', 'append', 'idle']);
    expect(w.live).toBe(true);
    w.close();
  });

  it('a rotation while readers reopen the file by name: their deliveries are restarted (resync)', () => {
    const c = new FakeDockerContainer(tmpDir(), { maxSize: 300, maxFile: 10 });
    const { w, events, calls } = watch(c);
    c.write([long('a')]);
    w.check();
    c.write([long('b'), long('c')]);
    // dockerd rotates again exactly when the readers react to the first rotation
    w.once('rotate', () => {
      c.write([long('f'), long('g')]);
    });
    w.check();
    expect(events).toEqual(['open', 'append', 'rotate -1']);
    expect(calls).toEqual(['resync']);
    w.close();
  });

  it('truncation: rotate -1 and a report', () => {
    const c = new FakeDockerContainer(tmpDir());
    const { w, events, calls } = watch(c);
    c.write(['a', 'b']);
    w.check();
    c.truncate();
    w.check();
    expect(events).toEqual(['open', 'append', 'rotate -1']);
    expect(calls[0]).toMatch(/was truncated \(\d+ → 0 bytes\); reading it again from its start/);
    w.close();
  });

  it('container stop (State.Running false): a last append, then idle; start: runningChanged(true)', async () => {
    const c = new FakeDockerContainer(tmpDir());
    const { w, events, calls } = watch(c);
    w.check();
    c.write(['last words']);
    c.setRunning(false);
    w.check();
    expect(events).toEqual(['open', 'append', 'append', 'idle']);
    expect(w.live).toBe(false);
    c.setRunning(true);
    w.check();
    expect(w.live).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['running=false', 'running=true']);
    w.close();
  });

  it('removal: append and idle, not live any more', () => {
    const c = new FakeDockerContainer(tmpDir());
    const { w, events } = watch(c);
    w.check();
    c.remove();
    w.removedNow();
    expect(events).toEqual(['open', 'append', 'idle']);
    expect(w.live).toBe(false);
  });

  it('rotatedOnce: max-file=1 keeps nothing to miss; a different .1 means more than one rotation', () => {
    const dir = tmpDir();
    const file = `${dir}/x-json.log`;
    fs.writeFileSync(file, jsonLine('a\n'));
    const fd = fs.openSync(file, 'r');
    const ino = fs.fstatSync(fd).ino;
    fs.rmSync(file);
    fs.writeFileSync(file, '');
    expect(rotatedOnce(file, fd, ino, 1)).toBe(true);
    expect(rotatedOnce(file, fd, ino, 2)).toBe(false);
    fs.writeFileSync(`${file}.1`, jsonLine('other\n'));
    expect(rotatedOnce(file, fd, ino, 2)).toBe(false);
    fs.closeSync(fd);
  });
});
