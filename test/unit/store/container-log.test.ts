import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../../src/codec/log-entry.js';
import { ContainerLog } from '../../../src/store/container-log.js';
import { lastTimeOfGzip } from '../../../src/store/gzip-with-last-time.js';
import { LogStream } from '../../../src/store/log-stream.js';
import { openSegments } from '../../../src/store/segments.js';
import { readEntries, type ReadOptions } from '../../../src/store/reader.js';
import { fromLog, logBytes, type StoredEntry } from '../../../src/store/stored-entry.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { tmpDir } from '../../helpers/tmp.js';

const ID = 'f'.repeat(64);
const T0 = 1795896100;

function entry(i: number, line = `line ${String(i).padStart(3, '0')}`): LogEntry {
  return { source: i % 2 ? 'stderr' : 'stdout', sec: T0 + i, nsec: 0, line: Buffer.from(line), partial: false, meta: undefined };
}

function openLog(root: string, policy = { maxSize: Infinity, maxFile: 1, compress: false }, logs = recordingLogger()): ContainerLog {
  const log = new ContainerLog(root, ID, policy, undefined, logs);
  log.attachWriter();
  return log;
}

async function readAll(path: string, options: Partial<ReadOptions> = {}, live?: ContainerLog): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readEntries(path, { tail: -1, follow: false, ...options }, live)) {
    for (const e of batch) out.push(text(e));
  }
  return out;
}

function text(e: StoredEntry): string {
  return `${e.source}:${logBytes(e).toString()}`;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!check()) throw new Error('condition not reached');
}

function names(root: string): string[] {
  return fs.readdirSync(`${root}/containers/${ID}`).sort();
}

describe('ContainerLog writer', () => {
  it('writes Docker layout and lines, creating the directory lazily', () => {
    const root = tmpDir();
    const log = openLog(root);
    expect(fs.existsSync(`${root}/containers`)).toBe(false);
    log.append(entry(0));
    log.append(entry(1));
    log.flush();
    expect(fs.readFileSync(log.path, 'utf8')).toBe(
      '{"log":"line 000\\n","stream":"stdout","time":"2026-11-28T20:01:40Z"}\n' +
        '{"log":"line 001\\n","stream":"stderr","time":"2026-11-28T20:01:41Z"}\n',
    );
    expect(fs.statSync(log.path).mode & 0o777).toBe(0o640);
  });

  it('appends to an existing file when the same container logs again', () => {
    const root = tmpDir();
    const first = openLog(root);
    first.append(entry(0));
    first.detachWriter();
    const second = openLog(root);
    second.append(entry(1));
    second.flush();
    expect(fs.readFileSync(second.path, 'utf8').split('\n')).toHaveLength(3);
  });

  it('rotates before the write that finds the file at max-size, as Docker does (10 × 109 bytes at 1k)', () => {
    const root = tmpDir();
    const log = openLog(root, { maxSize: 1000, maxFile: 3, compress: false });
    // Each line below is exactly 109 bytes: 10 fit before the file reaches 1000 bytes.
    for (let i = 0; i < 25; i++) log.append(entry(i, 'x'.repeat(48)));
    log.flush();
    expect(names(root)).toEqual([`${ID}-json.log`, `${ID}-json.log.1`, `${ID}-json.log.2`]);
    expect(fs.statSync(`${log.path}.2`).size).toBe(1090);
    expect(fs.statSync(`${log.path}.1`).size).toBe(1090);
    expect(fs.statSync(log.path).size).toBe(545);
  });

  it('keeps max-file files in all and drops the oldest', async () => {
    const root = tmpDir();
    const log = openLog(root, { maxSize: 200, maxFile: 2, compress: false });
    for (let i = 0; i < 30; i++) log.append(entry(i));
    log.flush();
    expect(names(root)).toEqual([`${ID}-json.log`, `${ID}-json.log.1`]);
    const lines = await readAll(log.path);
    expect(lines.at(-1)).toBe('stderr:line 029\n');
    expect(lines.length).toBeLessThan(30);
  });

  it('compresses rotated files with the lastTime header and reads across them', async () => {
    const root = tmpDir();
    const log = openLog(root, { maxSize: 500, maxFile: 4, compress: true });
    // 69-byte lines: 8 fill a file past 500 bytes, so 30 lines rotate three times.
    for (let i = 0; i < 30; i++) {
      log.append(entry(i));
      log.flush();
    }
    await log.settled();
    expect(names(root)).toEqual([`${ID}-json.log`, `${ID}-json.log.1.gz`, `${ID}-json.log.2.gz`, `${ID}-json.log.3.gz`]);
    const gz = fs.readFileSync(`${log.path}.1.gz`);
    expect(gz.subarray(0, 10).toString('hex')).toBe('1f8b0804000000000' + '0ff');
    const newestRotated = zlib.gunzipSync(gz).toString().trim().split('\n');
    const lastTime = JSON.parse(newestRotated.at(-1)!).time;
    expect(lastTimeOfGzip(gz)).toBe(lastTime);
    const lines = await readAll(log.path);
    expect(lines).toEqual(Array.from({ length: 30 }, (_, k) => text(fromLog(Buffer.from(`line ${String(k).padStart(3, '0')}\n`), k % 2 ? 'stderr' : 'stdout', 0, 0))));
  });

  it('reports a write failure once, keeps the bytes and writes them when the disk accepts again', () => {
    const root = tmpDir();
    const logs = recordingLogger();
    const log = openLog(root, undefined, logs);
    log.append(entry(0));
    log.flush();
    // Make the fd unwritable by swapping it for a read-only one behind the writer's back.
    const file = (log as unknown as { file: { fd: number } }).file;
    const writable = file.fd;
    file.fd = fs.openSync(log.path, 'r');
    log.append(entry(1));
    expect(log.flush()).toBe(false);
    expect(log.flush()).toBe(false);
    expect(log.blocked?.message).toMatch(/^cannot write .*-json\.log: .*; ingest paused for this container and retried$/);
    expect(logs.records.map((r) => r.level)).toEqual(['warn']);
    fs.closeSync(file.fd);
    file.fd = writable;
    expect(log.flush()).toBe(true);
    expect(log.blocked).toBeUndefined();
    expect(fs.readFileSync(log.path, 'utf8').split('\n')).toHaveLength(3);
  });
});

