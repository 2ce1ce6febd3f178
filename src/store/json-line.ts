import type { LogEntry } from '../codec/log-entry.js';
import { endsLine } from '../codec/log-entry.js';
import { dateTimePrefix, formatRfc3339Nano } from './go-time.js';

// Encodes entries as json-file lines byte-identical to Docker's hand-written
// encoder (docs/docker-compat.md §6.2-6.3): `{"log":…,"stream":…[,"attrs":…],"time":…}\n`.

const HEX = '0123456789abcdef';

/** 0: copy raw; 1: needs escaping (control, quote, backslash, <>&); 2: non-ASCII, validate UTF-8. */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) CLASS[b] = 1;
for (const c of '"\\<>&') CLASS[c.charCodeAt(0)] = 1;
for (let b = 0x80; b < 0x100; b++) CLASS[b] = 2;

/** A growable byte buffer that encoders append to; one write per batch. */
export class ByteSink {
  buf: Buffer;
  pos = 0;
  constructor(initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** A view of the bytes written so far; valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
  reset(): void {
    this.pos = 0;
  }
}

const LOG_OPEN = Buffer.from('{"log":"');
const TIME_OPEN = Buffer.from(',"time":"');

/** Copies a short constant; a byte loop beats Buffer.copy's call overhead at this size. */
function put(src: Buffer, out: Buffer, p: number): number {
  for (let i = 0; i < src.length; i++) out[p++] = src[i]!;
  return p;
}

export class JsonLineEncoder {
  private readonly attrsPart: Buffer;
  private readonly streamParts = new Map<string, Buffer>();
  private prefixSec = Number.NaN;
  private readonly prefix = Buffer.alloc(19);
  private lastSec = Number.NaN;
  private lastNsec = 0;

  /** `attrsJson` is the Go-JSON object of tag + extra attributes, or undefined when empty. */
  constructor(attrsJson: string | undefined) {
    this.attrsPart = Buffer.from(attrsJson === undefined ? '' : `,"attrs":${attrsJson}`);
  }

  /** Time of the last entry encoded: rotated gzip files record it (docs/docker-compat.md §6.6). */
  get lastTime(): string {
    return Number.isNaN(this.lastSec) ? '' : formatRfc3339Nano(this.lastSec, this.lastNsec);
  }

  /** Appends one line to `sink`; returns the number of bytes appended. Throws for years outside 0-9999. */
  encode(entry: LogEntry, sink: ByteSink): number {
    const line = entry.line;
    const stream = this.streamPart(entry.source);
    if (entry.sec !== this.prefixSec) {
      this.prefix.write(dateTimePrefix(entry.sec), 0, 'latin1');
      this.prefixSec = entry.sec;
    }
    sink.reserve(8 + line.length * 6 + 2 + stream.length + this.attrsPart.length + 9 + 30 + 3);
    const b = sink.buf;
    const start = sink.pos;
    let p = put(LOG_OPEN, b, start);
    p = escapeInto(line, b, p);
    if (endsLine(entry)) {
      b[p++] = 0x5c; // \n
      b[p++] = 0x6e;
    }
    p = put(stream, b, p);
    if (this.attrsPart.length > 0) p += this.attrsPart.copy(b, p);
    p = put(TIME_OPEN, b, p);
    p = put(this.prefix, b, p);
    p = writeFraction(entry.nsec, b, p);
    b[p++] = 0x5a; // Z
    b[p++] = 0x22;
    b[p++] = 0x7d;
    b[p++] = 0x0a;
    sink.pos = p;
    this.lastSec = entry.sec;
    this.lastNsec = entry.nsec;
    return p - start;
  }

