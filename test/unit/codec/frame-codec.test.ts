import { describe, expect, it } from 'vitest';
import { FrameDecoder, MAX_FRAME_BYTES } from '../../../src/codec/frame-decoder.js';
import { FrameEncoder, encodeFrame } from '../../../src/codec/frame-encoder.js';
import { type LogEntry, splitTimeNano, timeNanoOf } from '../../../src/codec/log-entry.js';
import { TslogsError } from '../../../src/errors.js';
import { refDecode, refFrame, type RefEntry } from '../../helpers/protobuf-reference.js';

interface Plain {
  source: string;
  timeNano: bigint;
  line: string;
  partial: boolean;
  meta?: { last: boolean; id: string; ordinal: number };
}

function decodeAll(chunks: Buffer[]): Plain[] {
  const out: Plain[] = [];
  const decoder = new FrameDecoder((e) => out.push(plain(e)));
  for (const c of chunks) decoder.push(c);
  decoder.end();
  return out;
}

function plain(e: LogEntry): Plain {
  const p: Plain = { source: e.source, timeNano: timeNanoOf(e), line: e.line.toString('latin1'), partial: e.partial };
  if (e.meta) p.meta = { ...e.meta };
  return p;
}

function toRef(p: Plain): RefEntry {
  return {
    source: p.source,
    time_nano: p.timeNano,
    line: Buffer.from(p.line, 'latin1'),
    partial: p.partial,
    partial_log_metadata: p.meta,
  };
}

function toEntry(p: Plain): LogEntry {
  return { source: p.source, ...splitTimeNano(p.timeNano), line: Buffer.from(p.line, 'latin1'), partial: p.partial, meta: p.meta };
}

const id = 'ab'.repeat(32);
const samples: Plain[] = [
  { source: 'stdout', timeNano: 1795896083920986228n, line: 'hello', partial: false },
  { source: 'stderr', timeNano: 1795896083920986229n, line: '', partial: false },
  { source: 'stdout', timeNano: 1795896083000000000n, line: 'no-newline', partial: true, meta: { last: false, id, ordinal: 1 } },
  { source: 'stdout', timeNano: 1795896083000000001n, line: 'x'.repeat(16384), partial: true, meta: { last: true, id, ordinal: 3 } },
  { source: 'stdout', timeNano: 1n, line: '\u00ff\u00fe raw bytes', partial: false },
  { source: 'stdout', timeNano: 999_999_999n, line: 'a', partial: false },
  { source: 'stdout', timeNano: -1_500_000_000n, line: 'before 1970', partial: false },
  { source: 'stdout', timeNano: 9_000_000_000_000_000_000n, line: 'far future', partial: false },
  { source: 'weird-source', timeNano: 0n, line: 'zero time', partial: false },
  { source: '', timeNano: 268435455n, line: '28 bits', partial: false },
  { source: 'stdout', timeNano: 268435456n, line: '28 bits + 1', partial: false },
];

describe('frame codec', () => {
  it('decodes the spec example frame of `echo hello` byte for byte', () => {
    const frame = Buffer.from('000000190a067374646f757410f4c080bd92bf93f6181a0568656c6c6f', 'hex');
    expect(decodeAll([frame])).toEqual([{ source: 'stdout', timeNano: 1795896083920986228n, line: 'hello', partial: false }]);
    expect(encodeFrame(toEntry(samples[0]!))).toEqual(frame);
  });

  it('encodes the spec partial-frame layout (partial flag, metadata id + ordinal, last omitted)', () => {
    const frame = encodeFrame(toEntry(samples[2]!));
    expect(frame.length).toBe(4 + 0x66);
    expect(frame.subarray(-72).toString('hex')).toBe('20012a441240' + Buffer.from(id).toString('hex') + '1801');
  });

  it.each(samples.map((s, i) => [i, s] as const))('matches protobufjs both ways for sample %i', (_i, sample) => {
    const ours = encodeFrame(toEntry(sample));
    expect(ours).toEqual(refFrame(toRef(sample)));
    expect(decodeAll([refFrame(toRef(sample))])).toEqual([sample]);
    const back = refDecode(ours.subarray(4));
    expect(back.time_nano ?? 0n).toBe(sample.timeNano);
  });

  it('decodes a stream split at every possible byte boundary', () => {
    const stream = Buffer.concat(samples.map((s) => refFrame(toRef(s))));
    for (let cut = 0; cut <= stream.length; cut += 7) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(samples);
    }
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(decodeAll(bytes)).toEqual(samples);
  });

  it('decodes many frames from one read', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...samples[0]!, line: `line ${i}`, timeNano: 1795896083920986228n + BigInt(i) }));
    expect(decodeAll([Buffer.concat(many.map((s) => refFrame(toRef(s))))])).toEqual(many);
  });

  it('skips unknown fields and accepts fields in any order', () => {
    const body = Buffer.concat([
      Buffer.from('1a026869', 'hex'), // line "hi" first
      Buffer.from('4a03616263', 'hex'), // unknown field 9, length-delimited
      Buffer.from('5801', 'hex'), // unknown field 11, varint
      Buffer.from('0a067374646572', 'hex').subarray(0, 2),
      Buffer.from('stderr'),
      Buffer.from('6501020304', 'hex'), // unknown field 12, fixed32
      Buffer.from('f9030102030405060708', 'hex'), // unknown field 63, fixed64, two-byte key
    ]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    expect(decodeAll([frame])).toEqual([{ source: 'stderr', timeNano: 0n, line: 'hi', partial: false }]);
  });

  it('rejects a length prefix above the limit with a clear error', () => {
    const decoder = new FrameDecoder(() => undefined);
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => decoder.push(bad)).toThrowError(TslogsError);
    expect(() => new FrameDecoder(() => undefined).push(bad)).toThrow(/log frame of 1000001 bytes exceeds the limit of 1000000 bytes/);
  });

  it('reports a stream that ends inside a frame', () => {
    const frame = refFrame(toRef(samples[0]!));
    const decoder = new FrameDecoder(() => undefined);
    decoder.push(frame.subarray(0, 10));
    expect(decoder.bufferedBytes).toBe(10);
    expect(() => decoder.end()).toThrow(/log stream ended inside a frame \(10 bytes left over\)/);
  });

  it('rejects a field whose length runs past the frame', () => {
    const body = Buffer.from('1a0568', 'hex');
    const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    expect(() => decodeAll([frame])).toThrow(/malformed LogEntry frame: field length 5 runs past the end of the frame/);
  });

  it('encoder batches frames into one buffer and starts afresh after take()', () => {
    const encoder = new FrameEncoder(16);
    for (const s of samples) encoder.add(toEntry(s));
    const batch = encoder.take();
    expect(batch).toEqual(Buffer.concat(samples.map((s) => refFrame(toRef(s)))));
    expect(encoder.length).toBe(0);
  });
});