describe('ContainerLog batch buffer', () => {
  afterEach(() => vi.useRealTimers());
  const burst = (log: ContainerLog): void => {
    for (let i = 0; i < 3000; i++) log.append(entry(i, `line ${i} `.padEnd(100, 'x')));
    expect(log.flush()).toBe(true);
  };

  it('gives back what a burst grew once the container has been quiet for a second', () => {
    vi.useFakeTimers();
    const log = openLog(tmpDir());
    burst(log);
    expect(log.batchBufferBytes).toBeGreaterThan(256 * 1024);
    vi.advanceTimersByTime(999);
    expect(log.batchBufferBytes).toBeGreaterThan(256 * 1024);
    vi.advanceTimersByTime(1);
    expect(log.batchBufferBytes).toBe(16 * 1024);
    log.detachWriter();
  });

  it('keeps it while the container keeps writing, and gives it back when the session ends', () => {
    vi.useFakeTimers();
    const log = openLog(tmpDir());
    burst(log);
    for (let t = 0; t < 5; t++) {
      vi.advanceTimersByTime(600);
      burst(log);
    }
    expect(log.batchBufferBytes).toBeGreaterThan(256 * 1024);
    log.detachWriter();
    expect(log.batchBufferBytes).toBe(16 * 1024);
  });
});

