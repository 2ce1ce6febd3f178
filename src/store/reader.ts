import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { ContainerLog } from './container-log.js';
import { parseRfc3339 } from './go-time.js';
import { lastTimeOfGzip } from './gzip-with-last-time.js';
import { parseStoredLine, type StoredEntry } from './stored-entry.js';

const gunzip = promisify(zlib.gunzip);
const read = promisify(fs.read);
const CHUNK = 256 * 1024;

export interface Instant {
  sec: number;
  nsec: number;
}

export interface ReadOptions {
  /** Entries at or after this time (Docker's Since). */
  since?: Instant | undefined;
  /** Entries at or before this time; the first later entry ends the read (Docker's Until). */
  until?: Instant | undefined;
  /** Entries from the end; negative = all, 0 = none of the history. */
  tail: number;
  /** Keep reading new entries while `live` has a writer. */
  follow: boolean;
}

/** One file of the store as the reader saw it when it started; `fd` pins it across renames. */
interface Segment {
  fd: number;
  compressed: boolean;
  /** Decompressed content of a .gz file, loaded on first use. */
  data?: Buffer;
  /** Size when the read started: the end of history. */
  historyEnd: number;
  /** True for the file the writer appends to; cleared when it is rotated away. */
  growing: boolean;
}

/**
 * Reads a container's json-file store oldest to newest across rotated and
 * compressed files, in batches, applying tail then since/until like Docker
 * (spec §6.7), and with `follow` keeps going until the writer goes idle or the
 * caller stops iterating. Files are opened synchronously at the start and on each
 * rotation event, so no rename can make it skip or repeat a file.
 */
export async function* readEntries(
  currentPath: string,
  options: ReadOptions,
  live?: ContainerLog,
  signal?: AbortSignal,
): AsyncGenerator<StoredEntry[]> {
  const follow = options.follow && live?.live === true;
  const segments = snapshot(currentPath);
  let wake: (() => void) | undefined;
  let dirty = false;
  let idle = false;
  const onAppend = (): void => {
    dirty = true;
    wake?.();
  };
  const onRotate = (): void => {
    const last = segments[segments.length - 1];
    if (last !== undefined) last.growing = false;
    const fd = openIfPresent(currentPath);
    if (fd !== undefined) segments.push({ fd, compressed: false, historyEnd: 0, growing: true });
    onAppend();
  };
  const onIdle = (): void => {
    idle = true;
    onAppend();
  };
  if (follow) {
    live!.on('append', onAppend).on('rotate', onRotate).on('idle', onIdle);
    signal?.addEventListener('abort', onAppend);
  }
  try {
    const start = await tailStart(segments, options.tail);
    let segIndex = start.segment;
    let offset = start.offset;
    const since = options.since;
    const until = options.until;
    while (segIndex < segments.length && signal?.aborted !== true) {
      const seg = segments[segIndex]!;
      const skip = since !== undefined && seg.compressed && (await olderThan(seg, since));
      const limit = follow ? Infinity : seg.historyEnd;
      let leftover: Buffer | undefined;
      while (!skip) {
        const chunk = await readChunk(seg, offset, limit);
        if (chunk.length === 0) break;
        offset += chunk.length;
        const { entries, rest } = splitLines(leftover === undefined ? chunk : Buffer.concat([leftover, chunk]));
        leftover = rest;
        const batch: StoredEntry[] = [];
        for (const entry of entries) {
          if (since !== undefined && before(entry, since)) continue;
          if (until !== undefined && before(until, entry)) {
            if (batch.length > 0) yield batch;
            return;
          }
          batch.push(entry);
        }
        if (batch.length > 0) yield batch;
      }
      // A line cut by a failed write is completed by the next one: read it again then.
      if (leftover !== undefined) offset -= leftover.length;
      const isLast = segIndex === segments.length - 1;
      if (follow && isLast && seg.growing && !idle) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        dirty = false;
        continue;
      }
      if (follow && isLast && seg.growing && idle && dirty) {
        dirty = false;
        continue; // one last pass after the writer went idle
      }
      segIndex++;
      offset = 0;
    }
  } finally {
    if (follow) {
      live!.off('append', onAppend).off('rotate', onRotate).off('idle', onIdle);
      signal?.removeEventListener('abort', onAppend);
    }
    for (const seg of segments) fs.closeSync(seg.fd);
  }
}

function before(a: Instant, b: Instant): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
}

