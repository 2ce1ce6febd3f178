import { describe, expect, it } from 'vitest';
import { goQuote, parseGoBool, parseGoInt, parseGoUint } from '../../../src/go/strconv.js';
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