  /** `","stream":"<source>"` with the source escaped like the log value. */
  private streamPart(source: string): Buffer {
    let part = this.streamParts.get(source);
    if (part === undefined) {
      const raw = Buffer.from(source);
      const tmp = Buffer.alloc(raw.length * 6 + 16);
      let p = tmp.write('","stream":"', 0, 'latin1');
      p = escapeInto(raw, tmp, p);
      tmp[p++] = 0x22;
      part = Buffer.from(tmp.subarray(0, p));
      if (this.streamParts.size < 16) this.streamParts.set(source, part);
    }
    return part;
  }
}

/** `.` + nanoseconds with trailing zeros trimmed (nothing when zero), as Go's RFC3339Nano. */
function writeFraction(nsec: number, b: Buffer, p: number): number {
  if (nsec === 0) return p;
  b[p] = 0x2e;
  // nsec < 1e9 < 2^31: integer division by `| 0` is far cheaper than % and Math.floor.
  let n = nsec;
  for (let i = 9; i > 0; i--) {
    const q = (n / 10) | 0;
    b[p + i] = 0x30 + n - q * 10;
    n = q;
  }
  let last = p + 9;
  while (b[last] === 0x30) last--;
  return last + 1;
}

/**
 * Escapes `src` into `out` at `p` (caller reserved 6 bytes per input byte); returns
 * the new position. json-file's hand-written encoder writes TAB as `\u0009`; Go's
 * encoding/json (`goJson`) writes `\t`, its only difference (docs/docker-compat.md §15.1).
 */
export function escapeInto(src: Buffer, out: Buffer, p: number, goJson = false): number {
  const n = src.length;
  let i = 0;
  let runStart = 0;
  while (i < n) {
    const c = src[i]!;
    const cls = CLASS[c]!;
    if (cls === 0) {
      i++;
      continue;
    }
    if (cls === 2) {
      const width = utf8Width(src, i, n);
      if (width > 0 && !isLineSeparator(src, i, width)) {
        i += width;
        continue;
      }
    }
    if (i > runStart) p += src.copy(out, p, runStart, i);
    if (cls === 2) {
      const width = utf8Width(src, i, n);
      if (width === 0) {
        p += out.write('\\ufffd', p, 'latin1');
        i += 1;
      } else {
        p += out.write(src[i + 2] === 0xa8 ? '\\u2028' : '\\u2029', p, 'latin1');
        i += 3;
      }
    } else {
      p = escapeAscii(c, out, p, goJson);
      i++;
    }
    runStart = i;
  }
  if (n > runStart) p += src.copy(out, p, runStart, n);
  return p;
}

function escapeAscii(c: number, out: Buffer, p: number, goJson: boolean): number {
  out[p++] = 0x5c;
  if (c === 0x22 || c === 0x5c) {
    out[p++] = c;
  } else if (goJson && c === 0x09) {
    out[p++] = 0x74;
  } else if (c === 0x0a) {
    out[p++] = 0x6e;
  } else if (c === 0x0d) {
    out[p++] = 0x72;
  } else {
    out[p++] = 0x75;
    out[p++] = 0x30;
    out[p++] = 0x30;
    out[p++] = HEX.charCodeAt(c >> 4);
    out[p++] = HEX.charCodeAt(c & 15);
  }
  return p;
}

function isLineSeparator(src: Buffer, i: number, width: number): boolean {
  return width === 3 && src[i] === 0xe2 && src[i + 1] === 0x80 && (src[i + 2] === 0xa8 || src[i + 2] === 0xa9);
}

/** Width of the valid UTF-8 sequence at i (Go's utf8.DecodeRune rules), or 0 if invalid. */
export function utf8Width(s: Buffer, i: number, n: number): number {
  const c = s[i]!;
  if (c < 0xc2 || c > 0xf4) return 0;
  if (c < 0xe0) return i + 1 < n && isCont(s[i + 1]!) ? 2 : 0;
  if (c < 0xf0) {
    if (i + 2 >= n) return 0;
    const c1 = s[i + 1]!;
    const lo = c === 0xe0 ? 0xa0 : 0x80; // no overlongs
    const hi = c === 0xed ? 0x9f : 0xbf; // no surrogates
    return c1 >= lo && c1 <= hi && isCont(s[i + 2]!) ? 3 : 0;
  }
  if (i + 3 >= n) return 0;
  const c1 = s[i + 1]!;
  const lo = c === 0xf0 ? 0x90 : 0x80;
  const hi = c === 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
  return c1 >= lo && c1 <= hi && isCont(s[i + 2]!) && isCont(s[i + 3]!) ? 4 : 0;
}

function isCont(b: number): boolean {
  return (b & 0xc0) === 0x80;
}
