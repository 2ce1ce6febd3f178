// Helpers for the Splunk conformance tests and the Splunk benchmark: run a container with
// Docker's built-in `splunk` driver or with tslogs (same --log-opts) to a HecReceiver on
// loopback, model the messages dockerd hands to the driver, and normalise the events of
// both sides for a byte comparison (docs/docker-compat.md §2.3, §12).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HecReceiver, HecRequest } from '../../helpers/hec-receiver.js';
import { PLUGIN_NAME, STORE_ROOT, runContainerFull, waitFor, type RunOptions, type RunResult } from './docker.js';

export type SplunkDriver = 'splunk' | 'tslogs';
export const EVENT_PATH = '/services/collector/event/1.0';
/** dockerd's copier splits lines longer than this into partial messages (docs/docker-compat.md §2.3). */
export const PARTIAL_SIZE = 16384;

export function driverArg(d: SplunkDriver): string {
  return d === 'splunk' ? 'splunk' : PLUGIN_NAME;
}

// ---------------------------------------------------------------------------------------
// The CA file for splunk-capath
//
// dockerd reads splunk-capath on the host; the managed plugin reads it inside its own
// rootfs, where only the store directory is mounted (plugin/config.json: host
// /var/lib/tslogs -> /var/lib/tslogs). A CA placed under the store directory has the same
// path for both when the store is at its default place.

const PLUGIN_STORE_DIR = '/var/lib/tslogs';

export interface CaPaths {
  /** Path for Docker's driver (host). */
  host: string;
  /** The same file as the plugin sees it. */
  plugin: string;
  remove(): void;
}

export function placeCaForBoth(caPem: string): CaPaths {
  const dirName = `splunk-e2e-ca-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const hostDir = path.join(STORE_ROOT, dirName);
  mkdirSync(hostDir, { recursive: true });
  writeFileSync(path.join(hostDir, 'ca.pem'), caPem);
  return {
    host: path.join(hostDir, 'ca.pem'),
    plugin: path.posix.join(PLUGIN_STORE_DIR, dirName, 'ca.pem'),
    remove: () => rmSync(hostDir, { recursive: true, force: true }),
  };
}

/** A loopback port that was free a moment ago (for "the receiver comes up later"). */
// ---------------------------------------------------------------------------------------
// What dockerd hands to a log driver

/**
 * The messages dockerd's copier makes of one stream's bytes: one per line (without `\n`);
 * a line longer than 16 KiB is cut into 16384-byte chunks, and a line whose length is a
 * multiple of 16384 gets an empty last chunk; unterminated trailing data is sent as
 * chunks without that empty one (docs/docker-compat.md §2.3).
 */
export function dockerMessages(stream: Buffer, reassembled = false): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  while (start < stream.length) {
    const nl = stream.indexOf(0x0a, start);
    const end = nl === -1 ? stream.length : nl;
    const line = stream.subarray(start, end);
    if (reassembled) out.push(line);
    else {
      for (let i = 0; i < line.length; i += PARTIAL_SIZE) out.push(line.subarray(i, Math.min(line.length, i + PARTIAL_SIZE)));
      if (nl !== -1 && line.length % PARTIAL_SIZE === 0) out.push(line.subarray(line.length));
    }
    start = nl === -1 ? stream.length : nl + 1;
  }
  return out;
}

/** Go's strings.TrimSpace(line) == "" for the lines of the workloads (raw skips them). */
export function isBlank(line: Buffer): boolean {
  // Invalid UTF-8 decodes to U+FFFD, which is not white space (as in Go).
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(line.toString('utf8'));
}

/** How many events a container writing `stdout`/`stderr` produces in a format. */
export function expectedEventCount(stdout: Buffer, stderr: Buffer, format: string, reassembled = false): number {
  const msgs = [...dockerMessages(stdout, reassembled), ...dockerMessages(stderr, reassembled)];
  return format === 'raw' ? msgs.filter((m) => !isBlank(m)).length : msgs.length;
}

// ---------------------------------------------------------------------------------------
// Go's JSON string escaping (encoding/json, Go 1.19 as in Debian's docker.io 20.10.24)

/** The escaped content (no quotes) Go's encoding/json writes for a string. */
export function goJsonEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading what a receiver got

/** The event POSTs answered 200. */
export function okPosts(r: HecReceiver): HecRequest[] {
  return r.eventPosts().filter((q) => q.status === 200);
}

/** The bytes of every accepted event, in arrival order. */
export function acceptedEventBytes(r: HecReceiver): Buffer[] {
  return okPosts(r).flatMap((q) => q.eventBytes);
}

/** Waits until the receiver accepted `want` events, then a moment more to catch extras. */
export async function waitForEvents(r: HecReceiver, want: number, what: string, timeoutMs = 60_000, settleMs = 500): Promise<number> {
  let last = 0;
  try {
    await waitFor(
      () => {
        last = r.accepted.length;
        return last >= want;
      },
      { timeoutMs, intervalMs: 50, what },
    );
  } catch {
    throw new Error(`${what}: ${last} of ${want} events after ${timeoutMs} ms (${r.requests.length} requests: ${summary(r)})`);
  }
  if (settleMs > 0) await new Promise((res) => setTimeout(res, settleMs));
  return r.accepted.length;
}

function summary(r: HecReceiver): string {
  const counts = new Map<string, number>();
  for (const q of r.requests) {
    const k = `${q.method} ${q.status}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none';
}

// ---------------------------------------------------------------------------------------
// Normalising events for a comparison across drivers

