import { decodeMulti, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import { chunkId, compileRecords, encodeBatch, encodeMessage, type RecordSettings } from '../../../../src/sinks/fluentd/format.js';
import { decodeMessage } from '../../../helpers/fluentd-receiver.js';

// The container of the spec's observation (§11.3): ID 1aa59976c493…4db6, name /f1, label lab1=v1.
const ID = '1aa59976c493' + 'a'.repeat(48) + '4db6';
const T = 1795896165; // 0x6b0b3365
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const str = (s: string) => {
  const b = Buffer.from(s);
  if (b.length < 32) return Buffer.concat([Buffer.from([0xa0 | b.length]), b]);
  if (b.length < 256) return Buffer.concat([Buffer.from([0xd9, b.length]), b]);
  throw new Error('test helper: short strings only');
};

function settings(over: Partial<RecordSettings> = {}): RecordSettings {
  return { tag: ID.slice(0, 12), containerId: ID, containerName: '/f1', extra: { lab1: 'v1' }, subSecondPrecision: false, ...over };
}

const hello: SinkEntry = { line: Buffer.from('hello'), source: 'stdout', sec: T, nsec: 806738397 };

describe('fluentd message format (docs/docker-compat.md §11.3)', () => {
  it('is byte for byte the observed message: fixarray 4, tag, int32 seconds, map of 5 str, empty option', () => {
    const expected = Buffer.concat([
      hex('94'), str('1aa59976c493'), hex('d2 6b0b3365'), hex('85'),
      str('container_id'), str(ID), // str8: d9 40
      str('container_name'), str('/f1'),
      str('source'), str('stdout'),
      str('log'), str('hello'),
      str('lab1'), str('v1'),
      hex('80'),
    ]);
    const bytes = encodeMessage(hello, compileRecords(settings()));
    // Docker's key order is random; this one happens to be the observed order, so even the map matches.
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
    expect(bytes.subarray(0, 20).toString('hex')).toBe('94ac316161353939373663343933d26b0b336585');
    expect(bytes.subarray(20 + 13, 20 + 13 + 2).toString('hex')).toBe('d940');
  });

  it('sub-second precision and acks: EventTime fixext8 (d7 00, seconds, nanoseconds) and {"chunk": …} (observed)', () => {
    const records = compileRecords(settings({ tag: 'docker.f2', containerName: '/f2', extra: {}, subSecondPrecision: true }));
    const chunk = chunkId(T, hex('e6eef0aff0bddfbc'));
    expect(chunk).toBe('ZTMLawAAAADm7vCv8L3fvA==');
    const bytes = encodeMessage(hello, records, chunk);
    const head = Buffer.concat([hex('94'), str('docker.f2'), hex('d7 00 6b0b3365 3015d9dd'), hex('84')]);
    expect(bytes.subarray(0, head.length).toString('hex')).toBe(head.toString('hex'));
    const option = Buffer.concat([hex('81'), str('chunk'), hex('b8'), Buffer.from('ZTMLawAAAADm7vCv8L3fvA==')]);
    expect(bytes.subarray(bytes.length - option.length).toString('hex')).toBe(option.toString('hex'));
    const m = decodeMessage(bytes);
    expect(m.timeKind).toBe('eventtime');
    expect([m.sec, m.nsec]).toEqual([T, 806738397]);
    expect(m.record).toEqual({ container_id: ID, container_name: '/f2', source: 'stdout', log: 'hello' });
    expect(m.option).toEqual({ chunk: 'ZTMLawAAAADm7vCv8L3fvA==' });
  });

  it('chunk ids: standard base64 of int64 little-endian event seconds + 8 random bytes', () => {
    const id = chunkId(1, Buffer.alloc(8, 0xff));
    expect(Buffer.from(id, 'base64').toString('hex')).toBe('0100000000000000ffffffffffffffff');
    expect(id).toHaveLength(24);
    expect(id.endsWith('==')).toBe(true);
  });

  it('the seconds are msgp AppendInt64: smallest signed form, never uint', () => {
    const records = compileRecords(settings({ extra: {} }));
    const timeOf = (sec: number) => decodeMessage(encodeMessage({ ...hello, sec }, records));
    expect(timeOf(T).timeBytes.toString('hex')).toBe('d26b0b3365');
    expect(timeOf(0x7fffffff).timeBytes.toString('hex')).toBe('d27fffffff');
    // After 2038 Docker writes int64.
    expect(timeOf(2 ** 31).timeBytes.toString('hex')).toBe('d30000000080000000');
    expect(timeOf(5).timeBytes.toString('hex')).toBe('05');
    expect(timeOf(200).timeBytes.toString('hex')).toBe('d100c8');
    // What a generic JavaScript encoder writes instead (the difference fluentd may care about).
    expect(Buffer.from(encode(T)).toString('hex')).toBe('ce6b0b3365');
  });

  it('EventTime keeps the low 32 bits of the seconds, as Go int32() does', () => {
    const records = compileRecords(settings({ subSecondPrecision: true, extra: {} }));
    const m = decodeMessage(encodeMessage({ ...hello, sec: 2 ** 32 + 7, nsec: 999_999_999 }, records));
    expect(m.timeBytes.toString('hex')).toBe('d700' + '00000007' + '3b9ac9ff');
  });

  it('record: four keys, extras after them (replacing any of them, even log), partial keys last', () => {
    const extra = { log: 'from a label', source: 'env', partial_id: 'label', other: 'o' };
    const records = compileRecords(settings({ extra }));
    const plain = decodeMessage(encodeMessage(hello, records));
    expect(plain.record).toEqual({ container_id: ID, container_name: '/f1', source: 'env', log: 'from a label', partial_id: 'label', other: 'o' });
    expect(plain.keys).toEqual(['container_id', 'container_name', 'source', 'log', 'partial_id', 'other']);
    const chunk: SinkEntry = { ...hello, line: Buffer.from('x'.repeat(16384)), partial: { ordinal: 2, last: false, id: 'f'.repeat(64) } };
    const partial = decodeMessage(encodeMessage(chunk, records));
    expect(partial.keys).toEqual(['container_id', 'container_name', 'source', 'log', 'partial_id', 'other', 'partial_message', 'partial_ordinal', 'partial_last']);
    expect(partial.record).toMatchObject({ log: 'from a label', partial_message: 'true', partial_id: 'f'.repeat(64), partial_ordinal: '2', partial_last: 'false' });
  });

  it('attribute names are container data: `__proto__` is an ordinary key', () => {
    const extra = Object.create(null) as Record<string, string>;
    extra['__proto__'] = 'p';
    const raw = encodeMessage(hello, compileRecords(settings({ extra })));
    expect(raw.includes(Buffer.concat([str('__proto__'), str('p')]))).toBe(true);
    expect(raw[19]).toBe(0x85);
  });

  it('partial chunks carry partial_message/id/ordinal/last; the last may be empty', () => {
    const records = compileRecords(settings({ extra: {} }));
    const last = decodeMessage(encodeMessage({ line: Buffer.alloc(0), source: 'stderr', sec: T, nsec: 0, partial: { ordinal: 3, last: true, id: 'ab'.repeat(32) } }, records));
    expect(last.record).toEqual({ container_id: ID, container_name: '/f1', source: 'stderr', log: '', partial_message: 'true', partial_id: 'ab'.repeat(32), partial_ordinal: '3', partial_last: 'true' });
    expect(last.rawRecord.log!.length).toBe(0);
    expect(last.raw.includes(Buffer.concat([str('log'), hex('a0')]))).toBe(true);
  });

  it('the line goes out as a str of its exact bytes, invalid UTF-8 included, with str8/16/32 as the size requires', () => {
    const records = compileRecords(settings({ extra: {} }));
    const bad = Buffer.from([0x69, 0xff, 0xfe, 0xe2, 0x82, 0x0d]);
    const m = decodeMessage(encodeMessage({ ...hello, line: bad }, records));
    expect(m.rawRecord.log).toEqual(bad);
    const header = (n: number) => {
      const raw = encodeMessage({ ...hello, line: Buffer.alloc(n, 0x61) }, records);
      const at = raw.indexOf(Buffer.concat([str('log')])) + 4;
      return raw.subarray(at, at + 5).toString('hex');
    };
    expect(header(31)).toMatch(/^bf/);
    expect(header(32)).toMatch(/^d920/);
    expect(header(255)).toMatch(/^d9ff/);
    expect(header(256)).toMatch(/^da0100/);
    expect(header(40000)).toMatch(/^da9c40/);
    expect(header(65536)).toMatch(/^db00010000/);
  });

  it('map16 once the record has more than 15 keys, and non-ASCII keys and values as UTF-8', () => {
    const extra: Record<string, string> = {};
    for (let i = 0; i < 12; i++) extra[`k${i}`] = `v${i}`;
    extra['clé'] = 'été';
    const raw = encodeMessage(hello, compileRecords(settings({ extra })));
    const m = decodeMessage(raw);
    expect(Object.keys(m.record)).toHaveLength(17);
    expect(raw.subarray(0, 32).includes(hex('de0011'))).toBe(true);
    expect(m.record['clé']).toBe('été');
  });

  it('a batch is its messages back to back, each with its own chunk when acks are requested', () => {
    const records = compileRecords(settings());
    const batch: SinkEntry[] = [hello, { ...hello, line: Buffer.from('two'), sec: T + 1 }];
    const plain = encodeBatch(batch, records);
    expect(plain.chunks).toBeUndefined();
    expect(plain.payload).toEqual(Buffer.concat(batch.map((e) => encodeMessage(e, records))));
    const random = Buffer.from('0011223344556677' + '8899aabbccddeeff', 'hex');
    const acked = encodeBatch(batch, records, random);
    expect(acked.chunks).toEqual([chunkId(T, random.subarray(0, 8)), chunkId(T + 1, random.subarray(8))]);
    expect(acked.payload).toEqual(Buffer.concat(batch.map((e, i) => encodeMessage(e, records, acked.chunks![i]))));
    // A generic decoder reads the concatenation as the same messages.
    const decoded = [...decodeMulti(acked.payload)] as unknown[][];
    expect(decoded.map((m) => [m[0], m[1], (m[2] as Record<string, string>).log, m[3]])).toEqual([
      [ID.slice(0, 12), T, 'hello', { chunk: acked.chunks![0] }],
      [ID.slice(0, 12), T + 1, 'two', { chunk: acked.chunks![1] }],
    ]);
  });
});
