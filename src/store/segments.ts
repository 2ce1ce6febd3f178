import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { parseRfc3339 } from '../go/time.js';
import { lastTimeOfGzip } from './gzip-with-last-time.js';

const gunzip = promisify(zlib.gunzip);
const read = promisify(fs.read);
const readFd = promisify((fd: number, cb: (err: NodeJS.ErrnoException | null, data: Buffer) => void) => fs.readFile(fd, cb));
export const CHUNK = 256 * 1024;

/**
 * One file of a container's store, opened when a reader started or when the
 * writer rotated: the descriptor pins the file across renames, compression and
 * deletion, so a reader never skips or repeats a file.
 */
export class Segment {
  private data: Buffer | undefined;
  private fingerprint: string | undefined;
  /**
   * Size when the reader started (the end of history); 0 for files opened later.
   * Compressed files never change, so their history is all of them.
   */
  historyEnd: number;
  /** True for the file the writer appends to; cleared when it is rotated away. */
  growing: boolean;
  /** Entries in the file when the writer told us (at rotation); undefined otherwise. */
  lines: number | undefined;
  /** Entries a stream has read from it. */
  consumed = 0;
  /** The writer's number for this file while it writes it (LiveLog.generation); undefined otherwise. */
  generation: number | undefined;
  /** Identifies the file whatever its name (the same file opened twice during a rotation). */
  readonly inode: number;

  constructor(
    private fd: number,
    readonly compressed: boolean,
    growing: boolean,
  ) {
    this.growing = growing;
    const stat = fs.fstatSync(fd);
    this.inode = stat.ino;
    this.historyEnd = compressed ? Infinity : stat.size;
  }

  static open(file: string, compressed: boolean, growing: boolean): Segment | undefined {
    try {
      return new Segment(fs.openSync(file, 'r'), compressed, growing);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Up to CHUNK bytes from `offset`, never past `limit`; empty at the end. */
  async readAt(offset: number, limit = Infinity): Promise<Buffer> {
    if (this.compressed) {
      const data = await this.content();
      return data.subarray(offset, Math.min(data.length, limit, offset + CHUNK * 4));
    }
    const want = Math.min(CHUNK, limit - offset);
    if (want <= 0) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await read(this.fd, buf, 0, want, offset);
    return buf.subarray(0, bytesRead);
  }

  /** Length of the history part (a compressed file is decompressed to know it). */
  async length(): Promise<number> {
    return this.compressed ? (await this.content()).length : this.historyEnd;
  }

  /**
   * Identity of the file for checkpoints: a hash of its first line, which holds a
   * nanosecond timestamp. It survives renames and compression, unlike inode numbers.
   */
  async id(): Promise<string | undefined> {
    if (this.fingerprint === undefined) {
      const head = await this.readAt(0, 64 * 1024);
      const nl = head.indexOf(0x0a);
      if (nl < 0) return undefined;
      this.fingerprint = createHash('sha1').update(head.subarray(0, nl)).digest('hex').slice(0, 20);
    }
    return this.fingerprint;
  }

  /** Whether a compressed file's recorded last entry is before `since`, so it can be skipped whole. */
  async endsBefore(since: { sec: number; nsec: number }): Promise<boolean> {
    if (!this.compressed) return false;
    const head = Buffer.alloc(512);
    const { bytesRead } = await read(this.fd, head, 0, head.length, 0);
    const lastTime = lastTimeOfGzip(head.subarray(0, bytesRead));
    if (lastTime === undefined) return false;
    try {
      const t = parseRfc3339(lastTime);
      return t.sec < since.sec || (t.sec === since.sec && t.nsec < since.nsec);
    } catch {
      return false;
    }
  }

  sizeOnDisk(): number {
    return this.fd >= 0 ? fs.fstatSync(this.fd).size : 0;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.data = undefined;
  }

  private async content(): Promise<Buffer> {
    if (this.data === undefined) this.data = await gunzip(await readFd(this.fd));
    return this.data;
  }
}

/**
 * Opens the store's files and returns them oldest first (`.N` … `.1`, then the current
 * file). They are opened newest first: when another process (dockerd, for the sidecar)
 * rotates meanwhile, a file is then opened twice under two names, never missed; the
 * duplicate is recognised by its inode and dropped. A file compressed between listing and
 * opening is opened under its `.gz` name.
 */
export function openSegments(currentPath: string): Segment[] {
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
  const newestFirst: Segment[] = [];
  const current = Segment.open(currentPath, false, true);
  if (current !== undefined) newestFirst.push(current);
  for (const index of [...rotated.keys()].sort((a, b) => a - b)) {
    const compressed = rotated.get(index)!;
    const name = `${currentPath}.${index}`;
    const seg = compressed ? Segment.open(`${name}.gz`, true, false) : Segment.open(name, false, false) ?? Segment.open(`${name}.gz`, true, false);
    if (seg === undefined) continue;
    if (newestFirst.some((s) => s.inode === seg.inode)) seg.close();
    else newestFirst.push(seg);
  }
  return newestFirst.reverse();
}

/** Counts complete lines in `seg` from `offset` to its end. */
export async function countLines(seg: Segment, offset: number): Promise<number> {
  let lines = 0;
  for (let pos = offset; ; ) {
    const chunk = await seg.readAt(pos);
    if (chunk.length === 0) return lines;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    pos += chunk.length;
  }
}

/**
 * Where the last `n` lines before `end` start in `seg`, scanning backwards;
 * or, when the file has fewer, how many it has.
 */
export async function lineStartFromEnd(seg: Segment, end: number, n: number): Promise<{ offset?: number; lines: number }> {
  let newlines = 0;
  let pos = end;
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const block = await seg.readAt(from, pos);
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