export interface Normalised {
  /**
   * Events with `time` masked, container IDs substituted, raw attrs sorted: latin1 strings
   * of the bytes, or with `decoded` their UTF-8 text (invalid bytes read as U+FFFD) with
   * the escape `\ufffd` read as U+FFFD too.
   */
  events: string[];
  /** `time` values that are not `<digits>.<6 digits>`. */
  badTimes: string[];
  /** Raw events whose attribute prefix is not a permutation of the expected one. */
  badRawPrefix: string[];
}

const TIME = /"time":"([^"]*)"/;

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

export interface NormaliseSpec {
  format: 'inline' | 'json' | 'raw';
  /** Container IDs (full) whose full and 12-hex forms become <ID>, and other strings to substitute. */
  ids: string[];
  substitutions?: Array<[string, string]>;
  /** raw only: the rendered tag (after substitution, '' when none) and the attrs. */
  rawTag?: string;
  rawAttrs?: Record<string, string>;
  /** Compare decoded text rather than bytes (see Normalised.events). */
  decoded?: boolean;
}

/** `\ufffd` escapes (not preceded by an escaped backslash) read as the character. */
const FFFD_ESCAPE = /(?<!\\)((?:\\\\)*)\\ufffd/g;

export function normaliseEvents(events: readonly Buffer[], spec: NormaliseSpec): Normalised {
  const subs: Array<[string, string]> = [
    ...spec.ids.flatMap((id): Array<[string, string]> => [[id, '<ID>'], [id.slice(0, 12), '<ID>']]),
    ...(spec.substitutions ?? []),
  ];
  const badTimes: string[] = [];
  const badRawPrefix: string[] = [];
  let rawHead = '';
  let perms: string[] = [];
  let canonical = '';
  if (spec.format === 'raw') {
    // The tag is matched after the ID substitution: keep the <ID> placeholder unescaped.
    rawHead = '{"event":"' + goJsonEscape(spec.rawTag ? `${spec.rawTag} ` : '').split(goJsonEscape('<ID>')).join('<ID>');
    // Go's map order: Docker renders the prefix once per container in random order.
    const tokens = Object.entries(spec.rawAttrs ?? {}).map(([k, v]) => goJsonEscape(`${k}=${v} `));
    perms = permutations(tokens).map((p) => p.join(''));
    canonical = [...tokens].sort().join('');
  }
  const out = events.map((b) => {
    let s = b.toString('latin1');
    const m = TIME.exec(s);
    if (!m || !/^\d+\.\d{6}$/.test(m[1]!)) badTimes.push(m ? m[1]! : '<no time>');
    s = s.replace(TIME, '"time":"<T>"');
    for (const [from, to] of subs) s = s.split(from).join(to);
    if (spec.format === 'raw') {
      // Compare in UTF-8 (the attrs may hold non-ASCII); the event bytes are Go output, valid UTF-8.
      let u = Buffer.from(s, 'latin1').toString('utf8');
      const rest = u.startsWith(rawHead) ? u.slice(rawHead.length) : undefined;
      const p = rest === undefined ? undefined : perms.find((x) => rest.startsWith(x));
      if (p === undefined) badRawPrefix.push(u.slice(0, 200));
      else u = rawHead + canonical + rest!.slice(p.length);
      s = Buffer.from(u, 'utf8').toString('latin1');
    }
    if (spec.decoded) s = Buffer.from(s, 'latin1').toString('utf8').replace(FFFD_ESCAPE, '$1\ufffd');
    return s;
  });
  return { events: out, badTimes, badRawPrefix };
}

/** undefined when equal, else where the sequences first differ. */
export function eventsDiff(actual: readonly string[], expected: readonly string[]): string | undefined {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      const a = actual[i]!;
      const e = expected[i]!;
      let j = 0;
      while (j < a.length && a[j] === e[j]) j++;
      const cut = (x: string) => JSON.stringify(x.slice(Math.max(0, j - 60), j + 100));
      return `counts tslogs=${actual.length} docker=${expected.length}; event ${i} differs at char ${j}:\n  tslogs: ${cut(a)}\n  docker: ${cut(e)}`;
    }
  }
  if (actual.length !== expected.length) {
    const extra = actual.length > expected.length ? `tslogs extra: ${JSON.stringify(actual[n]?.slice(0, 200))}` : `docker extra: ${JSON.stringify(expected[n]?.slice(0, 200))}`;
    return `counts tslogs=${actual.length} docker=${expected.length} (equal up to ${n}); ${extra}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Requests

/** The headers that must match Docker's, as one comparable string per request. */
export function headerSignature(q: HecRequest): string {
  const h = q.headers;
  return JSON.stringify({
    method: q.method,
    path: q.path,
    'user-agent': h['user-agent'] ?? null,
    authorization: h.authorization ?? null,
    'content-encoding': h['content-encoding'] ?? null,
    'content-type': h['content-type'] ?? null,
    'accept-encoding': h['accept-encoding'] ?? null,
    'x-splunk-request-channel': h['x-splunk-request-channel'] === undefined ? null : '<present>',
    'transfer-encoding': h['transfer-encoding'] ?? null,
  });
}

/** Header names of a request, sorted; `host` and `content-length` are in every request. */
export function headerNames(q: HecRequest): string[] {
  return Object.keys(q.headers).sort();
}

// ---------------------------------------------------------------------------------------
// Running a container

export interface SplunkRun extends RunResult {
  driver: SplunkDriver;
  /** ms from `docker run` to its exit (detach: to the container being started). */
  startMs: number;
}

/** `docker run` with a splunk log driver; waits for the container to exit unless detach. */
export async function runSplunkContainer(
  driver: SplunkDriver,
  opts: Omit<RunOptions, 'driver' | 'network'>,
): Promise<SplunkRun> {
  const t0 = Date.now();
  const r = await runContainerFull({ ...opts, driver: driverArg(driver), network: 'host' });
  return { ...r, driver, startMs: Date.now() - t0 };
}
