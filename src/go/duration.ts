// Go's time.ParseDuration, with its acceptance set, rounding and error texts:
// Docker validates duration options with it and users see the messages verbatim.

import { tslogsError } from '../errors.js';

const INT64_MAX = 2n ** 63n - 1n;

// time.ParseDuration quotes with its own function: printable ASCII kept (with
// `"` and `\` escaped), every other byte of the UTF-8 encoding written as \xNN.
function timeQuote(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x80) out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out;
}

const UNIT_NS = new Map<string, bigint>([
  ['ns', 1n], ['us', 1_000n], ['\u00b5s', 1_000n], ['\u03bcs', 1_000n],
  ['ms', 1_000_000n], ['s', 1_000_000_000n], ['m', 60_000_000_000n], ['h', 3_600_000_000_000n],
]);
const NS_LIMIT = 2n ** 63n;

/**
 * time.ParseDuration, returned in milliseconds (fractional below 1 ms). The
 * arithmetic is done in integer nanoseconds and float64 exactly as Go does, so
 * rounding of long fractions and overflow limits match.
 */
export function parseGoDuration(value: string): number {
  const invalid = () => tslogsError('TSLOGS_DURATION', timeQuote(value));
  let s = value;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intDigits, fracDigits] = [m[0], m[1]!, m[2]];
    if (intDigits === '' && !fracDigits) throw invalid();
    let v = 0n;
    for (const c of intDigits) {
      v = v * 10n + BigInt(c.charCodeAt(0) - 48);
      if (v > NS_LIMIT) throw invalid();
    }
    // leadingFraction: digits past the point where they would overflow are ignored.
    let f = 0n;
    let scale = 1;
    let overflow = false;
    for (const c of fracDigits ?? '') {
      if (overflow) continue;
      const y = f * 10n + BigInt(c.charCodeAt(0) - 48);
      if (f > INT64_MAX / 10n || y > NS_LIMIT) {
        overflow = true;
        continue;
      }
      f = y;
      scale *= 10;
    }
    s = s.slice(whole.length);
    const unitLen = /^[^.\d]*/.exec(s)![0].length;
    if (unitLen === 0) throw tslogsError('TSLOGS_DURATION_NO_UNIT', timeQuote(value));
    const unitText = s.slice(0, unitLen);
    const unit = UNIT_NS.get(unitText);
    if (unit === undefined) throw tslogsError('TSLOGS_DURATION_UNIT', timeQuote(unitText), timeQuote(value));
    s = s.slice(unitLen);
    if (v > NS_LIMIT / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > NS_LIMIT) throw invalid();
    }
    total += v;
    if (total > NS_LIMIT) throw invalid();
  }
  if (!neg && total > INT64_MAX) throw invalid();
  return Number(neg ? -total : total) / 1e6;
}
