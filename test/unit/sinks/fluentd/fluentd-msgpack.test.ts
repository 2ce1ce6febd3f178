import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MsgpackWriter } from '../../../../src/sinks/fluentd/msgpack.js';
import { MsgpackFormatError, msgpackEnd } from '../../../helpers/msgpack-end.js';

function written(f: (w: MsgpackWriter) => void): string {
  const w = new MsgpackWriter(1);
  f(w);
  return w.toBuffer().toString('hex');
}

describe('MsgpackWriter (tinylib/msgp encodings)', () => {
  it('str headers: fixstr to 31 bytes, then str8, str16, str32', () => {
    expect(written((w) => w.str(''))).toBe('a0');
    expect(written((w) => w.str('x'.repeat(31)))).toBe('bf' + '78'.repeat(31));
    expect(written((w) => w.strHeader(32))).toBe('d920');
    expect(written((w) => w.strHeader(255))).toBe('d9ff');
    expect(written((w) => w.strHeader(256))).toBe('da0100');
    expect(written((w) => w.strHeader(65535))).toBe('daffff');
    expect(written((w) => w.strHeader(65536))).toBe('db00010000');
    expect(written((w) => w.str('é'))).toBe('a2c3a9');
    expect(written((w) => w.strBytes(Buffer.from([0xff])))).toBe('a1ff');
  });

  it('map headers: fixmap to 15 entries, then map16, map32', () => {
    expect(written((w) => w.mapHeader(0))).toBe('80');
    expect(written((w) => w.mapHeader(15))).toBe('8f');
    expect(written((w) => w.mapHeader(16))).toBe('de0010');
    expect(written((w) => w.mapHeader(65536))).toBe('df00010000');
  });

  it('integers: the smallest signed form (AppendInt64)', () => {
    const cases: Array<[number, string]> = [
      [0, '00'], [127, '7f'], [128, 'd10080'], [32767, 'd17fff'], [32768, 'd200008000'], [2147483647, 'd27fffffff'],
      [2147483648, 'd30000000080000000'], [-1, 'ff'], [-32, 'e0'], [-33, 'd0df'], [-128, 'd080'], [-129, 'd1ff7f'],
      [-32769, 'd2ffff7fff'], [-2147483649, 'd3ffffffff7fffffff'],
    ];
    for (const [n, hex] of cases) expect(written((w) => w.int(n)), String(n)).toBe(hex);
    for (const [n] of cases) expect(decode(Buffer.from(written((w) => w.int(n)), 'hex'))).toBe(n);
  });

  it('grows past its initial size and keeps what was written', () => {
    const w = new MsgpackWriter(2);
    for (let i = 0; i < 1000; i++) w.str('abc');
    expect(w.length).toBe(4000);
    expect(w.view().subarray(0, 8).toString('hex')).toBe('a3616263a3616263');
  });
});

describe('msgpackEnd', () => {
  const samples: unknown[] = [
    null, true, false, 0, 1, -1, 127, 128, -33, 255, 256, 65536, -70000, 2 ** 40, -(2 ** 40), 1.5, 'x', 'y'.repeat(40),
    'z'.repeat(300), 'w'.repeat(70000), new Uint8Array(3), new Uint8Array(300), new Uint8Array(70000), [], [1, [2, [3]]],
    new Array(20).fill('a'), { ack: 'ZTMLawAAAADm7vCv8L3fvA==' }, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
    { nested: { deeper: [{ a: 1 }, 'b'] } },
  ];

  it('finds the end of every kind of object, and only once all of it arrived', () => {
    for (const value of samples) {
      const bytes = Buffer.from(encode(value));
      const stream = Buffer.concat([bytes, Buffer.from([0xc0])]);
      expect(msgpackEnd(stream, 0), JSON.stringify(value)?.slice(0, 40)).toBe(bytes.length);
      for (const cut of new Set([0, 1, 2, 3, Math.floor(bytes.length / 2), bytes.length - 1])) {
        if (cut < bytes.length) expect(msgpackEnd(bytes.subarray(0, cut), 0)).toBe(-1);
      }
    }
  });

  it('ext types (fixext1..16, ext8/16/32) and float32', () => {
    const hexes = ['d40001', 'd5000102', 'd6000102 0304', 'd700' + '00'.repeat(8), 'd800' + '00'.repeat(16), 'c70300010203', 'c8000200' + 'aabb', 'c900000001' + '00' + 'ff', 'ca3fc00000'];
    for (const h of hexes) {
      const b = Buffer.from(h.replace(/ /g, ''), 'hex');
      expect(msgpackEnd(Buffer.concat([b, Buffer.from('c0', 'hex')]), 0), h).toBe(b.length);
      expect(msgpackEnd(b.subarray(0, b.length - 1), 0), h).toBe(-1);
    }
  });

  it('scans from an offset, message after message', () => {
    const stream = Buffer.concat([encode({ ack: 'a' }), encode({ ack: 'b' }), encode([1, 2])]);
    const ends: number[] = [];
    for (let at = 0; at < stream.length; at = ends[ends.length - 1]!) ends.push(msgpackEnd(stream, at));
    expect(ends.map((e, i) => decode(stream.subarray(i === 0 ? 0 : ends[i - 1]!, e)))).toEqual([{ ack: 'a' }, { ack: 'b' }, [1, 2]]);
  });

  it('refuses the never-used type byte 0xc1', () => {
    expect(() => msgpackEnd(Buffer.from([0x91, 0xc1]), 0)).toThrow(MsgpackFormatError);
  });
});
