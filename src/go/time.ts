import { tslogsError } from '../errors.js';

// Go's time formats used by json-file: RFC 3339 with trailing fractional zeros
// trimmed (json-file `time`, docs/docker-compat.md §6.2) and the fixed 9-digit form `docker logs -t`
// prints (docs/docker-compat.md §8). The date part changes once a second, so it is cached.

let cachedSec = Number.NaN;
let cachedPrefix = '';

/** "YYYY-MM-DDTHH:MM:SS" for Unix seconds, UTC. */
export function dateTimePrefix(sec: number): string {
  if (sec === cachedSec) return cachedPrefix;
  const d = new Date(sec * 1000);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw tslogsError('TSLOGS_TIME_OUT_OF_RANGE', sec);
  cachedPrefix =
    pad(year, 4) + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2) + 'T' +
    pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2);
  cachedSec = sec;
  return cachedPrefix;
}

/** Go's time.RFC3339Nano in UTC: `2026-11-28T20:01:40.696011148Z`, `…:09.756544Z`, `…:09Z`. */
export function formatRfc3339Nano(sec: number, nsec: number): string {
  const prefix = dateTimePrefix(sec);
  if (nsec === 0) return prefix + 'Z';
  let frac = pad(nsec, 9);
  let end = 9;
  while (frac.charCodeAt(end - 1) === 48) end--;
  if (end < 9) frac = frac.slice(0, end);
  return prefix + '.' + frac + 'Z';
}

/** `2006-01-02T15:04:05.000000000Z07:00` in UTC, as `docker logs -t` prints it. */
export function formatFixedNano(sec: number, nsec: number): string {
  return dateTimePrefix(sec) + '.' + pad(nsec, 9) + 'Z';
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses RFC 3339 (any zone, up to 9 fraction digits) into Unix seconds + nanoseconds. */
export function parseRfc3339(value: string): { sec: number; nsec: number } {
  const m = RFC3339.exec(value);
  if (m === null) throw tslogsError('TSLOGS_BAD_TIME', value);
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  let sec = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!) / 1000;
  // Date.UTC maps years 0-99 to 1900-1999.
  if (+y! < 100) sec = new Date(Date.UTC(2000, +mo! - 1, +d!, +h!, +mi!, +s!)).setUTCFullYear(+y!) / 1000;
  if (z === undefined) sec -= (sign === '-' ? -1 : 1) * (+oh! * 3600 + +om! * 60);
  const nsec = frac === undefined ? 0 : +frac.padEnd(9, '0');
  return { sec, nsec };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
