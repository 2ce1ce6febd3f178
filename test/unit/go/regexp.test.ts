import { describe, expect, it } from 'vitest';
import { compileGoRegexp } from '../../../src/go/regexp.js';
import { errorOf } from '../../helpers/errors.js';

// Go's regexp semantics through re2js, for labels-regex, env-regex and --grep.
describe('compileGoRegexp', () => {
  const matches = (pattern: string, s: string): boolean => compileGoRegexp(pattern, 'labels-regex').test(s);

  describe('matching (unanchored, Go semantics)', () => {
    it.each([
      ['^com\\.docker\\.', 'com.docker.compose.project', true],
      ['^com\\.docker\\.', 'xcom.docker.y', false],
      ['docker', 'com.docker.x', true],
      ['^E[0-9]$', 'E1', true],
      ['^E[0-9]$', 'E1\n', false], // $ is end of text, not before a final newline
      ['a.c', 'a\rc', true], // . excludes only \n
      ['a.c', 'a\u2028c', true],
      ['a.c', 'a\nc', false],
      ['(?s)a.c', 'a\nc', true],
      ['(?m)^b$', 'a\nb\nc', true],
      ['^b$', 'a\nb\nc', false],
      ['(?m)^b', 'a\rb', false], // only \n starts a line
      ['\\Aab\\z', 'ab', true],
      ['\\s', '\v', false], // RE2's \s is [\t\n\f\r ]
      ['\\s', '\u00a0', false],
      ['\\s', '\f', true],
      ['[^\\S]', ' ', true],
      ['\\d', '\u0663', false], // ASCII digits only
      ['\\w', 'é', false],
      ['[[:alpha:]]+$', 'abc1', false],
      ['^[[:alpha:]]+$', 'Abc', true],
      ['^[[:^digit:]]+$', 'ab', true],
      ['^[[:^digit:]]+$', 'a1', false],
      ['[[:punct:]]', '[', true],
      ['^\\pL+$', 'héllo', true],
      ['^\\p{Greek}+$', 'αβγ', true],
      ['^\\P{Greek}+$', 'αβγ', false],
      ['^\\p{^Greek}$', 'a', true],
      ['^\\PL$', '1', true],
      ['(?i)^abc$', 'AbC', true],
      ['^(?i)abc$', 'ABC', true], // the whole expression's letters are folded
      ['(?i)k', '\u212a', true], // Kelvin sign folds to k in RE2 too
      ['(?i:ABC)', 'abc', true],
      ['^\\Q.*+\\E$', '.*+', true],
      ['^\\Q.*+\\E$', 'x', false],
      ['^\\x41\\x{42}\\103$', 'ABC', true],
      ['^a{2}$', 'aa', true],
      ['^a{2}$', 'aaa', false],
      ['^a{2,}$', 'aaaa', true],
      ['^x{,2}$', 'x{,2}', true], // not a repeat: literal braces
      ['^a{$', 'a{', true],
      ['^[]a]+$', ']a]', true],
      ['^[a-]+$', '-a', true],
      ['^\\-\\_\\:$', '-_:', true],
      ['^(?P<name>ab)+$', 'abab', true],
      ['a|b', 'b', true],
      ['^(|x)$', '', true],
      ['^*a', 'a', true], // repetition of an anchor is legal in RE2
      ['^a*?$', 'aaa', true],
      ['(?U)^a+$', 'aaa', true],
      ['^😀.$', '😀é', true],
      ['^.$', '😀', true], // one code point, not two UTF-16 units
    ])('%s against %j → %s', (pattern, s, expected) => {
      expect(matches(pattern, s)).toBe(expected);
    });

    it('is stateless across calls', () => {
      const re = compileGoRegexp('a', 'env-regex');
      expect([re.test('a'), re.test('a'), re.test('ba')]).toEqual([true, true, true]);
    });
  });

  describe('errors (Go 1.19 regexp/syntax texts)', () => {
    it.each([
      ['(a', 'missing closing ): `(a`'],
      ['a)', 'unexpected ): `a)`'],
      ['[a', 'missing closing ]: `[a`'],
      ['[a\\', 'trailing backslash at end of expression: ``'],
      ['a**', 'invalid nested repetition operator: `**`'],
      ['a*?+', 'invalid nested repetition operator: `*?+`'],
      ['x{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
      ['*', 'missing argument to repetition operator: `*`'],
      ['a|+?', 'missing argument to repetition operator: `+?`'],
      ['(?i)*', 'missing argument to repetition operator: `*`'],
      ['a{1001}', 'invalid repeat count: `{1001}`'],
      ['a{3,2}', 'invalid repeat count: `{3,2}`'],
      ['\\1', 'invalid escape sequence: `\\1`'],
      ['(a)\\k<x>', 'invalid escape sequence: `\\k`'],
      ['\\q', 'invalid escape sequence: `\\q`'],
      ['\\u0041', 'invalid escape sequence: `\\u`'],
      ['\\C', 'invalid escape sequence: `\\C`'],
      ['\\x{110000}', 'invalid escape sequence: `\\x{110000`'],
      ['\\xZ1', 'invalid escape sequence: `\\xZ1`'],
      ['\\', 'trailing backslash at end of expression: ``'],
      ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
      ['(?!a)', 'invalid or unsupported Perl syntax: `(?!`'],
      ['(?<=a)b', 'invalid or unsupported Perl syntax: `(?<`'],
      ['(?<n>a)', 'invalid or unsupported Perl syntax: `(?<`'],
      ['(?i', 'invalid or unsupported Perl syntax: `(?i`'],
      ['(?-)', 'invalid or unsupported Perl syntax: `(?-)`'],
      ['(?P<n-1>a)', 'invalid named capture: `(?P<n-1>`'],
      ['(?P<a', 'invalid named capture: `(?P<a`'],
      ['\\p{Foo}', 'invalid character class range: `\\p{Foo}`'],
      ['\\p{Greek', 'invalid character class range: `\\p{Greek`'],
      ['a\\p', 'invalid character class range: `\\p`'],
      ['\\pX', 'invalid character class range: `\\pX`'],
      ['[\\p{Nope}]', 'invalid character class range: `\\p{Nope}`'],
      ['\\p{greek}', 'invalid character class range: `\\p{greek}`'],
      ['[z-a]', 'invalid character class range: `z-a`'],
      ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
    ])('%s', (pattern, detail) => {
      const e = errorOf(() => compileGoRegexp(pattern, 'labels-regex'));
      expect(e.code).toBe('TSLOGS_REGEX');
      expect(e.message).toBe(`error parsing regexp for labels-regex: ${detail}`);
    });

    it('allows mixed fold state where it cannot matter', () => {
      expect(matches('1(?i)a', '1A')).toBe(true);
      expect(matches('(?i:a)(?i)b', 'AB')).toBe(true);
    });
  });
});

describe('compileGoRegexp: RE2 syntax a JS RegExp lacks', () => {
  const matches = (pattern: string, s: string): boolean => compileGoRegexp(pattern, 'env-regex').test(s);

  it.each([
    ['^a(?i)b$', 'aB', true],
    ['^a(?i)b$', 'AB', false],
    ['^(?i:a)b$', 'Ab', true],
    ['^(?i:a)b$', 'AB', false],
    ['^(?i)A(?-i:b)$', 'ab', true],
    ['^(?i)A(?-i:b)$', 'aB', false],
  ])('%s against %j → %s (case folding over part of the expression)', (pattern, s, expected) => {
    expect(matches(pattern, s)).toBe(expected);
  });

  // A backtracking engine needs about 2^40 steps for the first: the test would hang.
  it('matches in linear time, where a backtracking engine takes exponential time', () => {
    expect(matches('(a+)+$', 'a'.repeat(40) + 'b')).toBe(false);
    expect(matches('(a+)+b$', 'a'.repeat(40) + 'b')).toBe(true);
  });

  it("refuses Go 1.22's (?<name>…) as Go 1.19 does, also after a valid group", () => {
    const e = errorOf(() => compileGoRegexp('(?P<a>x)(?<b>y)', 'env-regex'));
    expect(e.message).toBe('error parsing regexp for env-regex: invalid or unsupported Perl syntax: `(?<`');
  });
});
