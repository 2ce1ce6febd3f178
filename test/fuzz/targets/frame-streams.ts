// Byte streams as a broken or hostile dockerd could write them into a logging FIFO:
// valid frames with absurd values, then cut, corrupted, mis-sized or replaced by garbage.
import { FrameEncoder } from '../../../src/codec/frame-encoder.js';
import type { LogEntry } from '../../../src/codec/log-entry.js';
import type { Prng } from '../prng.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Length prefixes at and around every boundary the decoder has. */
const BOUNDARY_LENGTHS = [0, 1, 2, 127, 128, 16383, 16384, 16385, 65535, 65536, 999_999, 1_000_000, 1_000_001, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];

function timeNano(prng: Prng): bigint {
  return prng.weighted<() => bigint>([
    [5, () => BigInt(Date.now()) * 1_000_000n + BigInt(prng.int(0, 999_999))],
    [1, () => 0n],
    [1, () => INT64_MAX],
    [1, () => INT64_MIN],
    [1, () => -1n],
    [1, () => BigInt(prng.int(-1000, 1000))],
    [1, () => BigInt.asIntN(64, (BigInt(prng.u32()) << 32n) | BigInt(prng.u32()))],
    [1, () => 253402300799n * 1_000_000_000n + BigInt(prng.int(-2, 2))], // around year 9999
    [1, () => -62135596800n * 1_000_000_000n + BigInt(prng.int(-2, 2))], // around year 1
  ])();
}

function line(prng: Prng): Buffer {
  return prng.weighted<() => Buffer>([
    [4, () => Buffer.from(prng.string(prng.length(200)))],
    [2, () => Buffer.alloc(0)],
    [2, () => prng.bytes(prng.length(300))],
    [1, () => Buffer.from('\n'.repeat(prng.int(1, 4)))],
    [1, () => Buffer.from(prng.string(prng.int(16 * 1024 - 2, 16 * 1024 + 2)))],
    [0.05, () => Buffer.alloc(prng.int(100_000, 999_900), 'y')],
  ])();
}

function source(prng: Prng): string {
  return prng.weighted<() => string>([
    [8, () => prng.pick(['stdout', 'stderr'])],
    [1, () => ''],
    [1, () => prng.string(prng.length(40))],
  ])();
}

export function entry(prng: Prng): LogEntry {
  const ns = timeNano(prng);
  let sec = ns / 1_000_000_000n;
  let nsec = ns - sec * 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  const partial = prng.chance(0.2);
  const ordinal = prng.weighted<() => number>([
    [3, () => prng.int(1, 5)],
    [1, () => 0],
    [1, () => prng.int(-(2 ** 31), 2 ** 31 - 1)],
    [1, () => prng.pick([-1, 2 ** 31 - 1, -(2 ** 31)])],
  ])();
  const meta = partial && prng.chance(0.8) ? { last: prng.chance(0.4), id: prng.chance(0.8) ? prng.pick(['p1', 'p2', prng.string(prng.length(80))]) : '', ordinal } : undefined;
  return { source: source(prng), sec: Number(sec), nsec: Number(nsec), line: line(prng), partial, meta };
}

/** A protobuf varint of a value up to 64 bits. */
function varint(value: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 128n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

/** One field of any number and wire type, well formed or not. */
function field(prng: Prng): Buffer {
  const number = prng.weighted<() => number>([
    [3, () => prng.int(1, 5)],
    [2, () => prng.int(6, 20)],
    [1, () => prng.int(0, 2 ** 29 - 1)],
  ])();
  const wire = prng.int(0, 7);
  const key = varint(BigInt(number) * 8n + BigInt(wire));
  const body = prng.weighted<() => Buffer>([
    [2, () => varint(BigInt(prng.u32()) * BigInt(prng.u32()))],
    [2, () => {
      const payload = prng.bytes(prng.length(64));
      return Buffer.concat([varint(BigInt(payload.length)), payload]);
    }],
    [1, () => prng.bytes(prng.pick([4, 8]))],
    [1, () => varint(BigInt(prng.pick(BOUNDARY_LENGTHS)))], // a length running past the frame
    [1, () => Buffer.from(Array.from({ length: prng.int(10, 12) }, () => 0xff))], // an overlong varint
    [1, () => Buffer.alloc(0)],
  ])();
  return Buffer.concat([key, body]);
}

function framed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** A frame whose body is valid LogEntry fields mixed with unknown or broken ones. */
function mixedFrame(prng: Prng): Buffer {
  const parts: Buffer[] = [];
  const encoder = new FrameEncoder(1024);
  encoder.add(entry(prng));
  const valid = encoder.take().subarray(4);
  const n = prng.int(0, 4);
  for (let i = 0; i < n; i++) parts.push(field(prng));
  parts.splice(prng.int(0, parts.length), 0, valid);
  return framed(Buffer.concat(parts));
}

/** Mutations of a whole stream. */
function mutate(prng: Prng, stream: Buffer): Buffer {
  if (stream.length === 0) return stream;
  return prng.weighted<() => Buffer>([
    [2, () => stream.subarray(0, prng.int(0, stream.length - 1))], // truncated
    [2, () => {
      const out = Buffer.from(stream);
      for (let i = prng.int(1, 4); i > 0; i--) out[prng.int(0, out.length - 1)] = prng.int(0, 255);
      return out;
    }],
    [1, () => {
      const at = prng.int(0, stream.length);
      return Buffer.concat([stream.subarray(0, at), prng.bytes(prng.length(32)), stream.subarray(at)]);
    }],
    [1, () => {
      const at = prng.int(0, stream.length);
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(prng.pick(BOUNDARY_LENGTHS));
      return Buffer.concat([stream.subarray(0, at), prefix, stream.subarray(at)]);
    }],
  ])();
}

/** One fuzz input: the bytes a FIFO receives. */
export function frameStream(prng: Prng): Buffer {
  const kind = prng.weighted<() => Buffer>([
    [4, () => {
      const encoder = new FrameEncoder();
      for (let i = prng.length(40); i > 0; i--) encoder.add(entry(prng));
      return encoder.take();
    }],
    [2, () => Buffer.concat(Array.from({ length: prng.int(1, 6) }, () => mixedFrame(prng)))],
    [1, () => Buffer.concat(Array.from({ length: prng.int(1, 4) }, () => framed(prng.bytes(prng.length(200)))))], // garbage protobuf
    [1, () => prng.bytes(prng.length(2000))], // no framing at all
    [1, () => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(prng.pick(BOUNDARY_LENGTHS));
      return Buffer.concat([prefix, prng.bytes(prng.length(4000))]);
    }],
    [1, () => Buffer.alloc(prng.length(64))], // zero-length frames: 00 00 00 00 …
  ])();
  const stream = kind;
  return prng.chance(0.4) ? mutate(prng, stream) : stream;
}

/** Where the stream is cut into writes (a frame may straddle FIFO reads). */
export function splits(prng: Prng, length: number): number[] {
  if (length === 0 || prng.chance(0.5)) return [length];
  const cuts = new Set<number>();
  for (let i = prng.int(1, 6); i > 0; i--) cuts.add(prng.int(1, length));
  cuts.add(length);
  return [...cuts].sort((a, b) => a - b);
}
