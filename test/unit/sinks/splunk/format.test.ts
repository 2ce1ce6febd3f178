import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeCompactJson, writeGoStringContent } from '../../../../src/go/json-bytes.js';
import { ByteSink } from '../../../../src/util/byte-sink.js';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import {
  compileEvents, encodeBatch, encodeEvent, formatGoF6, formatTime, gzipBody, isBlankLine, writeTime, type EventSettings,
} from '../../../../src/sinks/splunk/format.js';

const SETTINGS: EventSettings = { format: 'inline', host: 'vm', source: '', sourcetype: '', index: '', tag: '', attrs: {} };

function entry(line: string | Buffer, sec = 1795896181, nsec = 630940000, source = 'stdout'): SinkEntry {
  return { line: typeof line === 'string' ? Buffer.from(line) : line, source, sec, nsec };
}

const body = (settings: Partial<EventSettings>, entries: SinkEntry[]) =>
  encodeBatch(entries, compileEvents({ ...SETTINGS, ...settings })).body.toString('utf8');

/** The `line` value of a single inline or json event. */
function lineOf(format: 'inline' | 'json', line: string | Buffer): string {
  const out = new ByteSink(64);
  encodeEvent(entry(line), compileEvents({ ...SETTINGS, format }), out);
  const s = out.view().toString('latin1');
  return s.slice('{"event":{"line":'.length, s.indexOf(',"source":"stdout"},"time"'));
}

describe('event bodies observed from Docker 20.10.24 (docs/docker-compat.md §12.3)', () => {
  it('inline, with tag and attrs, and an empty line', () => {
    const tail = '"tag":"812526b87fae","attrs":{"lab1":"v1"}},"time":"1795896181.630940","host":"vm"}';
    expect(body({ tag: '812526b87fae', attrs: { lab1: 'v1' } }, [entry('plain <line> & more'), entry('')])).toBe(
      `{"event":{"line":"plain \\u003cline\\u003e \\u0026 more","source":"stdout",${tail}` +
        `{"event":{"line":"","source":"stdout",${tail}`,
    );
  });

  it('json, with source, sourcetype and index, embedding an object and a number', () => {
    const fields = { format: 'json' as const, tag: '5db834fc8d71', source: 'src', sourcetype: 'st', index: 'idx' };
    const tail = '"source":"stdout","tag":"5db834fc8d71"},"time":"1795896182.014435","host":"vm","source":"src","sourcetype":"st","index":"idx"}';
    expect(body(fields, [entry('{"a": 1, "b": "<x>"}', 1795896182, 14435000), entry('42', 1795896182, 14435000)])).toBe(
      `{"event":{"line":{"a":1,"b":"\\u003cx\\u003e"},${tail}{"event":{"line":42,${tail}`,
    );
  });

  it('raw, with the tag and attributes in sorted order (Docker: random map order)', () => {
    expect(body({ format: 'raw', tag: '105dd8f345f0', attrs: { lab1: 'v1', E1: 'x1' } }, [entry('plain <line> & more', 1795896182, 488222000)]))
      .toBe('{"event":"105dd8f345f0 E1=x1 lab1=v1 plain \\u003cline\\u003e \\u0026 more","time":"1795896182.488222","host":"vm"}');
  });

  it('tag="" leaves the tag out', () => {
    expect(body({}, [entry('gz', 1795896182, 856818000)])).toBe('{"event":{"line":"gz","source":"stdout"},"time":"1795896182.856818","host":"vm"}');
  });
});

describe('envelope and event fields', () => {
  it('escapes host, tag, attrs and fields with Go JSON, attrs sorted by bytes', () => {
    expect(body({ host: 'h<1>', tag: 'a&b', attrs: { b: '"2"', a: '\u2028', Z: 'é' }, index: 'i\n' }, [entry('x', 0, 0, 'stderr')])).toBe(
      '{"event":{"line":"x","source":"stderr","tag":"a\\u0026b","attrs":{"Z":"é","a":"\\u2028","b":"\\"2\\""}},' +
        '"time":"0.000000","host":"h\\u003c1\\u003e","index":"i\\n"}',
    );
  });

  it('raw without a tag starts with the attributes; without either it is the bare line', () => {
    expect(body({ format: 'raw', attrs: { k: 'v w' } }, [entry('l')])).toBe('{"event":"k=v w l","time":"1795896181.630940","host":"vm"}');
    expect(body({ format: 'raw' }, [entry('<l>')])).toBe('{"event":"\\u003cl\\u003e","time":"1795896181.630940","host":"vm"}');
  });

  it('concatenates events with no separator and counts what raw skips', () => {
    const c = compileEvents({ ...SETTINGS, format: 'raw' });
    const r = encodeBatch([entry('a'), entry('  '), entry(''), entry('b')], c);
    expect(r.count).toBe(2);
    expect(r.body.toString()).toBe('{"event":"a","time":"1795896181.630940","host":"vm"}{"event":"b","time":"1795896181.630940","host":"vm"}');
    expect(encodeBatch([], c)).toEqual({ body: Buffer.alloc(0), count: 0 });
  });

  it('grows its buffer for large lines', () => {
    const line = '<'.repeat(100_000);
    expect(lineOf('inline', line)).toBe(`"${'\\u003c'.repeat(100_000)}"`);
  });
});

