import { describe, expect, it } from 'vitest';
import { compareGoStrings, goJsonNoHtml, goJsonString, goJsonStringMap } from '../../../src/go/json.js';

// Rows of docs/docker-compat.md §15.1 (Go encoding/json column, Go 1.19) plus §6.2/§4.5 observations.
const TABLE: [string, string, string][] = [
  ['quote and backslash', '"\\', '"\\"\\\\"'],
  ['LF, CR', '\n\r', '"\\n\\r"'],
  ['TAB', '\t', '"\\t"'],
  ['BS, FF (no \\b \\f before Go 1.22)', '\b\f', '"\\u0008\\u000c"'],
  ['other C0 controls, lowercase hex', '\x00\x01\x1b\x1f', '"\\u0000\\u0001\\u001b\\u001f"'],
  ['HTML characters', '<b>&amp;', '"\\u003cb\\u003e\\u0026amp;"'],
  ['DEL raw', 'del\x7f', '"del\x7f"'],
  ['U+2028, U+2029', '\u2028 u2028 \u2029', '"\\u2028 u2028 \\u2029"'],
  ['non-ASCII raw', 'emoji 😀 ok é', '"emoji 😀 ok é"'],
  ['U+FFFD itself raw', '\ufffd', '"\ufffd"'],
  ['lone surrogates as \\ufffd', 'a\ud800b\udc00c\ud83d', '"a\\ufffdb\\ufffdc\\ufffd"'],
  ['slash raw', 'a/b', '"a/b"'],
  ['empty', '', '""'],
  [
    'observed ContainerArgs element',
    'echo hello; echo err >&2; printf "no-newline"',
    '"echo hello; echo err \\u003e\\u00262; printf \\"no-newline\\""',
  ],
];

describe('goJsonString', () => {
  it.each(TABLE)('%s', (_name, input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });

  it('round-trips through JSON.parse apart from broken surrogates', () => {
    const s = 'x<>&\u2028\t\x01"\\y😀';
    expect(JSON.parse(goJsonString(s))).toBe(s);
  });
});

describe('goJsonNoHtml', () => {
  it('leaves < > & raw but still escapes U+2028/9 and controls', () => {
    expect(goJsonNoHtml('<a href="x">&\u2028\u2029\t\x02</a>')).toBe('"<a href=\\"x\\">&\\u2028\\u2029\\t\\u0002</a>"');
  });
});

describe('goJsonStringMap', () => {
  it('reproduces the observed json-file attrs object', () => {
    const attrs = { tag: 'j1/3589aa8d6795/sha256:ae2bd/bb:latest/docker', lab1: 'v<1>&', E1: 'x1' };
    expect(goJsonStringMap(attrs)).toBe(
      '{"E1":"x1","lab1":"v\\u003c1\\u003e\\u0026","tag":"j1/3589aa8d6795/sha256:ae2bd/bb:latest/docker"}',
    );
  });

  it('escapes keys too and can skip HTML escaping', () => {
    expect(goJsonStringMap({ '<k>': '&' })).toBe('{"\\u003ck\\u003e":"\\u0026"}');
    expect(goJsonStringMap({ '<k>': '&' }, false)).toBe('{"<k>":"&"}');
  });

  it('sorts keys by UTF-8 bytes (code points), not UTF-16 units', () => {
    const obj = { b: '1', a: '2', B: '3', '\uff5e': '4', '😀': '5', é: '6', a0: '7', '': '8' };
    expect(goJsonStringMap(obj)).toBe('{"":"8","B":"3","a":"2","a0":"7","b":"1","é":"6","～":"4","😀":"5"}');
  });

  it('encodes an empty map as {}', () => {
    expect(goJsonStringMap({})).toBe('{}');
  });
});

describe('compareGoStrings', () => {
  it('orders by code point where UTF-16 order differs', () => {
    // U+FF5E is 0xFF5E as a UTF-16 unit but sorts before U+1F600 (surrogate 0xD83D) in UTF-8.
    expect(['😀', '\uff5e'].sort()).toEqual(['😀', '\uff5e']);
    expect(['😀', '\uff5e'].sort(compareGoStrings)).toEqual(['\uff5e', '😀']);
    expect(compareGoStrings('a', 'a')).toBe(0);
    expect(compareGoStrings('a', 'ab')).toBeLessThan(0);
  });
});
