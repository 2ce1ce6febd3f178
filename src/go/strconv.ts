// Go's strconv: quoting, and scalar parsing with its exact acceptance sets and error
// texts, because Docker validates log options with it and users see those messages
// verbatim.

import { tslogsError } from '../errors.js';

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** strconv.Quote (or QuoteRune-style with `'`): Go-syntax literal for error messages and printf %q. */
export function goQuote(s: string, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    // A Go string cannot hold a lone surrogate; decoding JSON would have produced U+FFFD.
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + quote;
}

// The catalogue wraps values in double quotes itself.
const inner = (s: string): string => goQuote(s).slice(1, -1);

const BOOLS = new Map<string, boolean>([
  ['1', true], ['t', true], ['T', true], ['TRUE', true], ['true', true], ['True', true],
  ['0', false], ['f', false], ['F', false], ['FALSE', false], ['false', false], ['False', false],
]);

/** strconv.ParseBool. */
export function parseGoBool(value: string): boolean {
  const b = BOOLS.get(value);
  if (b === undefined) throw tslogsError('TSLOGS_PARSE_BOOL', inner(value));
  return b;
}

const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

// Scans like strconv.ParseUint: a syntax error at the first non-digit, a range
// error as soon as the digits so far exceed uint64 (even if junk follows).
function scanDigits(s: string, syntax: () => Error, range: () => Error): bigint {
  if (s === '') throw syntax();
  let n = 0n;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw syntax();
    n = n * 10n + BigInt(d);
    if (n > UINT64_MAX) throw range();
  }
  return n;
}

/**
 * strconv.Atoi. Values valid for int64 but beyond Number.MAX_SAFE_INTEGER are
 * reported as out of range rather than silently rounded.
 */
export function parseGoInt(value: string): number {
  const syntax = () => tslogsError('TSLOGS_PARSE_INT', inner(value));
  const range = () => tslogsError('TSLOGS_PARSE_INT_RANGE', inner(value));
  const neg = value.startsWith('-');
  const digits = neg || value.startsWith('+') ? value.slice(1) : value;
  const n = scanDigits(digits, syntax, range);
  if (n > (neg ? INT64_MAX + 1n : INT64_MAX) || n > SAFE_MAX) throw range();
  return Number(neg ? -n : n);
}

/** strconv.ParseUint(v, 10, 64); no sign accepted. Same safe-integer limit as parseGoInt. */
export function parseGoUint(value: string): number {
  const syntax = () => tslogsError('TSLOGS_PARSE_UINT', inner(value));
  const range = () => tslogsError('TSLOGS_PARSE_UINT_RANGE', inner(value));
  const n = scanDigits(value, syntax, range);
  if (n > SAFE_MAX) throw range();
  return Number(n);
}

/** strconv.ParseInt(value, 10, 32), Docker's parser for splunk-gzip-level and the SPLUNK_* integers. */
export function parseGoInt32(value: string): number {
  const quoted = inner(value);
  const neg = value.startsWith('-');
  const digits = neg || value.startsWith('+') ? value.slice(1) : value;
  if (digits === '') throw tslogsError('TSLOGS_PARSE_INT32', quoted);
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw tslogsError('TSLOGS_PARSE_INT32', quoted);
    n = n * 10 + d;
    // ParseUint(…, 32) gives up at the first overflow, even if junk follows.
    if (n > 0xffff_ffff) throw tslogsError('TSLOGS_PARSE_INT32_RANGE', quoted);
  }
  if (n > (neg ? 2 ** 31 : 2 ** 31 - 1)) throw tslogsError('TSLOGS_PARSE_INT32_RANGE', quoted);
  return neg ? 0 - n : n;
}
