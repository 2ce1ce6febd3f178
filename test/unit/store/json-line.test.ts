import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../src/codec/log-entry.js';
import { JsonLineEncoder } from '../../../src/store/json-line.js';
import { ByteSink } from '../../../src/util/byte-sink.js';
import { formatFixedNano, formatRfc3339Nano, parseRfc3339 } from '../../../src/go/time.js';

function entry(line: Buffer | string, extra: Partial<LogEntry> = {}): LogEntry {
  return {
    source: 'stdout',
    sec: 1795896100, // 2026-11-28T20:01:40Z
    nsec: 696011148,
    line: typeof line === 'string' ? Buffer.from(line) : line,
    partial: false,
    meta: undefined,
    ...extra,
  };
}

function encode(e: LogEntry, attrs?: string): string {
  const sink = new ByteSink(8);
  new JsonLineEncoder(attrs).encode(e, sink);
  return sink.view().toString('latin1');
}

// Lines observed from Docker 20.10.24's json-file driver (docs/docker-compat.md §6.2).
const ATTRS = '{"E1":"x1","lab1":"v\\u003c1\\u003e\\u0026","tag":"j1/3589aa8d6795/sha256:ae2bd/bb:latest/docker"}';

describe('json-file line encoder', () => {
  it.each([
    [
      Buffer.from('tab\there <b>&amp; "q" back\\slash\r'),
      '{"log":"tab\\u0009here \\u003cb\\u003e\\u0026amp; \\"q\\" back\\\\slash\\r\\n","stream":"stdout","attrs":' + ATTRS + ',"time":"2026-11-28T20:01:40.696011148Z"}\n',
    ],
    [
      Buffer.concat([Buffer.from('ctl\x01\x02\x1b[0m del\x7f '), Buffer.from('\u2028 u2028 \u2029')]),
      '{"log":"ctl\\u0001\\u0002\\u001b[0m del\x7f \\u2028 u2028 \\u2029\\n","stream":"stdout","attrs":' + ATTRS + ',"time":"2026-11-28T20:01:40.696011148Z"}\n',
    ],
    [
      Buffer.from('bad utf8 \xff\xfe trunc \xe2\x82 end', 'latin1'),
      '{"log":"bad utf8 \\ufffd\\ufffd trunc \\ufffd\\ufffd end\\n","stream":"stdout","attrs":' + ATTRS + ',"time":"2026-11-28T20:01:40.696011148Z"}\n',
    ],
  ])('matches Docker for %j', (line, expected) => {
    expect(encode(entry(line), ATTRS)).toBe(expected);
  });

  it('writes multi-byte UTF-8 raw (emoji) and an empty line as a bare newline', () => {
    expect(Buffer.from(encode(entry('emoji 😀 ok')), 'latin1').toString('utf8')).toBe(
      '{"log":"emoji 😀 ok\\n","stream":"stdout","time":"2026-11-28T20:01:40.696011148Z"}\n',
    );
    expect(encode(entry(''))).toBe('{"log":"\\n","stream":"stdout","time":"2026-11-28T20:01:40.696011148Z"}\n');
  });

  it('appends the newline only to whole lines and the last chunk of a partial group', () => {
    const id = 'c'.repeat(64);
    expect(encode(entry('nonl', { partial: true, meta: { last: false, id, ordinal: 1 } }))).toContain('"log":"nonl","stream"');
    expect(encode(entry('end', { partial: true, meta: { last: true, id, ordinal: 2 } }))).toContain('"log":"end\\n","stream"');
    expect(encode(entry('', { partial: true, meta: { last: true, id, ordinal: 3 } }))).toContain('"log":"\\n","stream"');
  });

  it.each([
    ['\xc0\xaf', '\\ufffd\\ufffd'], // overlong
    ['\xed\xa0\x80', '\\ufffd\\ufffd\\ufffd'], // UTF-8-encoded surrogate
    ['\xf4\x90\x80\x80', '\\ufffd\\ufffd\\ufffd\\ufffd'], // above U+10FFFF
    ['\xef\xbf\xbd', '\xef\xbf\xbd'], // a real U+FFFD stays raw
    ['\xf0\x9f\x98', '\\ufffd\\ufffd\\ufffd'], // truncated 4-byte sequence
    ['\x08\x0c\x09\x1f', '\\u0008\\u000c\\u0009\\u001f'],
    ['/\x7f', '/\x7f'],
  ])('escapes %j like Go', (input, escaped) => {
    expect(encode(entry(Buffer.from(input, 'latin1')))).toBe(`{"log":"${escaped}\\n","stream":"stdout","time":"2026-11-28T20:01:40.696011148Z"}\n`);
  });

  it('encodes stderr and unusual sources through the same escaper', () => {
    expect(encode(entry('x', { source: 'stderr' }))).toContain('"stream":"stderr"');
    expect(encode(entry('x', { source: 'a"<b' }))).toContain('"stream":"a\\"\\u003cb"');
  });

  it('keeps encoding correctly when the sink must grow', () => {
    const sink = new ByteSink(4);
    const encoder = new JsonLineEncoder(undefined);
    const big = Buffer.alloc(40000, 0x61);
    encoder.encode(entry(big), sink);
    encoder.encode(entry('<'.repeat(3000)), sink);
    const lines = sink.view().toString('latin1').split('\n');
    expect(lines[0]).toBe(`{"log":"${'a'.repeat(40000)}\\n","stream":"stdout","time":"2026-11-28T20:01:40.696011148Z"}`);
    expect(lines[1]).toBe(`{"log":"${'\\u003c'.repeat(3000)}\\n","stream":"stdout","time":"2026-11-28T20:01:40.696011148Z"}`);
    expect(encoder.lastTime).toBe('2026-11-28T20:01:40.696011148Z');
  });
});

describe('Go time formats', () => {
  it.each([
    [1795896189, 756544000, '2026-11-28T20:03:09.756544Z'],
    [1795896100, 696011148, '2026-11-28T20:01:40.696011148Z'],
    [1795896189, 0, '2026-11-28T20:03:09Z'],
    [1795896189, 100000000, '2026-11-28T20:03:09.1Z'],
    [0, 1, '1970-01-01T00:00:00.000000001Z'],
    [-1, 999999999, '1969-12-31T23:59:59.999999999Z'],
  ])('RFC3339Nano of %i.%i is %s', (sec, nsec, text) => {
    expect(formatRfc3339Nano(sec, nsec)).toBe(text);
    expect(parseRfc3339(text)).toEqual({ sec, nsec });
  });

  it('prints the fixed 9-digit form of docker logs -t', () => {
    expect(formatFixedNano(1795896189, 756544000)).toBe('2026-11-28T20:03:09.756544000Z');
  });

  it('parses zones and rejects garbage', () => {
    expect(parseRfc3339('2026-11-28T21:03:09.5+01:00')).toEqual({ sec: 1795896189, nsec: 500000000 });
    expect(parseRfc3339('0001-01-01T00:00:00Z').sec).toBe(-62135596800);
    expect(() => parseRfc3339('yesterday')).toThrow(/cannot parse time 'yesterday'/);
  });

  it('refuses years json-file cannot store', () => {
    expect(() => formatRfc3339Nano(253402300800, 0)).toThrow(/outside the years 0-9999/);
  });
});