describe('time: %f of float64(ns)/1e9, exact, ties to even', () => {
  // Expected values from Python's '%f' % (ns / 1e9), which rounds the same double the same way.
  it.each([
    [1795896181, 630940123, '1795896181.630940'], [1795896181, 7812500, '1795896181.007812'],
    [1795896181, 7812600, '1795896181.007812'], [1795896181, 7812400, '1795896181.007812'],
    [1795896181, 23437500, '1795896181.023438'], [1795896181, 992187500, '1795896181.992188'],
    [1795896181, 999999999, '1795896182.000000'], [1795896181, 999999500, '1795896182.000000'],
    [0, 0, '0.000000'], [0, 500, '0.000000'], [0, 1500, '0.000002'], [1, 500, '1.000001'],
    [-1, 999999999, '-0.000000'], [-2, 500000000, '-1.500000'], [253402300799, 999999999, '253402300800.000000'],
    [1000000000, 0, '1000000000.000000'], [1700000000, 123456789, '1700000000.123457'],
    [1673856391, 161973069, '1673856391.161973'], [1711969249, 698935572, '1711969249.698936'],
    [1525923578, 77777868, '1525923578.077778'], [1940918276, 575398922, '1940918276.575399'],
    [1550535682, 392655486, '1550535682.392655'], [1812881931, 62275869, '1812881931.062276'],
    [1988393650, 544854973, '1988393650.544855'], [1615265209, 40260662, '1615265209.040261'],
    [1546142571, 465623510, '1546142571.465624'], [1724504467, 75006691, '1724504467.075007'],
    [1629204964, 97402358, '1629204964.097402'], [1795841241, 455824009, '1795841241.455824'],
  ])('%i s %i ns → %s', (sec, nsec, expected) => {
    expect(formatTime(sec, nsec)).toBe(expected);
  });

  it('gives the exact (BigInt) result for 200,000 times, ties and their neighbours included, as text and as bytes', () => {
    const exact = (sec: number, nsec: number): string => formatGoF6(Number(BigInt(sec) * 1_000_000_000n + BigInt(nsec)) / 1e9);
    let seed = 0x9e3779b9;
    const rand = (n: number): number => {
      seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return seed % n;
    };
    const cases: [number, number][] = [];
    for (let i = 0; i < 100_000; i++) cases.push([2 ** 19 + rand(4_000_000_000 - 2 ** 19), rand(1_000_000_000)]);
    // Ties: fractions k/2^m that end in exactly 5 at the seventh decimal, and one ns either side.
    for (let i = 0; i < 33_000; i++) {
      const sec = 1_000_000_000 + rand(2_000_000_000);
      const tie = (2 * rand(64) + 1) * 7_812_500; // odd multiples of 1/128 s in ns
      for (const nsec of [tie - 1, tie, tie + 1]) if (nsec >= 0 && nsec < 1e9) cases.push([sec, nsec]);
    }
    cases.push([2 ** 19, 0], [2 ** 19, 999_999_999], [3_999_999_999, 999_999_999], [3_999_999_999, 999_999_500]);
    let wrong = 0;
    const out = new ByteSink(64);
    for (const [sec, nsec] of cases) {
      out.reset();
      writeTime(sec, nsec, out);
      const want = exact(sec, nsec);
      if (formatTime(sec, nsec) !== want || out.view().toString('latin1') !== want) wrong++;
    }
    expect(cases.length).toBeGreaterThan(195_000);
    expect(wrong).toBe(0);
  });

  it('differs from toFixed(6) exactly on ties', () => {
    const tie = Number(1795896181_007812500n) / 1e9;
    expect(tie).toBe(1795896181 + 1 / 128);
    expect(tie.toFixed(6)).toBe('1795896181.007813');
    expect(formatGoF6(tie)).toBe('1795896181.007812');
    expect(formatGoF6(0.5e-6)).toBe('0.000000'); // the double is just below the tie
    expect(formatGoF6(2.5)).toBe('2.500000');
    expect(formatGoF6(0.0000025)).toBe('0.000003');
    expect(formatGoF6(5e-324)).toBe('0.000000');
    expect(formatGoF6(1e22)).toBe('10000000000000000000000.000000');
  });
});

