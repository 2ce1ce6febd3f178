import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../../src/go/duration.js';
import { errorOf } from '../../helpers/errors.js';

describe('parseGoDuration (time.ParseDuration, in ms)', () => {
  it.each([
    ['0', 0], ['-0', 0], ['+0', 0], ['0s', 0],
    ['1s', 1000], ['1.5s', 1500], ['-1.5s', -1500], ['+2m', 120_000], ['1h30m', 5_400_000],
    ['1h2m3s4ms5us6ns', 3_723_004.005006], ['300ms', 300], ['1us', 0.001], ['1µs', 0.001], ['1μs', 0.001],
    ['1ns', 0.000001], ['.5s', 500], ['1.s', 1000], ['1.0000000001s', 1000], ['0.3333333333h', 1_199_999.99988],
  ])('%s → %d', (v, ms) => expect(parseGoDuration(v)).toBeCloseTo(ms, 9));

  it('keeps nanosecond precision for fractions of hours', () => {
    expect(parseGoDuration('1.000000001h')).toBe(3_600_000.0036);
  });

  it.each(['abc', '', '-', '+', '.s', '-.s', 's', '9223372036854775808ns', '2562048h', '1h9223372036854775807ns'])(
    'rejects %j as invalid',
    (v) => {
      const e = errorOf(() => parseGoDuration(v));
      expect([e.code, e.message]).toEqual(['TSLOGS_DURATION', `time: invalid duration "${v}"`]);
    },
  );

  it('returns +0 for negative zero durations', () => {
    expect(Object.is(parseGoDuration('-0s'), 0)).toBe(true);
  });

  it('accepts the most negative duration but not its positive twin', () => {
    expect(parseGoDuration('-9223372036854775808ns')).toBe(-9223372036854.775);
    expect(errorOf(() => parseGoDuration('9223372036854775808ns')).code).toBe('TSLOGS_DURATION');
  });

  it('names missing and unknown units like Go', () => {
    expect(errorOf(() => parseGoDuration('10')).message).toBe('time: missing unit in duration "10"');
    expect(errorOf(() => parseGoDuration('1s2')).message).toBe('time: missing unit in duration "1s2"');
    expect(errorOf(() => parseGoDuration('1.2.3s')).message).toBe('time: missing unit in duration "1.2.3s"');
    expect(errorOf(() => parseGoDuration('10x')).message).toBe('time: unknown unit "x" in duration "10x"');
    expect(errorOf(() => parseGoDuration('1S')).message).toBe('time: unknown unit "S" in duration "1S"');
    expect(errorOf(() => parseGoDuration('5 s')).message).toBe('time: unknown unit " s" in duration "5 s"');
  });

  it('escapes non-ASCII bytes in the quoted value the way package time does', () => {
    expect(errorOf(() => parseGoDuration('1é')).message).toBe('time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"');
    expect(errorOf(() => parseGoDuration('"x')).message).toBe('time: invalid duration "\\"x"');
  });
});