/** Rotated files oldest first (`.N` … `.1`), then the current file. */
function snapshot(currentPath: string): Segment[] {
  const dir = path.dirname(currentPath);
  const base = path.basename(currentPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    names = [];
  }
  const rotated = new Map<number, boolean>();
  for (const name of names) {
    if (!name.startsWith(base + '.')) continue;
    const m = /^(\d+)(\.gz)?$/.exec(name.slice(base.length + 1));
    if (m === null) continue;
    const index = Number(m[1]);
    // A crash mid-compression can leave both: the uncompressed one is complete.
    if (!rotated.has(index) || m[2] === undefined) rotated.set(index, m[2] !== undefined);
  }
  const segments: Segment[] = [];
  for (const index of [...rotated.keys()].sort((a, b) => b - a)) {
    const compressed = rotated.get(index)!;
    const fd = openIfPresent(`${currentPath}.${index}${compressed ? '.gz' : ''}`);
    if (fd !== undefined) segments.push({ fd, compressed, historyEnd: compressed ? 0 : fs.fstatSync(fd).size, growing: false });
  }
  const fd = openIfPresent(currentPath);
  if (fd !== undefined) segments.push({ fd, compressed: false, historyEnd: fs.fstatSync(fd).size, growing: true });
  return segments;
}

function openIfPresent(file: string): number | undefined {
  try {
    return fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function load(seg: Segment): Promise<Buffer> {
  if (seg.data === undefined) {
    const raw = await promisify(fs.readFile)(seg.fd);
    seg.data = await gunzip(raw);
    seg.historyEnd = seg.data.length;
  }
  return seg.data;
}

async function olderThan(seg: Segment, since: Instant): Promise<boolean> {
  const head = Buffer.alloc(512);
  const { bytesRead } = await read(seg.fd, head, 0, head.length, 0);
  const lastTime = lastTimeOfGzip(head.subarray(0, bytesRead));
  if (lastTime === undefined) return false;
  try {
    return before(parseRfc3339(lastTime), since);
  } catch {
    return false;
  }
}

async function readChunk(seg: Segment, offset: number, limit: number): Promise<Buffer> {
  if (seg.compressed) {
    const data = await load(seg);
    return data.subarray(offset, Math.min(data.length, offset + CHUNK * 4));
  }
  const want = Math.min(CHUNK, limit - offset);
  if (want <= 0) return Buffer.alloc(0);
  const buf = Buffer.allocUnsafe(want);
  const { bytesRead } = await read(seg.fd, buf, 0, want, offset);
  return buf.subarray(0, bytesRead);
}

function splitLines(buf: Buffer): { entries: StoredEntry[]; rest: Buffer | undefined } {
  const entries: StoredEntry[] = [];
  let start = 0;
  for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
    const entry = parseStoredLine(buf.toString('utf8', start, nl));
    if (entry !== undefined) entries.push(entry);
    start = nl + 1;
  }
  return { entries, rest: start < buf.length ? Buffer.from(buf.subarray(start)) : undefined };
}

/** Where the last `tail` entries of the history start. */
async function tailStart(segments: Segment[], tail: number): Promise<{ segment: number; offset: number }> {
  if (tail < 0) return { segment: 0, offset: 0 };
  let need = tail;
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    const end = seg.compressed ? (await load(seg)).length : seg.historyEnd;
    if (need === 0) return { segment: i, offset: end };
    const found = await findLineStartFromEnd(seg, end, need);
    if (found.offset !== undefined) return { segment: i, offset: found.offset };
    need -= found.lines;
  }
  return { segment: 0, offset: 0 };
}

/** Scans backwards for the start of the `n`-th line before `end`; otherwise reports how many lines the file has. */
async function findLineStartFromEnd(seg: Segment, end: number, n: number): Promise<{ offset?: number; lines: number }> {
  let newlines = 0;
  let pos = end;
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const block = seg.compressed
      ? seg.data!.subarray(from, pos)
      : (await (async () => {
          const b = Buffer.allocUnsafe(pos - from);
          const { bytesRead } = await read(seg.fd, b, 0, pos - from, from);
          return b.subarray(0, bytesRead);
        })());
    for (let i = block.length - 1; i >= 0; i--) {
      if (block[i] !== 0x0a) continue;
      const at = from + i;
      if (at === end - 1) continue; // the newline ending the last line
      newlines++;
      if (newlines === n) return { offset: at + 1, lines: n };
    }
    pos = from;
  }
  return { lines: end > 0 ? newlines + 1 : 0 };
}
