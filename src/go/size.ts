// Size strings as parsed by the docker/go-units version vendored in Docker
// 20.10 (the regexp-based parser; later go-units releases changed the syntax).

import { tslogsError } from '../errors.js';

const SIZE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const UNITS = 'kmgtp';
// Go converts an out-of-range float64 to int64 as 0x8000000000000000 on amd64,
// the platform Docker is nearly always run on.
const INT64_OVERFLOW = -(2 ** 63);

function parseSize(s: string, base: number): number {
  const m = SIZE.exec(s);
  if (!m) throw tslogsError('TSLOGS_INVALID_SIZE', s);
  const digits = m[1]!;
  // The pattern admits "1.2.3", which strconv.ParseFloat then rejects.
  if (digits.indexOf('.') !== digits.lastIndexOf('.')) {
    throw tslogsError('TSLOGS_PARSE_FLOAT', digits);
  }
  let size = Number(digits);
  if (!Number.isFinite(size)) throw tslogsError('TSLOGS_PARSE_FLOAT_RANGE', digits);
  if (m[2] !== undefined) size *= base ** (UNITS.indexOf(m[2].toLowerCase()) + 1);
  return size >= 2 ** 63 ? INT64_OVERFLOW : Math.trunc(size);
}

/** units.FromHumanSize: k = 1000 (the `i` of "MiB" is accepted and ignored). Used by max-size. */
export function parseDecimalSize(s: string): number {
  return parseSize(s, 1000);
}

/** units.RAMInBytes: k = 1024. Used by max-buffer-size and fluentd-buffer-limit. */
export function parseBinarySize(s: string): number {
  return parseSize(s, 1024);
}
