import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../../src/codec/log-entry.js';
import { ContainerLog } from '../../../src/store/container-log.js';
import { LogStream, type StreamBatch } from '../../../src/store/log-stream.js';
import { type FreshBatch, RECENT_MAX_ENTRIES, RECENT_MS, RecentEntries } from '../../../src/store/recent-entries.js';
import { Segment } from '../../../src/store/segments.js';
import { tmpDir } from '../../helpers/tmp.js';
import { silentLogger } from '../../../src/util/log.js';

// Followers that are caught up take what the writer just wrote from memory; whatever
// path an entry takes, a follower must see exactly what reading the file gives.

const ID = 'e'.repeat(64);
const T0 = 1795896100;

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function batch(generation: number, start: number, n: number): FreshBatch {
  const entries = Array.from({ length: n }, (_, i) => ({ line: Buffer.from(`l${i}`), newline: true, source: 'stdout', sec: T0, nsec: i }));
  return { generation, start, end: start + n * 10, entries, ends: entries.map((_, i) => start + (i + 1) * 10), invalid: [] };
}

describe('RecentEntries', () => {
  it('finds a batch only by its exact file and start offset', () => {
    const r = new RecentEntries();
    const a = batch(1, 0, 3);
    const b = batch(1, 30, 2);
    const c = batch(2, 0, 1);
    for (const x of [a, b, c]) r.push(x);
    expect(r.at(1, 0)).toBe(a);
    expect(r.at(1, 30)).toBe(b);
    expect(r.at(2, 0)).toBe(c);
    expect(r.at(1, 10)).toBeUndefined();
    expect(r.at(1, 50)).toBeUndefined();
    expect(r.at(3, 0)).toBeUndefined();
    r.clear();
  });

  it(`keeps at most ${RECENT_MAX_ENTRIES} entries and nothing older than ${RECENT_MS} ms`, () => {
    let now = 1_000;
    const r = new RecentEntries(() => now);
    const first = batch(1, 0, RECENT_MAX_ENTRIES - 10);
    r.push(first);
    r.push(batch(1, first.end, 20));
    expect(r.at(1, 0), 'the oldest batch went over the count').toBeUndefined();
    expect(r.at(1, first.end)).toBeDefined();
    now += RECENT_MS + 1;
    r.push(batch(1, first.end + 200, 1));
    expect(r.at(1, first.end), 'too old').toBeUndefined();
    expect(r.at(1, first.end + 200)).toBeDefined();
    r.clear();
  });

  it('lets go of an idle container\'s batches by itself', async () => {
    const r = new RecentEntries();
    r.push(batch(1, 0, 1));
    await vi.waitFor(() => expect(r.at(1, 0)).toBeUndefined(), { timeout: 4 * RECENT_MS });
  });
});

function entryOf(i: number, over: Partial<LogEntry> = {}): LogEntry {
  return { source: i % 3 === 0 ? 'stderr' : 'stdout', sec: T0 + Math.floor(i / 100), nsec: (i * 7919) % 1e9, line: Buffer.from(`line ${i}`), partial: false, meta: undefined, ...over };
}

/** Entries of every kind json-file has: partial chunks, empty lines, bad UTF-8, U+2028, control bytes. */
function workload(n: number, seed = 7): LogEntry[] {
  let s = seed;
  const rand = (k: number): number => {
    s = (Math.imul(s ^ (s >>> 13), 0x5bd1e995) + 0x6b43a9b5) >>> 0;
    return s % k;
  };
  const out: LogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rand(10);
    if (kind === 0) out.push(entryOf(i, { line: Buffer.from(`bad \xff\xfe utf8 \xe2\x82 ${i}`, 'latin1') }));
    else if (kind === 1) out.push(entryOf(i, { line: Buffer.alloc(0) }));
    else if (kind === 2) out.push(entryOf(i, { line: Buffer.from(`sep \u2028 tab\t "q" \x01 ${i}`) }));
    else if (kind === 3) out.push(entryOf(i, { line: Buffer.alloc(300, 0x61), partial: true, meta: { last: false, id: 'p', ordinal: 1 } }));
    else out.push(entryOf(i));
  }
  return out;
}

interface Seen {
  entries: string[];
  ends: number[];
  positions: string[];
}

function record(b: StreamBatch, into: Seen): void {
  for (const e of b.entries) into.entries.push(JSON.stringify([e.line.toString('hex'), e.newline, e.source, e.sec, e.nsec]));
  into.ends.push(...b.ends);
  into.positions.push(`${b.position.file}@${b.position.offset}`);
}

async function follow(stream: LogStream, into: Seen): Promise<void> {
  for await (const b of stream.batches()) record(b, into);
}