describe('Go JSON string encoding of line bytes', () => {
  it.each([
    ['tab\there', '"tab\\there"'],
    ['\b\f\x01\x1f\x7f', '"\\u0008\\u000c\\u0001\\u001f\x7f"'],
    ['quote " back \\ slash / <>&', '"quote \\" back \\\\ slash / \\u003c\\u003e\\u0026"'],
    ['cr\r lf\n', '"cr\\r lf\\n"'],
    ['\u2028\u2029 é 😀 \ufffd', '"\\u2028\\u2029 é 😀 \ufffd"'],
  ])('%j', (line, expected) => {
    expect(Buffer.from(lineOf('inline', line), 'latin1').toString('utf8')).toBe(expected);
  });

  it('writes \\ufffd for each byte that is not valid UTF-8, as Go does', () => {
    const bytes = Buffer.from([0x61, 0xff, 0xe2, 0x80, 0x62, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2]);
    expect(lineOf('inline', bytes)).toBe(`"a${'\\ufffd'.repeat(3)}b${'\\ufffd'.repeat(10)}"`);
  });

  it('writes into a ByteSink without quotes', () => {
    const out = new ByteSink(1);
    writeGoStringContent(Buffer.from('a"b'), out);
    expect(out.view().toString()).toBe('a\\"b');
  });
});

describe('json format: valid JSON lines embedded with json.Compact', () => {
  it.each([
    ['{ "a" : [ 1 , 2 ] ,\t"b":{}\r\n}', '{"a":[1,2],"b":{}}'],
    ['[1.0, 1e3, -0, 0.5E+2, 1E-7, -12.50]', '[1.0,1e3,-0,0.5E+2,1E-7,-12.50]'],
    ['  42  ', '42'],
    ['-0.0', '-0.0'],
    ['"just a string"', '"just a string"'],
    ['"esc \\u00e9 \\n \\/ \\" \\\\"', '"esc \\u00e9 \\n \\/ \\" \\\\"'],
    ['"<b>&amp;</b>"', '"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e"'],
    ['["\u2028\u2029"]', '["\\u2028\\u2029"]'],
    ['"é 😀"', '"é 😀"'],
    ['true', 'true'], ['false', 'false'], ['null', 'null'],
    ['[]', '[]'], ['{}', '{}'], ['[[],[{}]]', '[[],[{}]]'],
    ['{"a":{"b":[true,false,null]}}', '{"a":{"b":[true,false,null]}}'],
  ])('%j → %s', (line, expected) => {
    expect(Buffer.from(lineOf('json', line), 'latin1').toString('utf8')).toBe(expected);
  });

  it.each([
    '', ' ', '\t\r\n', '{', '}', '{"a":1', '{"a":1}x', '{"a":1}{}', '01', '1.', '.5', '+1', '1e', '-', 'tru', 'nul', 'True',
    'NaN', '[1,]', '[,1]', '{"a" 1}', '{"a":}', '{a:1}', "{'a':1}", '"unterminated', '"bad \\x escape"', '"\\u12"',
    '"\\u12g4"', '"tab\tinside"', '[1 2]', '{"a":1,}', '1 2', '\v1', '\u00a01',
  ])('keeps %j a string', (line) => {
    const out = new ByteSink(8);
    writeGoStringContent(Buffer.from(line), out);
    expect(lineOf('json', line)).toBe(`"${out.view().toString('latin1')}"`);
  });

  it('embeds JSON holding invalid UTF-8 as is, as Go 1.19 json.Compact does', () => {
    const line = Buffer.from([0x22, 0x61, 0xff, 0x62, 0x22]);
    expect(Buffer.from(lineOf('json', line), 'latin1')).toEqual(line);
  });

  it('accepts nesting up to Go\'s 10000 levels', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(lineOf('json', deep(10000))).toBe(deep(10000));
    expect(lineOf('json', deep(10001))).toBe(`"${deep(10001)}"`);
  });

  it('leaves the sink untouched when the line is not JSON', () => {
    const out = new ByteSink(4);
    out.pos = out.buf.write('ab', 0);
    expect(writeCompactJson(Buffer.from('[1,'), out)).toBe(false);
    expect(out.view().toString()).toBe('ab');
  });
});

describe('raw format: blank lines', () => {
  it.each([['', true], [' \t\r\n\v\f', true], ['\u00a0\u3000\u2028\u0085\u1680\u200a\u202f\u205f', true],
    ['\u200b', false], ['x', false], ['\ufffd', false], [Buffer.from([0x20, 0xff]), false], [Buffer.from([0xc2]), false],
  ] as const)('%j blank: %s', (line, blank) => {
    expect(isBlankLine(typeof line === 'string' ? Buffer.from(line) : line)).toBe(blank);
  });
});

describe('gzip body', () => {
  const plain = Buffer.from(body({ tag: 't' }, [entry('one'), entry('two')]));

  it.each([[-1, 0x00], [0, 0x00], [1, 0x04], [6, 0x00], [9, 0x02]])('level %i decompresses to the body with Go\'s header (XFL %i, OS 255)', async (level, xfl) => {
    const gz = await gzipBody(plain, level);
    expect(gz.subarray(0, 10)).toEqual(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, xfl, 0xff]));
    expect(gunzipSync(gz)).toEqual(plain);
  });
});
