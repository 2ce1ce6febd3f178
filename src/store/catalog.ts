// The containers a store knows: each directory under <root>/containers with its saved
// StartLogging Info (name, image, labels; never the log options, which can hold sink
// secrets) and, on request, its size on disk and the times of its first and last entry.
// Used by the daemon's CLI API and by the CLI itself when no daemon answers.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { bareName } from '../util/docker-names.js';
import { loadInfo } from './container-info-file.js';
import { formatRfc3339Nano } from '../go/time.js';
import { lastTimeOfGzip } from './gzip-with-last-time.js';
import { parseJsonFileLine } from './json-line-parser.js';
import { containerDir, currentLogPath, storedContainers } from './layout.js';
import { parseStoredLine } from './stored-entry.js';

export interface ContainerSummary {
  id: string;
  /** Without the leading `/`; '' when the store has no Info for it. */
  name: string;
  image: string;
  /** RFC 3339, as dockerd sent it. */
  created: string;
  labels: Record<string, string>;
  /** With details: bytes of its log files on disk (rotated and compressed ones included). */
  size?: number;
  /** With details: RFC 3339 times of the oldest and newest stored entry. */
  first?: string;
  last?: string;
}

export async function listContainers(root: string, details: boolean): Promise<ContainerSummary[]> {
  const out: ContainerSummary[] = [];
  for (const id of storedContainers(root)) {
    const info = loadInfo(root, id);
    const summary: ContainerSummary = {
      id,
      name: bareName(info?.ContainerName ?? ''),
      image: info?.ContainerImageName ?? '',
      created: info?.ContainerCreated ?? '',
      labels: info?.ContainerLabels ?? {},
    };
    if (details) Object.assign(summary, await storeDetails(root, id));
    out.push(summary);
  }
  return out;
}

interface LogFile {
  file: string;
  gz: boolean;
  size: number;
}

/** The log files, oldest first (`.N[.gz]` … `.1`, then the current one). */
function logFiles(root: string, id: string): LogFile[] {
  const current = currentLogPath(root, id);
  const base = path.basename(current);
  const rotated: { index: number; name: string; gz: boolean }[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(containerDir(root, id));
  } catch {
    return [];
  }
  for (const name of names) {
    const m = /^\.(\d+)(\.gz)?$/.exec(name.slice(base.length));
    if (name.startsWith(base) && m !== null) rotated.push({ index: Number(m[1]), name, gz: m[2] !== undefined });
  }
  rotated.sort((a, b) => b.index - a.index);
  const files = [...rotated.map((r) => ({ file: path.join(path.dirname(current), r.name), gz: r.gz })), ...(names.includes(base) ? [{ file: current, gz: false }] : [])];
  const out: LogFile[] = [];
  for (const f of files) {
    try {
      out.push({ ...f, size: fs.statSync(f.file).size });
    } catch {
      // rotated away while listing
    }
  }
  return out;
}

async function storeDetails(root: string, id: string): Promise<Pick<ContainerSummary, 'size' | 'first' | 'last'>> {
  const files = logFiles(root, id);
  const size = files.reduce((n, f) => n + f.size, 0);
  let first: string | undefined;
  for (const f of files) {
    first = f.gz ? await firstTimeOfGzip(f.file) : firstTimeOfFile(f.file);
    if (first !== undefined) break;
  }
  let last: string | undefined;
  for (const f of [...files].reverse()) {
    last = f.gz ? lastTimeOfGzipFile(f.file) : lastTimeOfFile(f.file, f.size);
    if (last !== undefined) break;
  }
  return { size, first, last };
}

function timeOfLine(buf: Buffer, start: number, end: number): string | undefined {
  const e = parseJsonFileLine(buf, start, end) ?? parseStoredLine(buf.toString('utf8', start, end));
  return e === undefined ? undefined : formatRfc3339Nano(e.sec, e.nsec);
}

function readAt(file: string, position: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    return buf.subarray(0, fs.readSync(fd, buf, 0, length, position));
  } catch {
    return Buffer.alloc(0);
  } finally {
    fs.closeSync(fd);
  }
}

const MAX_LINE = 1 << 20;

function firstTimeOfFile(file: string): string | undefined {
  try {
    const head = readAt(file, 0, MAX_LINE);
    const nl = head.indexOf(0x0a);
    return nl < 0 ? undefined : timeOfLine(head, 0, nl);
  } catch {
    return undefined;
  }
}

function lastTimeOfFile(file: string, size: number): string | undefined {
  try {
    const from = Math.max(0, size - MAX_LINE);
    const tail = readAt(file, from, size - from);
    let end = tail.lastIndexOf(0x0a);
    if (end < 0) return undefined;
    // The line before the last newline: from the previous newline (or the file start).
    const start = tail.lastIndexOf(0x0a, end - 1) + 1;
    if (start === 0 && from > 0) return undefined;
    return timeOfLine(tail, start, end);
  } catch {
    return undefined;
  }
}

/** Rotated files record their last entry's time in the gzip header (docs/docker-compat.md §6.6). */
function lastTimeOfGzipFile(file: string): string | undefined {
  try {
    return lastTimeOfGzip(readAt(file, 0, 512));
  } catch {
    return undefined;
  }
}

/** Decompresses only as much as the first line needs. */
function firstTimeOfGzip(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const input = fs.createReadStream(file);
    const gunzip = zlib.createGunzip();
    const finish = (value: string | undefined): void => {
      input.destroy();
      gunzip.destroy();
      resolve(value);
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const data = Buffer.concat(chunks);
      const nl = data.indexOf(0x0a);
      if (nl >= 0) finish(timeOfLine(data, 0, nl));
      else if (length > MAX_LINE) finish(undefined);
    });
    gunzip.on('end', () => finish(undefined));
    gunzip.on('error', () => finish(undefined));
    input.on('error', () => finish(undefined));
    input.pipe(gunzip);
  });
}
