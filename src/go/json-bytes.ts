// Go 1.19 encoding/json applied to raw log bytes, which may hold invalid UTF-8:
// the string encoder (Docker's inline `line` and raw `event`) and json.Compact
// with HTML escaping (what json.Marshal does to the json.RawMessage of the json
// format). Both write into a ByteSink so a batch is built in one buffer.

import type { ByteSink } from '../util/byte-sink.js';
import { escapeInto } from './json-escape.js';

/**
 * The inside of json.Marshal(string(src)), without the quotes: the json-file escaper
 * with Go's one difference, TAB as `\t` (docs/docker-compat.md §15.1).
 */
export function writeGoStringContent(src: Buffer, out: ByteSink): void {
  out.reserve(src.length * 6);
  out.pos = escapeInto(src, out.buf, out.pos, true);
}

const HEX = '0123456789abcdef';
const isLineSeparator = (s: Buffer, i: number): boolean =>
  s[i] === 0xe2 && s[i + 1] === 0x80 && (s[i + 2] === 0xa8 || s[i + 2] === 0xa9);

/** Go's scanner refuses nesting deeper than this ("exceeded max depth"). */
const MAX_DEPTH = 10000;
const isWs = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];
const ESCAPABLE = new Set([...'"\\/bfnrtu'].map((c) => c.charCodeAt(0)));

/**
 * One pass of Go's JSON scanner over `src` that also writes json.Compact's output
 * with HTML escaping: whitespace outside strings removed, `<>&` and U+2028/9 in
 * strings escaped, every other byte (number text such as `1.0` or `1e3`, escapes,
 * even invalid UTF-8, which Go's scanner accepts) copied as it is.
 */
class Compactor {
  i = 0;
  p: number;

  constructor(
    private readonly src: Buffer,
    private readonly b: Buffer,
    start: number,
  ) {
    this.p = start;
  }

  /** True when src is exactly one JSON value with optional surrounding whitespace. */
  run(): boolean {
    const { src, b } = this;
    const closers: number[] = [];
    this.skipWs();
    for (;;) {
      // A value is expected at this.i.
      const c = src[this.i];
      if (c === 0x7b || c === 0x5b) {
        if (closers.length === MAX_DEPTH) return false;
        const close = c + 2; // `{` → `}`, `[` → `]`
        b[this.p++] = c;
        this.i++;
        this.skipWs();
        if (src[this.i] === close) {
          b[this.p++] = close;
          this.i++;
        } else {
          closers.push(close);
          if (close === 0x7d && !this.key()) return false;
          continue;
        }
      } else if (!(c === 0x22 ? this.string() : c === 0x2d || isDigit(c) ? this.number() : this.literal())) {
        return false;
      }
      // After a value: close containers or move to the next element.
      for (;;) {
        this.skipWs();
        const close = closers[closers.length - 1];
        if (close === undefined) return this.i === src.length;
        const d = src[this.i];
        if (d === close) {
          b[this.p++] = close;
          this.i++;
          closers.pop();
        } else if (d === 0x2c) {
          b[this.p++] = 0x2c;
          this.i++;
          this.skipWs();
          if (close === 0x7d && !this.key()) return false;
          break;
        } else return false;
      }
    }
  }

  private skipWs(): void {
    while (isWs(this.src[this.i])) this.i++;
  }

  /** `"name"` `:` with whitespace skipped around the colon. */
  private key(): boolean {
    if (this.src[this.i] !== 0x22 || !this.string()) return false;
    this.skipWs();
    if (this.src[this.i] !== 0x3a) return false;
    this.b[this.p++] = 0x3a;
    this.i++;
    this.skipWs();
    return true;
  }

  private string(): boolean {
    const { src, b } = this;
    let i = this.i;
    let p = this.p;
    b[p++] = src[i++]!;
    for (;;) {
      const c = src[i];
      if (c === undefined || c < 0x20) return false;
      if (c === 0x22) break;
      if (c === 0x5c) {
        const e = src[i + 1];
        if (e === undefined || !ESCAPABLE.has(e)) return false;
        const len = e === 0x75 ? 6 : 2;
        if (e === 0x75 && !/^[0-9A-Fa-f]{4}$/.test(src.toString('latin1', i + 2, i + 6))) return false;
        p += src.copy(b, p, i, i + len);
        i += len;
      } else if (c === 0x3c || c === 0x3e || c === 0x26) {
        p += b.write('\\u00' + HEX[c >> 4]! + HEX[c & 15]!, p, 'latin1');
        i++;
      } else if (c === 0xe2 && isLineSeparator(src, i)) {
        p += b.write(src[i + 2] === 0xa8 ? '\\u2028' : '\\u2029', p, 'latin1');
        i += 3;
      } else b[p++] = src[i++]!;
    }
    b[p++] = 0x22;
    this.i = i + 1;
    this.p = p;
    return true;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, copied verbatim. */
  private number(): boolean {
    const src = this.src;
    const start = this.i;
    let i = start;
    if (src[i] === 0x2d) i++;
    if (src[i] === 0x30) i++;
    else if (isDigit(src[i])) while (isDigit(src[i])) i++;
    else return false;
    if (src[i] === 0x2e) {
      if (!isDigit(src[++i])) return false;
      while (isDigit(src[i])) i++;
    }
    if (src[i] === 0x65 || src[i] === 0x45) {
      i++;
      if (src[i] === 0x2b || src[i] === 0x2d) i++;
      if (!isDigit(src[i])) return false;
      while (isDigit(src[i])) i++;
    }
    this.p += src.copy(this.b, this.p, start, i);
    this.i = i;
    return true;
  }

  private literal(): boolean {
    const word = LITERALS.find((w) => this.src.subarray(this.i, this.i + w.length).equals(w));
    if (word === undefined) return false;
    this.p += word.copy(this.b, this.p);
    this.i += word.length;
    return true;
  }
}

/**
 * What `json.Unmarshal` into a json.RawMessage followed by `json.Marshal` makes
 * of `src`: when it is valid JSON, appends the compact form and returns true;
 * otherwise appends nothing and returns false.
 */
export function writeCompactJson(src: Buffer, out: ByteSink): boolean {
  // Escaping `<` to `\u003c` is the largest growth: 6 bytes per input byte.
  out.reserve(src.length * 6);
  const compactor = new Compactor(src, out.buf, out.pos);
  if (!compactor.run()) return false;
  out.pos = compactor.p;
  return true;
}
