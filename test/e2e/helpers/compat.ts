// Helpers for the json-file compatibility tests: run one workload under json-file and
// under the tslogs plugin, read both stores (rotated and compressed files included), and
// compute what `docker logs` must print from a store's entries (docs/docker-compat.md §6.7, §8).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  PLUGIN_NAME,
  dockerJsonFileFor,
  runContainerFull,
  storeFileFor,
  waitFor,
  type RunOptions,
} from './docker.js';

export type DriverKind = 'json-file' | 'tslogs';

/** One line of a json-file store, parsed; `raw` is the line's bytes without `\n`. */
export interface Entry {
  raw: Buffer;
  log: Buffer;
  stream: string;
  time: string;
  attrs: Record<string, string> | undefined;
}

// ---------------------------------------------------------------------------------------
// Reading stores

/** The files of a json-file store for one container: `<id>-json.log`, `.1`, `.2.gz`, … (names only). */
export async function storeFileNames(currentPath: string): Promise<string[]> {
  const base = path.basename(currentPath);
  let names: string[];
  try {
    names = await readdir(path.dirname(currentPath));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => n === base || n.startsWith(`${base}.`)).sort();
}

/** The files of a store oldest first (`.N[.gz]` … `.1[.gz]`, then the current file), with their decompressed contents. */
export async function readStoreFiles(currentPath: string): Promise<Array<{ name: string; content: Buffer; gz: Buffer | undefined }>> {
  const base = path.basename(currentPath);
  const dir = path.dirname(currentPath);
  const names = await storeFileNames(currentPath);
  const rotated = names
    .map((n) => ({ n, m: /^\.(\d+)(\.gz)?$/.exec(n.slice(base.length)) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(b.m[1]) - Number(a.m[1]));
  const out: Array<{ name: string; content: Buffer; gz: Buffer | undefined }> = [];
  for (const { n, m } of rotated) {
    const data = await readFile(path.join(dir, n)).catch(() => undefined);
    if (data === undefined) continue; // renamed or deleted while listing
    if (m[2] !== undefined) out.push({ name: n, content: gunzipSync(data), gz: data });
    else out.push({ name: n, content: data, gz: undefined });
  }
  if (names.includes(base)) out.push({ name: base, content: await readFile(currentPath), gz: undefined });
  return out;
}

/** All lines of a store, oldest file first. */
export async function readStore(currentPath: string): Promise<Buffer> {
  return Buffer.concat((await readStoreFiles(currentPath)).map((f) => f.content));
}

export function countLines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Splits store bytes into entries; every line must be a complete json-file object. */
export function parseEntries(content: Buffer): Entry[] {
  const out: Entry[] = [];
  let start = 0;
  for (let nl = content.indexOf(0x0a); nl !== -1; nl = content.indexOf(0x0a, start)) {
    const raw = content.subarray(start, nl);
    start = nl + 1;
    const o = JSON.parse(raw.toString('utf8')) as { log?: string; stream: string; time: string; attrs?: Record<string, string> };
    out.push({ raw, log: Buffer.from(o.log ?? '', 'utf8'), stream: o.stream, time: o.time, attrs: o.attrs });
  }
  if (start !== content.length) throw new Error(`store ends with an unterminated line: ${JSON.stringify(content.subarray(start, start + 200).toString('latin1'))}`);
  return out;
}

/** Store lines with the `time` value replaced (and optional per-container strings substituted). */
export function maskTimes(content: Buffer, substitutions: Array<[string, string]> = []): string {
  let s = content.toString('latin1').replace(/"time":"[^"]*"/g, '"time":"<T>"');
  for (const [from, to] of substitutions) s = s.split(from).join(to);
  return s;
}

// ---------------------------------------------------------------------------------------
// Time

const RFC3339_STORE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

/** A store `time` (trailing zeros trimmed) as `docker logs -t` prints it: 9 fraction digits. */
export function nineDigits(time: string): string {
  const m = RFC3339_STORE.exec(time);
  if (!m) throw new Error(`not a json-file time: ${JSON.stringify(time)}`);
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Whether a store time is exactly in json-file's format (no trailing zero in the fraction). */
export function isStoreTime(time: string): boolean {
  const m = RFC3339_STORE.exec(time);
  return m !== null && (m[2] === undefined || !m[2].endsWith('0'));
}

/** Sortable form (fixed width) for comparisons. */
function key(time: string): string {
  return nineDigits(time);
}

/** A timestamp as printed by `docker logs -t`, anchored, followed by a space. */
export const PRINTED_TS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /g;

/** Replaces every printed timestamp (`…Z `) by `<TS> `. */
export function maskPrinted(b: Buffer): string {
  return b.toString('latin1').replace(PRINTED_TS, '<TS> ');
}

// ---------------------------------------------------------------------------------------
// What `docker logs` prints (docs/docker-compat.md §6.7, §8, §4.8)

export interface ReadSpec {
  tail?: number;
  since?: string;
  until?: string;
  timestamps?: boolean;
  /** --details: 'attrs' prints the entry's attrs (json-file), 'empty' only the separating space (plugins). */
  details?: 'attrs' | 'empty';
}

/** Go's url.QueryEscape. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The `--details` prefix of json-file: attrs sorted by key, `k=v` query-escaped, joined by `,`. */
export function detailsPrefix(attrs: Record<string, string> | undefined): string {
  return Object.keys(attrs ?? {})
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(attrs![k]!)}`)
    .join(',');
}

/** Docker's reader on a list of entries: tail first, then skip `< since`, stop at the first `> until`. */
export function select(entries: readonly Entry[], spec: ReadSpec): Entry[] {
  const tail = spec.tail ?? -1;
  const list = tail < 0 ? entries : tail === 0 ? [] : entries.slice(Math.max(0, entries.length - tail));
  const out: Entry[] = [];
  for (const e of list) {
    if (spec.since !== undefined && key(e.time) < key(spec.since)) continue;
    if (spec.until !== undefined && key(e.time) > key(spec.until)) break;
    out.push(e);
  }
  return out;
}

/** Expected `docker logs` stdout/stderr for these entries. */
export function render(entries: readonly Entry[], spec: ReadSpec): { stdout: Buffer; stderr: Buffer } {
  const parts: Record<string, Buffer[]> = { stdout: [], stderr: [] };
  for (const e of select(entries, spec)) {
    const target = parts[e.stream];
    if (target === undefined) continue;
    if (spec.timestamps) target.push(Buffer.from(`${nineDigits(e.time)} `));
    if (spec.details === 'attrs') target.push(Buffer.from(`${detailsPrefix(e.attrs)} `));
    if (spec.details === 'empty') target.push(Buffer.from(' '));
    target.push(e.log);
  }
  return { stdout: Buffer.concat(parts.stdout!), stderr: Buffer.concat(parts.stderr!) };
}

/** The docker logs flags for a ReadSpec (details aside, which needs --details). */
export function flagsFor(spec: ReadSpec): string[] {
  const f: string[] = [];
  if (spec.timestamps) f.push('--timestamps');
  if (spec.details !== undefined) f.push('--details');
  if (spec.tail !== undefined) f.push('--tail', String(spec.tail));
  if (spec.since !== undefined) f.push('--since', spec.since);
  if (spec.until !== undefined) f.push('--until', spec.until);
  return f;
}

// ---------------------------------------------------------------------------------------
// Byte comparison with a readable report

function snippet(b: Buffer, at: number): string {
  return JSON.stringify(b.subarray(Math.max(0, at - 40), at + 60).toString('latin1'));
}

/** undefined when equal, else a short description of the first difference. */
export function byteDiff(actual: Buffer | string, expected: Buffer | string): string | undefined {
  const a = typeof actual === 'string' ? Buffer.from(actual, 'latin1') : actual;
  const e = typeof expected === 'string' ? Buffer.from(expected, 'latin1') : expected;
  if (a.equals(e)) return undefined;
  let i = 0;
  const n = Math.min(a.length, e.length);
  while (i < n && a[i] === e[i]) i++;
  const line = countLines(a.subarray(0, i)) + 1;
  return (
    `lengths actual=${a.length} expected=${e.length}; first difference at byte ${i} (line ${line}):\n` +
    `  actual:   ${snippet(a, i)}\n  expected: ${snippet(e, i)}`
  );
}

// ---------------------------------------------------------------------------------------
// Running a workload under both drivers

export interface DriverRun {
  driver: DriverKind;
  id: string;
  name: string;
  exitCode: number | undefined;
  /** Path of the current store file (LogPath for json-file, the plugin store otherwise). */
  file: string;
}

export function driverName(kind: DriverKind): string {
  return kind === 'json-file' ? 'json-file' : PLUGIN_NAME;
}

/** Runs a container with `driver`; `detach` returns once started. */
export async function runWith(kind: DriverKind, opts: Omit<RunOptions, 'driver'>): Promise<DriverRun> {
  const r = await runContainerFull({ ...opts, driver: driverName(kind) });
  const file = kind === 'json-file' ? await dockerJsonFileFor(r.id) : storeFileFor(r.id);
  return { driver: kind, ...r, file };
}

/**
 * Waits until the tslogs store holds `want` lines (dockerd's `docker wait` returns before
 * the plugin has written everything), then checks that no more arrive for a moment.
 */
export async function waitForStoreLines(file: string, want: number, timeoutMs = 90_000): Promise<number> {
  let last = -1;
  try {
    await waitFor(
      async () => {
        last = countLines(await readStore(file));
        return last >= want;
      },
      { timeoutMs, intervalMs: 100, what: `${want} lines in ${file}` },
    );
  } catch {
    throw new Error(`tslogs store ${file} has ${last} lines after ${timeoutMs} ms; json-file has ${want}`);
  }
  await new Promise((r) => setTimeout(r, 300));
  return countLines(await readStore(file));
}

/** Runs a semaphore-limited task. */
export function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (task) => {
    if (active >= max) await new Promise<void>((r) => queue.push(r));
    else active++;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next(); // the slot passes to the next task
      else active--;
    }
  };
}
