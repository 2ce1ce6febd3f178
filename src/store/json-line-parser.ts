import { parseRfc3339 } from '../go/time.js';
import type { StoredEntry } from './stored-entry.js';

// Reads back the lines JsonLineEncoder (and Docker's json-file driver) writes,
// without JSON.parse: sinks re-read every line they send, so this is the read hot
// path. Anything not in the expected shape returns undefined and the caller falls
// back to JSON.parse.

const LOG_OPEN = Buffer.from('{"log":"');
const STREAM_OPEN = Buffer.from('","stream":"');
const TIME_KEY = Buffer.from('"time":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

let cachedPrefix = Buffer.alloc(0);
let cachedSec = 0;

/**
 * `invalidAsByte`: json-file writes each byte that is not valid UTF-8 as `\ufffd` and
 * never escapes a real U+FFFD, so the escape marks an invalid byte. `docker logs`
 * shows it as U+FFFD (the default here); sinks ask for a lone 0xFF instead, so that
 * their own Go-JSON encoding writes `\ufffd` again, byte for byte as Docker's drivers.
 */
export function parseJsonFileLine(buf: Buffer, start: number, end: number, invalidAsByte = false): StoredEntry | undefined {
  if (!startsWith(buf, start, LOG_OPEN)) return undefined;
  let p = start + LOG_OPEN.length;
  const logStart = p;
  let escapes = 0;
  let lastEscape = -1;
  while (p < end && buf[p] !== QUOTE) {
    if (buf[p] === BACKSLASH) {
      escapes++;
      lastEscape = p;
      p++;
    }
    p++;
  }
  const escaped = escapes > 0;
  if (p >= end) return undefined;
  const logEnd = p;
  // Usually the only escape is json-file's closing `\n`: one copy, no unescaping.
  const newline = escapes === 1 && lastEscape === logEnd - 2 && buf[logEnd - 1] === 0x6e;
  // Views, not copies: `buf` is a read of its own that nothing writes to again.
  let line: Buffer | undefined;
  if (newline) line = buf.subarray(logStart, logEnd - 2);
  else if (!escaped) line = buf.subarray(logStart, logEnd);
  else line = unescape(buf, logStart, logEnd, invalidAsByte);
  if (line === undefined || !startsWith(buf, p, STREAM_OPEN)) return undefined;
  p += STREAM_OPEN.length;
  const streamStart = p;
  while (p < end && buf[p] !== QUOTE && buf[p] !== BACKSLASH) p++;
  if (p >= end || buf[p] !== QUOTE) return undefined;
  const source = streamName(buf, streamStart, p);
  // attrs (if any) sit between stream and time; time is the last key: find its opening quote.
  let q = end - 3;
  while (q > p && end - q < 40 && buf[q] !== QUOTE) q--;
  const timeAt = q - TIME_KEY.length + 1;
  if (timeAt < p || buf[q] !== QUOTE || !startsWith(buf, timeAt, TIME_KEY)) return undefined;
  const time = parseTime(buf, q + 1, end - 2);
  if (time === undefined || buf[end - 2] !== QUOTE || buf[end - 1] !== 0x7d) return undefined;
  if (newline || !escaped || line[line.length - 1] !== 0x0a) return { line, newline, source, sec: time.sec, nsec: time.nsec };
  return { line: line.subarray(0, line.length - 1), newline: true, source, sec: time.sec, nsec: time.nsec };
}

function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

function streamName(buf: Buffer, start: number, end: number): string {
  if (end - start === 6 && buf[start] === 0x73 && buf[start + 3] === 0x6f) return 'stdout';
  if (end - start === 6 && buf[start] === 0x73 && buf[start + 3] === 0x65 && buf[start + 5] === 0x72) return 'stderr';
  return buf.toString('utf8', start, end);
}

/** Undoes Go's escaping: \" \\ \/ \b \f \n \r \t and \uXXXX (with surrogate pairs). */
function unescape(buf: Buffer, start: number, end: number, invalidAsByte: boolean): Buffer | undefined {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c !== BACKSLASH) {
      out[o++] = c;
      continue;
    }
    const e = buf[++i];
    switch (e) {
      case 0x6e: out[o++] = 0x0a; break; // n
      case 0x72: out[o++] = 0x0d; break; // r
      case 0x74: out[o++] = 0x09; break; // t
      case 0x62: out[o++] = 0x08; break; // b
      case 0x66: out[o++] = 0x0c; break; // f
      case QUOTE: case BACKSLASH: case 0x2f: out[o++] = e; break;
      case 0x75: {
        let code = hex4(buf, i + 1);
        if (code < 0) return undefined;
        i += 4;
        if (code >= 0xd800 && code < 0xdc00 && buf[i + 1] === BACKSLASH && buf[i + 2] === 0x75) {
          const low = hex4(buf, i + 3);
          if (low >= 0xdc00 && low < 0xe000) {
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          }
        }
        if (code === 0xfffd && invalidAsByte) out[o++] = 0xff;
        else o += out.write(String.fromCodePoint(code >= 0xd800 && code < 0xe000 ? 0xfffd : code), o, 'utf8');
        break;
      }
      default:
        return undefined;
    }
  }
  return out.subarray(0, o);
}

function hex4(buf: Buffer, at: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = buf[at + k];
    if (c === undefined) return -1;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; the seconds part is cached, it repeats line after line. */
function parseTime(buf: Buffer, start: number, end: number): { sec: number; nsec: number } | undefined {
  const prefixEnd = start + 19;
  if (buf[end - 1] !== 0x5a) return slowTime(buf, start, end);
  if (!(cachedPrefix.length === 19 && startsWith(buf, start, cachedPrefix))) {
    const t = parseRfc3339Safe(buf.toString('latin1', start, prefixEnd) + 'Z');
    if (t === undefined) return undefined;
    cachedPrefix = Buffer.from(buf.subarray(start, prefixEnd));
    cachedSec = t.sec;
  }
  if (prefixEnd === end - 1) return { sec: cachedSec, nsec: 0 };
  if (buf[prefixEnd] !== 0x2e) return slowTime(buf, start, end);
  let nsec = 0;
  let digits = 0;
  for (let i = prefixEnd + 1; i < end - 1; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9 || ++digits > 9) return slowTime(buf, start, end);
    nsec = nsec * 10 + d;
  }
  for (; digits < 9; digits++) nsec *= 10;
  return { sec: cachedSec, nsec };
}

function slowTime(buf: Buffer, start: number, end: number): { sec: number; nsec: number } | undefined {
  return parseRfc3339Safe(buf.toString('latin1', start, end));
}

function parseRfc3339Safe(text: string): { sec: number; nsec: number } | undefined {
  try {
    return parseRfc3339(text);
  } catch {
    return undefined;
  }
}
