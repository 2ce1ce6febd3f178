// The bytes Docker's splunk driver puts on the wire (docs/docker-compat.md §12.2-12.3): one Go-JSON
// envelope per line, the events of a batch concatenated with no separator,
// optionally gzip-compressed as a whole.

import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { writeCompactJson, writeGoStringContent } from '../../go/json-bytes.js';
import { compareGoStrings, goJsonString, goJsonStringMap } from '../../go/json.js';
import { appendBytes, ByteSink } from '../../util/byte-sink.js';
import { writeGoGzipHeader } from '../shared/go-gzip.js';
import type { SinkEntry } from '../sink.js';

export type SplunkFormat = 'inline' | 'json' | 'raw';

/** What every event of one container carries, from its options and StartLogging. */
export interface EventSettings {
  format: SplunkFormat;
  /** Daemon host name. */
  host: string;
  /** `splunk-source`, `splunk-sourcetype`, `splunk-index`; empty ones are left out. */
  source: string;
  sourcetype: string;
  index: string;
  /** The rendered tag; empty leaves it out. */
  tag: string;
  attrs: Record<string, string>;
}

/** The constant parts of a container's events, computed once. */
export interface CompiledEvents {
  readonly format: SplunkFormat;
  /** `{"event":{"line":` (inline, json) or `{"event":"` (raw). */
  readonly head: Buffer;
  /** inline/json: `[,"tag":…][,"attrs":{…}]},"time":"`; raw: `","time":"`. */
  readonly afterLine: Buffer;
  /** `","host":…[,"source":…][,"sourcetype":…][,"index":…]}`. */
  readonly tail: Buffer;
  /** raw: the escaped `TAG ` + `k=v ` prefix of every event. */
  readonly rawPrefix: Buffer;
}

export function compileEvents(s: EventSettings): CompiledEvents {
  let tail = `","host":${goJsonString(s.host)}`;
  if (s.source !== '') tail += `,"source":${goJsonString(s.source)}`;
  if (s.sourcetype !== '') tail += `,"sourcetype":${goJsonString(s.sourcetype)}`;
  if (s.index !== '') tail += `,"index":${goJsonString(s.index)}`;
  const keys = Object.keys(s.attrs);
  if (s.format === 'raw') {
    // Docker writes the attributes in Go's random map order; sorted is one of those orders and stable.
    let prefix = s.tag === '' ? '' : s.tag + ' ';
    for (const k of keys.sort(compareGoStrings)) prefix += `${k}=${s.attrs[k]} `;
    const escaped = new ByteSink(64);
    writeGoStringContent(Buffer.from(prefix), escaped);
    return {
      format: 'raw',
      head: Buffer.from('{"event":"'),
      afterLine: Buffer.from('","time":"'),
      tail: Buffer.from(tail + '}'),
      rawPrefix: Buffer.from(escaped.view()),
    };
  }
  let afterLine = '';
  if (s.tag !== '') afterLine += `,"tag":${goJsonString(s.tag)}`;
  if (keys.length > 0) afterLine += `,"attrs":${goJsonStringMap(s.attrs)}`;
  return {
    format: s.format,
    head: Buffer.from('{"event":{"line":'),
    afterLine: Buffer.from(afterLine + '},"time":"'),
    tail: Buffer.from(tail + '}'),
    rawPrefix: Buffer.alloc(0),
  };
}

/** Splunk's event `time`: Go's `fmt.Sprintf("%f", float64(UnixNano())/1e9)`. */
export function formatTime(sec: number, nsec: number): string {
  // float64(UnixNano()) without BigInt: sec × 1e9 is an exact double while
  // sec × 1953125 < 2^53 (1e9 = 2^9 × 1953125; until the year 2116), and adding nsec
  // then rounds once, to nearest even, exactly like Go's int64 → float64 conversion.
  if (sec >= FAST_MIN_SEC && sec < FAST_MAX_SEC) {
    const m = goMicros((sec * 1e9 + nsec) / 1e9);
    const whole = Math.floor(m / 1e6);
    return `${whole}.${String(m - whole * 1e6).padStart(6, '0')}`;
  }
  return formatGoF6(Number(BigInt(sec) * 1_000_000_000n + BigInt(nsec)) / 1e9);
}

let cachedWhole = -1;
let cachedDigits = Buffer.alloc(0);

/** formatTime written straight into `out` (the event loop's hottest few bytes). */
export function writeTime(sec: number, nsec: number, out: ByteSink): void {
  if (!(sec >= FAST_MIN_SEC && sec < FAST_MAX_SEC)) {
    const text = formatTime(sec, nsec);
    out.reserve(text.length);
    out.pos += out.buf.write(text, out.pos, 'latin1');
    return;
  }
  const m = goMicros((sec * 1e9 + nsec) / 1e9);
  const whole = Math.floor(m / 1e6);
  let micros = m - whole * 1e6;
  if (whole !== cachedWhole) {
    cachedWhole = whole;
    cachedDigits = Buffer.from(String(whole), 'latin1');
  }
  out.reserve(cachedDigits.length + 7);
  const b = out.buf;
  let p = out.pos;
  for (let i = 0; i < cachedDigits.length; i++) b[p++] = cachedDigits[i]!;
  b[p++] = 0x2e;
  for (let i = 5; i >= 0; i--) {
    const q = (micros / 10) | 0;
    b[p + i] = 0x30 + micros - q * 10;
    micros = q;
  }
  out.pos = p + 6;
}

