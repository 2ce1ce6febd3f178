// `--since` / `--until` exactly as the docker CLI reads them (docker/api/types/time
// GetTimestamp, Go 1.19's time.Parse) and as dockerd then turns the query value into a
// time (ParseTimestamps). Checked against /usr/bin/docker 20.10.24 with a fake engine
// that records the query (test/unit/cli/time-arg.test.ts holds that table).
//
//   Go duration (10m, 1h30m, -5s; not "0")  now − d, whole seconds
//   RFC 3339 and shorter forms              date, date+zone, date T hh[:mm[:ss[.frac]]] [zone]
//                                           no zone → the local zone's offset *now*
//   Unix seconds[.fraction]                 passed through (dockerd parses it)

import { parseGoDuration } from '../go/duration.js';
import type { Instant } from '../store/reader.js';

/** A bad value: the message is Docker's (`invalid value for "since": …`). */
export class TimeArgError extends Error {}

const NANO_LOCAL = '2006-01-02T15:04:05.999999999';
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_LOCAL = '2006-01-02T15:04:05';
const DATE_LOCAL = '2006-01-02';
const DATE_ZONE = '2006-01-02Z07:00';

/**
 * Parses a `--since`/`--until` value. `nowMs` is the reference time; `localOffsetSec`
 * the local zone's offset at that time (Go's time.FixedZone(reference.Zone())).
 */
export function parseTimeArg(flag: 'since' | 'until', value: string, nowMs = Date.now(), localOffsetSec = -new Date(nowMs).getTimezoneOffset() * 60): Instant {
  try {
    return getTimestamp(value, nowMs, localOffsetSec);
  } catch (err) {
    throw new TimeArgError(`invalid value for "${flag}": ${(err as Error).message}`);
  }
}

function getTimestamp(value: string, nowMs: number, localOffsetSec: number): Instant {
  if (value !== '0') {
    let durationMs: number | undefined;
    try {
      durationMs = parseGoDuration(value);
    } catch {
      durationMs = undefined;
    }
    if (durationMs !== undefined) return { sec: Math.floor((nowMs - durationMs) / 1000), nsec: 0 };
  }
  const inLocation = !(/[zZ+]/.test(value) || count(value, '-') === 3);
  let layout: string;
  if (value.includes('.')) layout = inLocation ? NANO_LOCAL : RFC3339_NANO;
  else if (value.includes('T')) {
    let colons = count(value, ':');
    if (!inLocation && !/[zZ]/.test(value) && colons > 0) colons--;
    const short = ['2006-01-02T15', '2006-01-02T15:04'];
    if (inLocation) layout = short[colons] ?? RFC3339_LOCAL;
    else layout = colons < 2 ? `${short[colons]}Z07:00` : RFC3339;
  } else layout = inLocation ? DATE_LOCAL : DATE_ZONE;

  try {
    return goParse(layout, value, inLocation ? localOffsetSec : undefined);
  } catch (err) {
    if (value.includes('-')) throw err;
    const ts = parseUnixTimestamp(value);
    if (ts === undefined) throw new Error(`failed to parse value as time or duration: "${value}"`);
    return ts;
  }
}

function count(s: string, c: string): number {
  return s.split(c).length - 1;
}

/** dockerd's parseTimestamp: `sec[.frac]`, strconv.ParseInt for both parts. */
export function parseUnixTimestamp(value: string): Instant | undefined {
  const dot = value.indexOf('.');
  const secText = dot < 0 ? value : value.slice(0, dot);
  const sec = parseInt64(secText);
  if (sec === undefined) return undefined;
  if (dot < 0) return { sec, nsec: 0 };
  const fracText = value.slice(dot + 1);
  const frac = parseInt64(fracText);
  if (frac === undefined) return undefined;
  // n * 10^(9 - len): "should already be in nanoseconds but just in case".
  const nsec = Math.trunc(frac * Math.pow(10, 9 - fracText.length));
  // time.Unix(sec, nsec) normalises nsec outside [0, 1e9).
  const carry = Math.floor(nsec / 1e9);
  return { sec: sec + carry, nsec: nsec - carry * 1e9 };
}

function parseInt64(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) return undefined;
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(n);
}

// ---------------------------------------------------------------------------------------
// Go's time.Parse for the layouts above (Go 1.19): elements 2006 01 02 15 04 05
// .999999999 Z07:00 and literals, with Go's error texts.

