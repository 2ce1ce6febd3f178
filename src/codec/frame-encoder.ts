import { ByteSink } from '../util/byte-sink.js';
import type { LogEntry } from './log-entry.js';
import { timeNanoOf } from './log-entry.js';

/**
 * Encodes LogEntry frames exactly as dockerd's gogo-protobuf marshaller does
 * (docs/docker-compat.md §3.1: field-number order, proto3 defaults omitted) into one growing
 * buffer, so a ReadLogs batch becomes a single write.
 */
export class FrameEncoder {
  private readonly out: ByteSink;

  constructor(initialBytes = 64 * 1024) {
    this.out = new ByteSink(initialBytes);
  }

  get length(): number {
    return this.out.pos;
  }

  /** `newline`: end the line with "\n" (ReadLogs sends json-file's `log`, newline included). */
  add(entry: LogEntry, newline = false): void {
    const source = entry.source;
    const sourceLen = Buffer.byteLength(source);
    const meta = entry.partial ? entry.meta : undefined;
    const idLen = meta !== undefined ? Buffer.byteLength(meta.id) : 0;
    // Upper bound of the frame: prefix, keys, 10-byte varints, payloads.
    const lineLen = entry.line.length + (newline ? 1 : 0);
    this.out.reserve(4 + 11 + sourceLen + 11 + 11 + lineLen + 2 + 11 + 2 + 11 + idLen + 11);
    const b = this.out.buf;
    const start = this.out.pos;
    let p = start + 4;
    if (sourceLen > 0) {
      b[p++] = 0x0a;
      p = writeVarint(b, p, sourceLen);
      p += b.write(source, p, 'utf8');
    }
    if (entry.sec !== 0 || entry.nsec !== 0) {
      b[p++] = 0x10;
      p = writeTime(b, p, entry);
    }
    if (lineLen > 0) {
      b[p++] = 0x1a;
      p = writeVarint(b, p, lineLen);
      p += entry.line.copy(b, p);
      if (newline) b[p++] = 0x0a;
    }
    if (entry.partial) {
      b[p++] = 0x20;
      b[p++] = 0x01;
    }
    if (meta !== undefined) {
      const ordinal = meta.ordinal;
      const metaLen =
        (meta.last ? 2 : 0) + (idLen > 0 ? 1 + varintSize(idLen) + idLen : 0) + (ordinal !== 0 ? 1 + varintSize(ordinal >>> 0) : 0);
      b[p++] = 0x2a;
      p = writeVarint(b, p, metaLen);
      if (meta.last) {
        b[p++] = 0x08;
        b[p++] = 0x01;
      }
      if (idLen > 0) {
        b[p++] = 0x12;
        p = writeVarint(b, p, idLen);
        p += b.write(meta.id, p, 'utf8');
      }
      if (ordinal !== 0) {
        b[p++] = 0x18;
        p = ordinal < 0 ? writeBigVarint(b, p, BigInt.asUintN(64, BigInt(ordinal))) : writeVarint(b, p, ordinal);
      }
    }
    b.writeUInt32BE(p - start - 4, start);
    this.out.pos = p;
  }

  /** Returns the frames added since the last call; the encoder starts afresh. */
  take(): Buffer {
    const frames = Buffer.from(this.out.view());
    this.out.reset();
    return frames;
  }
}

export function encodeFrame(entry: LogEntry): Buffer {
  const encoder = new FrameEncoder(entry.line.length + 128);
  encoder.add(entry);
  return encoder.take();
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(b: Buffer, p: number, value: number): number {
  while (value >= 128) {
    b[p++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  b[p++] = value;
  return p;
}

function writeBigVarint(b: Buffer, p: number, value: bigint): number {
  while (value >= 128n) {
    b[p++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  b[p++] = Number(value);
  return p;
}

/** sec·1e9 + nsec as a varint without BigInt for present-day times (see readTime in the decoder). */
function writeTime(b: Buffer, p: number, entry: LogEntry): number {
  const { sec, nsec } = entry;
  if (sec < 0 || sec >= 2 ** 33) return writeBigVarint(b, p, BigInt.asUintN(64, timeNanoOf(entry)));
  const v = sec * 1953125; // sec·1e9 = v·2^9
  const lowSum = (v % 2 ** 19) * 512 + nsec;
  const low = lowSum % 2 ** 28;
  const high = Math.floor(v / 2 ** 19) + Math.floor(lowSum / 2 ** 28);
  if (high === 0) return writeVarint(b, p, low);
  for (let i = 0; i < 4; i++) b[p++] = ((low >>> (7 * i)) & 0x7f) | 0x80;
  return writeVarint(b, p, high);
}