/** 2^19 s: from here on a double's fraction times 1e6 is exact (see formatGoF6Fast). */
const FAST_MIN_SEC = 2 ** 19;
const FAST_MAX_SEC = 4_000_000_000;

/**
 * d × 1e6 rounded half to even, exactly, for d in [2^19, FAST_MAX_SEC] without BigInt
 * (what formatGoF6 prints, as an integer below 2^53). The fraction d − ⌊d⌋ is exact and
 * a multiple of d's ulp, at least 2^-33 here, so fraction × 1e6 needs fewer than 53
 * bits and is exact too: the rounding is decided on exact values.
 */
function goMicros(d: number): number {
  const whole = Math.floor(d);
  const scaled = (d - whole) * 1e6;
  let micros = Math.floor(scaled);
  const rest = scaled - micros;
  if (rest > 0.5 || (rest === 0.5 && micros % 2 === 1)) micros++;
  return whole * 1e6 + micros;
}

const F64 = new Float64Array(1);
const BITS = new BigUint64Array(F64.buffer);

/**
 * Go's `%f` (6 decimals): the exact binary value of the double rounded half to
 * even. `toFixed(6)` rounds exact ties up instead, so it is done in integers.
 */
export function formatGoF6(d: number): string {
  F64[0] = d;
  const bits = BITS[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  // value = mantissa × 2^exp exactly
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = biased === 0 ? -1074 : biased - 1075;
  let micros: bigint;
  if (exp >= 0) micros = (mantissa << BigInt(exp)) * 1_000_000n;
  else {
    const scaled = mantissa * 1_000_000n;
    const shift = BigInt(-exp);
    micros = scaled >> shift;
    const rest = scaled - (micros << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (micros & 1n) === 1n)) micros++;
  }
  const digits = micros.toString().padStart(7, '0');
  // Go prints the sign of negative values even when they round to zero.
  return (bits >> 63n === 1n ? '-' : '') + digits.slice(0, -6) + '.' + digits.slice(-6);
}

/** Go's strings.TrimSpace(line) == "": only Unicode white space (invalid UTF-8 is not). */
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
const ASCII_SPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

export function isBlankLine(line: Buffer): boolean {
  let ascii = true;
  for (const c of line) {
    if (c >= 0x80) ascii = false;
    else if (!ASCII_SPACE.has(c)) return false;
  }
  return ascii || BLANK.test(line.toString('utf8'));
}

const sourceParts = new Map<string, Buffer>();

/** `,"source":"stdout"`; Docker's streams are only stdout and stderr, so the cache stays tiny. */
function sourcePart(source: string): Buffer {
  let part = sourceParts.get(source);
  if (part === undefined) {
    part = Buffer.from(`,"source":${goJsonString(source)}`);
    if (sourceParts.size < 8) sourceParts.set(source, part);
  }
  return part;
}

const QUOTE = Buffer.from('"');

/** Appends one event to `out`; false when Docker would not send the line (raw: blank lines). */
export function encodeEvent(entry: SinkEntry, c: CompiledEvents, out: ByteSink): boolean {
  if (c.format === 'raw') {
    if (isBlankLine(entry.line)) return false;
    appendBytes(out, c.head);
    appendBytes(out, c.rawPrefix);
    writeGoStringContent(entry.line, out);
  } else {
    appendBytes(out, c.head);
    // json: a line that is JSON is embedded (compacted); anything else is a string as in inline.
    if (c.format === 'inline' || !writeCompactJson(entry.line, out)) {
      appendBytes(out, QUOTE);
      writeGoStringContent(entry.line, out);
      appendBytes(out, QUOTE);
    }
    appendBytes(out, sourcePart(entry.source));
  }
  appendBytes(out, c.afterLine);
  writeTime(entry.sec, entry.nsec, out);
  appendBytes(out, c.tail);
  return true;
}

/** The request body of one batch: its events concatenated, no separator; `count` excludes skipped lines. */
export function encodeBatch(entries: readonly SinkEntry[], c: CompiledEvents): { body: Buffer; count: number } {
  let bytes = 0;
  for (const e of entries) bytes += e.line.length;
  const out = new ByteSink(Math.ceil(bytes * 1.25) + entries.length * 160 + 64);
  let count = 0;
  for (const e of entries) if (encodeEvent(e, c, out)) count++;
  return { body: out.view(), count };
}

const gzipAsync = promisify(zlib.gzip);

/**
 * gzip of the whole body at Docker's `splunk-gzip-level` (-1 = zlib's default 6, as
 * Go's). The deflate data differs from Go's compress/flate, but the header is made Go's.
 */
export async function gzipBody(body: Buffer, level: number): Promise<Buffer> {
  const gz = await gzipAsync(body, { level });
  writeGoGzipHeader(gz, level);
  return gz;
}