const ELEMENTS = ['2006', '01', '02', '15', '04', '05', '.999999999', 'Z07:00'] as const;
type Element = (typeof ELEMENTS)[number];

function goQuote(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b < 0x20 || b >= 0x80) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += (b === 0x22 || b === 0x5c ? '\\' : '') + String.fromCharCode(b);
  }
  return out + '"';
}

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** Go's getnum: one or two digits (`fixed`: exactly two). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 48, s.slice(1)];
  return [(s.charCodeAt(0) - 48) * 10 + s.charCodeAt(1) - 48, s.slice(2)];
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses `value` with a Go layout; `offsetSec` is the zone for layouts without one. */
export function goParse(layout: string, value: string, offsetSec: number | undefined): Instant {
  const t = { year: 0, month: 1, day: 1, hour: 0, min: 0, sec: 0, nsec: 0, offset: offsetSec ?? 0 };
  let rest = value;
  let lay = layout;
  const fail = (elem: string): Error => new Error(`parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`);
  const range = (what: string): Error => new Error(`parsing time ${goQuote(value)}: ${what} out of range`);
  while (lay !== '') {
    const elem = ELEMENTS.find((e) => lay.startsWith(e)) as Element | undefined;
    if (elem === undefined) {
      // A literal run up to the next element.
      let end = 1;
      while (end < lay.length && !ELEMENTS.some((e) => lay.startsWith(e, end))) end++;
      const literal = lay.slice(0, end);
      if (!rest.startsWith(literal)) throw fail(literal);
      rest = rest.slice(literal.length);
      lay = lay.slice(end);
      continue;
    }
    lay = lay.slice(elem.length);
    switch (elem) {
      case '2006': {
        if (rest.length < 4 || !isDigit(rest, 0)) throw fail(elem);
        const digits = rest.slice(0, 4);
        rest = rest.slice(4); // Go slices before checking the digits
        if (!/^\d{4}$/.test(digits)) throw fail(elem);
        t.year = Number(digits);
        break;
      }
      case '01':
      case '02':
      case '15':
      case '04':
      case '05': {
        const got = getnum(rest, elem !== '15');
        if (got === undefined) throw fail(elem);
        const [n, after] = got;
        rest = after;
        if (elem === '01') {
          if (n < 1 || n > 12) throw range('month');
          t.month = n;
        } else if (elem === '02') {
          if (n < 1 || n > 31) throw range('day');
          t.day = n;
        } else if (elem === '15') {
          if (n >= 24) throw range('hour');
          t.hour = n;
        } else if (elem === '04') {
          if (n >= 60) throw range('minute');
          t.min = n;
        } else {
          if (n >= 60) throw range('second');
          t.sec = n;
          // A fraction the layout does not ask for is taken anyway (any number of digits).
          if (!lay.startsWith('.999999999') && rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && isDigit(rest, 1)) {
            let n2 = 2;
            while (isDigit(rest, n2)) n2++;
            t.nsec = nanos(rest.slice(1, Math.min(n2, 10)));
            rest = rest.slice(n2);
          }
        }
        break;
      }
      case '.999999999': {
        if (rest.length < 2 || (rest[0] !== '.' && rest[0] !== ',') || !isDigit(rest, 1)) break; // omitted
        let i = 0;
        while (i < 9 && isDigit(rest, i + 1)) i++;
        t.nsec = nanos(rest.slice(1, 1 + i));
        rest = rest.slice(1 + i);
        break;
      }
      case 'Z07:00': {
        if (rest.startsWith('Z')) {
          rest = rest.slice(1);
          t.offset = 0;
          break;
        }
        if (rest.length < 6 || rest[3] !== ':') throw fail(elem);
        const zone = rest.slice(0, 6);
        rest = rest.slice(6);
        const m = /^([+-])(\d\d):(\d\d)$/.exec(zone);
        if (m === null) throw fail(elem);
        t.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
        break;
      }
    }
  }
  if (rest !== '') throw new Error(`parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}`);
  if (t.day > daysIn(t.month, t.year)) throw range('day');
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.min, t.sec, 0);
  return { sec: d.getTime() / 1000 - t.offset, nsec: t.nsec };
}

function nanos(digits: string): number {
  return Number(digits.padEnd(9, '0'));
}
