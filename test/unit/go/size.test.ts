import { describe, expect, it } from 'vitest';
import { parseBinarySize, parseDecimalSize } from '../../../src/go/size.js';
import { errorOf } from '../../helpers/errors.js';

describe('parseDecimalSize (units.FromHumanSize, Docker 20.10)', () => {
  it.each([
    ['0', 0], ['32', 32], ['32b', 32], ['32B', 32], ['32 b', 32],
    ['1k', 1000], ['1K', 1000], ['1kb', 1000], ['1kB', 1000], ['1KiB', 1000], ['1ki', 1000], ['1 k', 1000],
    ['10MiB', 10_000_000], ['10m', 10_000_000], ['1g', 1e9], ['1t', 1e12], ['1P', 1e15], ['1pb', 1e15],
    ['1.5kb', 1500], ['0.5', 0], ['1.9', 1], ['1.0009k', 1000], ['007k', 7000], ['2.5g', 2_500_000_000],
    ['1ib', 1], ['1i', 1],
  ])('%j → %d', (s, n) => expect(parseDecimalSize(s)).toBe(n));

  it.each(['abc', '', '-1', '+1', '1e3', '1.', '.5k', '1  k', ' 1k', '1k ', '1x', '1kk', '1kbb', '1KiBB', '1,000', '1k\n', '١٢'])(
    'rejects %j with Docker\'s message',
    (s) => {
      const e = errorOf(() => parseDecimalSize(s));
      expect(e.code).toBe('TSLOGS_INVALID_SIZE');
      expect(e.message).toBe(`invalid size: '${s}'`);
    },
  );

  it('reports a value that matches the pattern but is not a float like strconv.ParseFloat', () => {
    const e = errorOf(() => parseDecimalSize('1.2.3k'));
    expect(e.code).toBe('TSLOGS_PARSE_FLOAT');
    expect(e.message).toBe('strconv.ParseFloat: parsing "1.2.3": invalid syntax');
  });

  it('reports an infinite float as out of range', () => {
    const digits = '9'.repeat(400);
    expect(errorOf(() => parseDecimalSize(digits)).message).toBe(`strconv.ParseFloat: parsing "${digits}": value out of range`);
  });

  it('wraps values past int64 to the most negative int64, as Go does on amd64', () => {
    expect(parseDecimalSize('9224P')).toBe(-(2 ** 63));
    expect(parseDecimalSize('9223P')).toBe(9_223_000_000_000_000_000);
  });
});

describe('parseBinarySize (units.RAMInBytes)', () => {
  it.each([
    ['1', 1], ['1b', 1], ['1k', 1024], ['1KB', 1024], ['1KiB', 1024], ['1m', 1_048_576], ['1 MiB', 1_048_576],
    ['1g', 1024 ** 3], ['1t', 1024 ** 4], ['1p', 1024 ** 5], ['1.5k', 1536], ['0.0001k', 0], ['1000000', 1_000_000],
  ])('%j → %d', (s, n) => expect(parseBinarySize(s)).toBe(n));

  it('rejects the same malformed strings', () => {
    expect(errorOf(() => parseBinarySize('1 kb ')).message).toBe("invalid size: '1 kb '");
    expect(errorOf(() => parseBinarySize('-5m')).message).toBe("invalid size: '-5m'");
  });
});