describe('reader', () => {
  function filled(count: number, policy = { maxSize: 100, maxFile: 100, compress: false }): ContainerLog {
    const log = openLog(tmpDir(), policy);
    for (let i = 0; i < count; i++) log.append(entry(i));
    log.flush();
    return log;
  }

  it.each([
    [{ tail: 3 }, ['line 007', 'line 008', 'line 009']],
    [{ tail: 0 }, []],
    [{ tail: 100 }, Array.from({ length: 10 }, (_, i) => `line 00${i}`)],
    [{ since: { sec: T0 + 7, nsec: 0 } }, ['line 007', 'line 008', 'line 009']],
    [{ until: { sec: T0 + 2, nsec: 0 } }, ['line 000', 'line 001', 'line 002']],
    [{ since: { sec: T0 + 3, nsec: 1 }, until: { sec: T0 + 5, nsec: 0 } }, ['line 004', 'line 005']],
    [{ tail: 4, since: { sec: T0 + 8, nsec: 0 } }, ['line 008', 'line 009']],
  ])('applies %j across rotated files', async (options, expected) => {
    const log = filled(10);
    expect(names(log.root).length).toBeGreaterThan(3);
    const lines = (await readAll(log.path, options)).map((l) => l.slice(7, -1));
    expect(lines).toEqual(expected);
  });

  it('skips compressed files whose lastTime is before since, reading the rest', async () => {
    const log = filled(12, { maxSize: 100, maxFile: 10, compress: true });
    await log.settled();
    expect(names(log.root).filter((n) => n.endsWith('.gz')).length).toBeGreaterThan(1);
    const lines = (await readAll(log.path, { since: { sec: T0 + 4, nsec: 0 } })).map((l) => l.slice(7, -1));
    expect(lines).toEqual(Array.from({ length: 8 }, (_, i) => `line ${String(i + 4).padStart(3, '0')}`));
  });

  it('returns nothing for a container with no log yet', async () => {
    expect(await readAll(`${tmpDir()}/containers/${ID}/${ID}-json.log`)).toEqual([]);
  });

  it('follows across rotations and ends when the writer goes idle', async () => {
    const log = filled(2, { maxSize: 250, maxFile: 3, compress: true });
    const seen: string[] = [];
    const done = (async () => {
      for await (const batch of readEntries(log.path, { tail: 1, follow: true }, log)) for (const e of batch) seen.push(text(e));
    })();
    for (let i = 2; i < 40; i++) {
      log.append(entry(i));
      log.flush();
      await until(() => seen.length === i); // a follower that keeps up loses nothing across rotations
    }
    log.detachWriter();
    await done;
    expect(seen).toEqual(Array.from({ length: 39 }, (_, k) => text(fromLog(Buffer.from(`line ${String(k + 1).padStart(3, '0')}\n`), (k + 1) % 2 ? 'stderr' : 'stdout', 0, 0))));
  });

  it('drops files a lagging follower has not read once more than max-file are pinned, counting the loss', async () => {
    const log = filled(1, { maxSize: 100, maxFile: 2, compress: false });
    const lost: number[] = [];
    const stream = new LogStream(log.path, { follow: true, live: log, maxFiles: 2, onLost: (n) => lost.push(n) });
    const batches = stream.batches();
    const first = await batches.next();
    expect(first.value?.entries.map((e: StoredEntry) => logBytes(e).toString())).toEqual(['line 000\n']);
    // 2 lines per file: 10 more lines rotate 5 times while the follower is not reading.
    for (let i = 1; i <= 10; i++) {
      log.append(entry(i));
      log.flush();
    }
    log.detachWriter();
    const rest: string[] = [];
    for await (const b of { [Symbol.asyncIterator]: () => batches }) for (const e of b.entries) rest.push(logBytes(e).toString());
    expect(rest.length + lost.reduce((a, b) => a + b, 0)).toBe(10);
    expect(lost.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(rest.at(-1)).toBe('line 010\n');
  });

  it('ends a follow when the caller aborts, without leaking descriptors or listeners', async () => {
    const log = filled(3);
    const before = fs.readdirSync('/proc/self/fd').length;
    const controllers = Array.from({ length: 50 }, () => new AbortController());
    const counts = Array(50).fill(0);
    const runs = controllers.map(async (c, k) => {
      for await (const batch of readEntries(log.path, { tail: -1, follow: true }, log, c.signal)) counts[k] += batch.length;
      return counts[k];
    });
    await until(() => counts.every((n) => n === 3));
    expect(log.listenerCount('append')).toBe(50);
    for (const c of controllers) c.abort();
    expect(await Promise.all(runs)).toEqual(Array(50).fill(3));
    expect(log.listenerCount('append')).toBe(0);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('stream start positions', () => {
  it('seekEnd counts only the files that existed when the stream started, however late it is called', async () => {
    const log = openLog(tmpDir(), { maxSize: 100, maxFile: 10, compress: false });
    log.append(entry(0));
    log.flush();
    const stream = new LogStream(log.path, { follow: true, live: log });
    // Lines written (and rotated) after the stream started but before seekEnd ran.
    for (let i = 1; i <= 5; i++) {
      log.append(entry(i));
      log.flush();
    }
    await stream.seekEnd();
    log.detachWriter();
    const got: string[] = [];
    for await (const b of stream.batches()) for (const e of b.entries) got.push(logBytes(e).toString());
    expect(got).toEqual(['line 001\n', 'line 002\n', 'line 003\n', 'line 004\n', 'line 005\n']);
  });
});

describe('opening the store while another process rotates it', () => {
  it('keeps one segment per file even when a file is seen under two names', async () => {
    const log = openLog(tmpDir());
    log.append(entry(0));
    log.flush();
    // What a rotation between two opens looks like: the same inode as current and as .1.
    fs.linkSync(log.path, `${log.path}.1`);
    const segments = openSegments(log.path);
    expect(segments).toHaveLength(1);
    for (const s of segments) s.close();
    expect(await readAll(log.path)).toEqual(['stdout:line 000\n']);
  });
});
