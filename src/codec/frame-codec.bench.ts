// Micro-benchmark beside the code: `npm run bench:micro`.
import { bench, describe } from 'vitest';
import { LogEntryType } from '../../test/helpers/protobuf-reference.js';
import { FrameDecoder } from './frame-decoder.js';
import { FrameEncoder } from './frame-encoder.js';

const encoder = new FrameEncoder();
for (let i = 0; i < 10_000; i++) {
  encoder.add({ source: i % 5 ? 'stdout' : 'stderr', sec: 1795896100 + (i >> 10), nsec: i * 7919, line: Buffer.from(`line ${i} of a typical length for a log`), partial: false, meta: undefined });
}
const frames = encoder.take();
const entries: { line: Buffer; sec: number; nsec: number }[] = [];
new FrameDecoder((e) => entries.push({ line: Buffer.from(e.line), sec: e.sec, nsec: e.nsec })).push(frames);

describe('LogEntry frames (10,000 per iteration)', () => {
  bench('decode in 64 KiB reads', () => {
    let n = 0;
    const decoder = new FrameDecoder(() => n++);
    for (let pos = 0; pos < frames.length; pos += 65536) decoder.push(frames.subarray(pos, pos + 65536));
  });
  // Why the codec is hand-written (README, dependencies): the same frames through protobufjs.
  bench('decode with protobufjs (reference)', () => {
    for (let pos = 0; pos < frames.length; ) {
      const length = frames.readUInt32BE(pos);
      LogEntryType.decode(frames.subarray(pos + 4, pos + 4 + length));
      pos += 4 + length;
    }
  });
  bench('encode', () => {
    const out = new FrameEncoder();
    for (const e of entries) out.add({ source: 'stdout', sec: e.sec, nsec: e.nsec, line: e.line, partial: false, meta: undefined });
    out.take();
  });
});