describe('following from the writer\'s memory', () => {
  it('gives every caught-up follower the same entry objects, without reading the file', async () => {
    const root = tmpDir();
    const log = new ContainerLog(root, ID, { maxSize: Infinity, maxFile: 1, compress: false }, undefined, silentLogger);
    log.attachWriter();
    const a = new LogStream(log.path, { follow: true, live: log });
    const b = new LogStream(log.path, { follow: true, live: log });
    // What the followers read from the file, besides its first line (the fingerprint checkpoints name it by).
    const entriesRead: number[] = [];
    const readAt = Segment.prototype.readAt;
    vi.spyOn(Segment.prototype, 'readAt').mockImplementation(async function (this: Segment, offset: number, limit?: number) {
      const data = await readAt.call(this, offset, limit);
      if (!(offset === 0 && limit === 64 * 1024)) entriesRead.push(data.length);
      return data;
    });
    const batchesA: StreamBatch[] = [];
    const batchesB: StreamBatch[] = [];
    const runA = (async () => { for await (const x of a.batches()) batchesA.push(x); })();
    const runB = (async () => { for await (const x of b.batches()) batchesB.push(x); })();
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < 100; i++) log.append(entryOf(k * 100 + i));
      log.flush();
      await vi.waitFor(() => expect(batchesA.length + batchesB.length).toBe(2 * (k + 1)));
    }
    log.detachWriter();
    await Promise.all([runA, runB]);
    expect(batchesA.map((x) => x.entries.length)).toEqual([100, 100, 100, 100, 100]);
    for (let k = 0; k < 5; k++) expect(batchesA[k]!.entries, `batch ${k} shared`).toBe(batchesB[k]!.entries);
    // No look at the file's end while the writer says where it is; one each once it closed the file.
    expect(entriesRead).toEqual([0, 0]);
  });

  for (const invalidAsByte of [false, true]) {
    it(`sees exactly what the file holds, across rotations and lagging (invalid UTF-8 as ${invalidAsByte ? '0xFF' : 'U+FFFD'})`, async () => {
      const root = tmpDir();
      const log = new ContainerLog(root, ID, { maxSize: 20_000, maxFile: 50, compress: false }, undefined, silentLogger);
      log.attachWriter();
      const caughtUp: Seen = { entries: [], ends: [], positions: [] };
      const lagging: Seen = { entries: [], ends: [], positions: [] };
      const fast = new LogStream(log.path, { follow: true, live: log, invalidAsByte });
      const slow = new LogStream(log.path, { follow: true, live: log, invalidAsByte });
      const runFast = follow(fast, caughtUp);
      // The slow one stops after each batch for a while: it reads from the file once it is too far behind.
      const runSlow = (async () => {
        for await (const b of slow.batches()) {
          record(b, lagging);
          if (lagging.positions.length % 3 === 0) await new Promise((r) => setTimeout(r, RECENT_MS + 20));
        }
      })();
      const all = workload(6000);
      for (let i = 0; i < all.length; i += 150) {
        for (const e of all.slice(i, i + 150)) log.append(e);
        log.flush();
        await new Promise((r) => setImmediate(r));
      }
      log.detachWriter();
      await Promise.all([runFast, runSlow]);
      // Rotation kept every file (max-file 50): the store from disk is the reference.
      const files = fs.readdirSync(`${root}/containers/${ID}`).filter((f) => f.includes('-json.log'));
      expect(files.length).toBeGreaterThan(10);
      const expected: Seen = { entries: [], ends: [], positions: [] };
      const stream = new LogStream(log.path, { follow: false, invalidAsByte });
      for await (const b of stream.batches()) record(b, expected);
      expect(caughtUp.entries.length).toBe(6000);
      expect(caughtUp.entries).toEqual(expected.entries);
      expect(lagging.entries).toEqual(expected.entries);
      expect(caughtUp.ends).toEqual(expected.ends);
      expect(lagging.ends).toEqual(expected.ends);
      // Each batch's checkpoint names a file the disk reader also names, at an entry boundary.
      const boundaries = new Set(expected.ends.map(String));
      for (const p of [...caughtUp.positions, ...lagging.positions]) expect(boundaries.has(p.split('@')[1]!)).toBe(true);
    });
  }

  it('reads from the file what a failed write kept back', async () => {
    const root = tmpDir();
    const log = new ContainerLog(root, ID, { maxSize: Infinity, maxFile: 1, compress: false }, undefined, silentLogger);
    log.attachWriter();
    const seen: Seen = { entries: [], ends: [], positions: [] };
    const stream = new LogStream(log.path, { follow: true, live: log });
    const run = follow(stream, seen);
    log.append(entryOf(0));
    log.flush();
    await vi.waitFor(() => expect(seen.entries).toHaveLength(1));
    const file = (log as unknown as { file: { fd: number } }).file;
    const writable = file.fd;
    file.fd = fs.openSync(log.path, 'r');
    log.append(entryOf(1));
    expect(log.flush()).toBe(false);
    fs.closeSync(file.fd);
    file.fd = writable;
    log.append(entryOf(2));
    expect(log.flush()).toBe(true);
    log.append(entryOf(3));
    log.flush();
    log.detachWriter();
    await run;
    expect(seen.entries.map((e) => Buffer.from(JSON.parse(e)[0] as string, 'hex').toString())).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
    expect(seen.ends.at(-1)).toBe(fs.statSync(log.path).size);
  });
});

describe('following a file something else appended to', () => {
  it('reads up to the size on disk, not up to the writer\'s own count, whether or not the follower was caught up', () => {
    const root = tmpDir();
    const log = new ContainerLog(root, ID, { maxSize: Infinity, maxFile: 1, compress: false }, undefined, silentLogger);
    log.attachWriter();
    for (let i = 0; i < 3; i++) log.append(entryOf(i));
    log.flush();
    fs.appendFileSync(log.path, 'not json\n');
    for (let i = 3; i < 6; i++) log.append(entryOf(i));
    log.flush(); // no reader has said it is caught up: nothing is kept in memory
    expect(log.writtenSize(log.generation!)).toBe(fs.statSync(log.path).size);
    log.detachWriter();
  });
});
