import { describe, expect, it } from 'vitest';
import { goQuote, parseGoBool, parseGoInt, parseGoUint } from '../../../src/go/strconv.js';
import { parseGoDuration } from '../../../src/go/duration.js';
import { errorOf } from '../../helpers/errors.js';

describe('goQuote (strconv.Quote)', () => {
  it.each([
    ['abc', '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\there\n', '"tab\\there\\n"'],
    ['\x07\b\f\r\v', '"\\a\\b\\f\\r\\v"'],
    ['\x01\x1b\x7f', '"\\x01\\x1b\\x7f"'],
    ['héllo 😀', '"héllo 😀"'],
    ['\u00a0\u2028\u00ad', '"\\u00a0\\u2028\\u00ad"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['lone \ud800', '"lone \ufffd"'],
  ])('%j → %s', (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });

  it('quotes runes with single quotes', () => {
    expect(goQuote("'", "'")).toBe("'\\''");
    expect(goQuote('"', "'")).toBe(`'"'`);
  });
});

describe('parseGoBool', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (v) => expect(parseGoBool(v)).toBe(true));
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (v) => expect(parseGoBool(v)).toBe(false));
  it.each(['yes', 'tRUE', 'on', '', ' true', '2'])('rejects %j', (v) => {
    const e = errorOf(() => parseGoBool(v));
    expect(e.code).toBe('TSLOGS_PARSE_BOOL');
    expect(e.message).toBe(`strconv.ParseBool: parsing "${v}": invalid syntax`);
  });
  it('quotes the value like Go', () => {
    expect(errorOf(() => parseGoBool('a"\n')).message).toBe('strconv.ParseBool: parsing "a\\"\\n": invalid syntax');
  });
});

describe('parseGoInt (strconv.Atoi)', () => {
  it.each([
    ['0', 0], ['42', 42], ['+7', 7], ['-7', -7], ['-0', 0], ['007', 7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER], ['-9007199254740991', -Number.MAX_SAFE_INTEGER],
  ])('%s → %d', (v, n) => expect(parseGoInt(v)).toBe(n));

  it.each(['x', '', '+', '-', '1.0', ' 1', '1 ', '1_000', '0x10', '--1', '1e3'])('rejects %j', (v) => {
    expect(errorOf(() => parseGoInt(v)).message).toBe(`strconv.Atoi: parsing "${v}": invalid syntax`);
  });

  it.each(['9223372036854775808', '-9223372036854775809', '9007199254740992', '99999999999999999999x'])(
    'reports %s as out of range',
    (v) => {
      const e = errorOf(() => parseGoInt(v));
      expect(e.code).toBe('TSLOGS_PARSE_INT_RANGE');
      expect(e.message).toBe(`strconv.Atoi: parsing "${v}": value out of range`);
    },
  );

  it('reports junk after a uint64-sized prefix as syntax, like ParseUint', () => {
    expect(errorOf(() => parseGoInt('18446744073709551615x')).code).toBe('TSLOGS_PARSE_INT');
  });
});

describe('parseGoUint (strconv.ParseUint base 10)', () => {
  it('accepts plain digits', () => {
    expect(parseGoUint('0')).toBe(0);
    expect(parseGoUint('1234')).toBe(1234);
  });
  it.each(['-1', '+1', '', 'x'])('rejects %j', (v) => {
    expect(errorOf(() => parseGoUint(v)).message).toBe(`strconv.ParseUint: parsing "${v}": invalid syntax`);
  });
  it('reports overflow', () => {
    expect(errorOf(() => parseGoUint('18446744073709551616')).message).toBe(
      'strconv.ParseUint: parsing "18446744073709551616": value out of range',
    );
  });
});

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
