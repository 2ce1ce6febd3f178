import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../src/codec/log-entry.js';
import { JsonLineEncoder } from '../../../src/store/json-line.js';
import { ByteSink } from '../../../src/util/byte-sink.js';
import { parseJsonFileLine } from '../../../src/store/json-line-parser.js';
import { parseStoredLine } from '../../../src/store/stored-entry.js';

function line(e: Partial<LogEntry>, attrs?: string): Buffer {
  const sink = new ByteSink(16);
  new JsonLineEncoder(attrs).encode({ source: 'stdout', sec: 1795896100, nsec: 696011148, line: Buffer.alloc(0), partial: false, meta: undefined, ...e }, sink);
  return Buffer.from(sink.view().subarray(0, sink.pos - 1)); // without the final newline
}

const tricky = [
  Buffer.from('plain'),
  Buffer.from(''),
  Buffer.from('tab\there <b>&amp; "q" back\\slash\r'),
  Buffer.concat([Buffer.from('ctl\x01\x02\x1b[0m del\x7f '), Buffer.from('\u2028 u2028 \u2029 emoji 😀 é')]),
  Buffer.from('bad utf8 \xff\xfe trunc \xe2\x82 end', 'latin1'),
  Buffer.from('"time":"2020-01-01T00:00:00Z"} fake'),
  Buffer.alloc(40000, 0x61),
];

describe('json-file line parser', () => {
  it.each(tricky.map((b, i) => [i, b] as const))('agrees with JSON.parse on tricky line %i', (_i, bytes) => {
    for (const [nsec, attrs] of [[696011148, undefined], [0, '{"a":"\\u003cx\\u003e","time":"fake"}'], [100000000, undefined]] as const) {
      for (const partial of [false, true]) {
        const buf = line({ line: bytes, nsec, partial, meta: partial ? { last: false, id: 'x', ordinal: 1 } : undefined }, attrs);
        const fast = parseJsonFileLine(buf, 0, buf.length);
        expect(fast).toBeDefined();
        expect(fast).toEqual(parseStoredLine(buf.toString('utf8')));
      }
    }
  });

  it('reads stderr, other streams and every fraction width', () => {
    for (let digits = 1; digits <= 9; digits++) {
      const nsec = Number('1'.padEnd(digits, '0')) * 10 ** (9 - digits);
      const buf = line({ source: 'stderr', nsec, line: Buffer.from('x') });
      expect(parseJsonFileLine(buf, 0, buf.length)).toEqual({ line: Buffer.from('x'), newline: true, source: 'stderr', sec: 1795896100, nsec });
    }
    const other = line({ source: 'weird', line: Buffer.from('y') });
    expect(parseJsonFileLine(other, 0, other.length)?.source).toBe('weird');
  });

  it('declines lines of another shape so the caller can fall back', () => {
    for (const text of ['{"stream":"stdout","log":"x\\n","time":"2026-11-28T20:01:40Z"}', '{"log":"x","stream":"stdout","time":"yesterday"}', 'garbage', '{"log":"unterminated']) {
      expect(parseJsonFileLine(Buffer.from(text), 0, text.length)).toBeUndefined();
    }
  });
});

describe('invalid UTF-8 on the sink read path', () => {
  it('reads a stored \\ufffd back as a lone 0xFF for sinks and as U+FFFD for docker logs; a real U+FFFD stays', () => {
    const buf = line({ line: Buffer.from('a\xffb \xef\xbf\xbd', 'latin1') });
    expect(buf.toString('latin1')).toContain('a\\ufffdb \xef\xbf\xbd\\n');
    expect(parseJsonFileLine(buf, 0, buf.length, true)?.line).toEqual(Buffer.from('a\xffb \xef\xbf\xbd', 'latin1'));
    expect(parseJsonFileLine(buf, 0, buf.length)?.line).toEqual(Buffer.from('a\xef\xbf\xbdb \xef\xbf\xbd', 'latin1'));
  });
});
