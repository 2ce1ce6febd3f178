// The string escaping of Docker's json-file encoder (daemon/logger/jsonfilelog/jsonlog)
// and of Go's encoding/json, over raw bytes that may hold invalid UTF-8.

const HEX = '0123456789abcdef';

/** 0: copy raw; 1: needs escaping (control, quote, backslash, <>&); 2: non-ASCII, validate UTF-8. */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) CLASS[b] = 1;
for (const c of '"\\<>&') CLASS[c.charCodeAt(0)] = 1;
for (let b = 0x80; b < 0x100; b++) CLASS[b] = 2;

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

/**
 * `line` with each byte json-file would write as \ufffd (Go's utf8.DecodeRune: one byte
 * at a time) replaced by `replacement`.
 */
export function replaceInvalidUtf8(line: Buffer, replacement: Buffer): Buffer {
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < line.length; ) {
    if (line[i]! < 0x80) {
      i++;
      continue;
    }
    const width = utf8Width(line, i, line.length);
    if (width > 0) {
      i += width;
      continue;
    }
    parts.push(line.subarray(run, i), replacement);
    run = ++i;
  }
  parts.push(line.subarray(run));
  return Buffer.concat(parts);
}
