import { tslogsError, TslogsError } from '../errors.js';
import type { LogEntry, PartialMeta } from './log-entry.js';
import { splitTimeNano } from './log-entry.js';

/**
 * Largest frame accepted. dockerd's copier never produces frames above ~16.5 KB
 * (docs/docker-compat.md §3.2); the `local` driver rejects records above 1,000,000 bytes, and we
 * use the same bound so that a corrupt length cannot make us allocate gigabytes.
 */
export const MAX_FRAME_BYTES = 1_000_000;

/** Called once per decoded entry. The entry object and its `line` are reused: copy to keep. */
export type EntryHandler = (entry: LogEntry) => void;

/**
 * Incremental decoder for the length-prefixed LogEntry stream (docs/docker-compat.md §3.2).
 * Work is done per `push`, not per frame: frames are decoded in place from the
 * chunk and only a frame split across chunks is copied.
 */
export class FrameDecoder {
  private pending: Buffer | undefined;
  private readonly entry: LogEntry = { source: '', sec: 0, nsec: 0, line: Buffer.alloc(0), partial: false, meta: undefined };
  private readonly maxFrame: number;

  constructor(private readonly onEntry: EntryHandler, options: { maxFrameBytes?: number } = {}) {
    this.maxFrame = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Decodes every complete frame of `chunk` (plus what was held back).
   * Throws a TslogsError on an oversized or malformed frame; the stream cannot be
   * resynchronised after that, so the caller must stop decoding this stream.
   */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let pos = 0;
    const end = buf.length;
    while (end - pos >= 4) {
      const length = buf.readUInt32BE(pos);
      if (length > this.maxFrame) throw tslogsError('TSLOGS_FRAME_TOO_LARGE', length, this.maxFrame);
      if (end - pos - 4 < length) break;
      decodeEntry(buf, pos + 4, pos + 4 + length, this.entry);
      pos += 4 + length;
      this.onEntry(this.entry);
    }
    if (pos < end) this.pending = Buffer.from(buf.subarray(pos));
  }

  /** Call at end of stream: throws if a frame was cut off. */
  end(): void {
    if (this.pending !== undefined && this.pending.length > 0) {
      const left = this.pending.length;
      this.pending = undefined;
      throw tslogsError('TSLOGS_FRAME_TRUNCATED', left);
    }
  }
}

function malformed(detail: string): TslogsError {
  return tslogsError('TSLOGS_FRAME_MALFORMED', detail);
}

const EMPTY = Buffer.alloc(0);

/** Decodes one LogEntry message occupying buf[start, end) into `out`. */
export function decodeEntry(buf: Buffer, start: number, end: number, out: LogEntry): void {
  out.source = '';
  out.sec = 0;
  out.nsec = 0;
  out.line = EMPTY;
  out.partial = false;
  out.meta = undefined;
  let pos = start;
  while (pos < end) {
    const key = buf[pos++]!;
    if (key === 0x0a || key === 0x1a || key === 0x2a) {
      const [len, next] = readLength(buf, pos, end);
      const fieldEnd = next + len;
      if (key === 0x0a) out.source = sourceString(buf, next, fieldEnd);
      else if (key === 0x1a) out.line = buf.subarray(next, fieldEnd);
      else out.meta = decodeMeta(buf, next, fieldEnd);
      pos = fieldEnd;
    } else if (key === 0x10) {
      pos = readTime(buf, pos, end, out);
    } else if (key === 0x20) {
      out.partial = buf[pos] !== 0;
      pos = skipVarint(buf, pos, end);
    } else {
      pos = skipField(buf, pos, end, key);
    }
  }
  if (!out.partial) out.meta = undefined;
}

/** "stdout"/"stderr" come in every frame: recognise them without decoding a string. */
function sourceString(buf: Buffer, start: number, end: number): string {
  if (end - start === 6 && buf[start] === 0x73 && buf[start + 1] === 0x74 && buf[start + 2] === 0x64) {
    const c3 = buf[start + 3];
    const c4 = buf[start + 4];
    const c5 = buf[start + 5];
    if (c3 === 0x6f && c4 === 0x75 && c5 === 0x74) return 'stdout';
    if (c3 === 0x65 && c4 === 0x72 && c5 === 0x72) return 'stderr';
  }
  return buf.toString('utf8', start, end);
}

function decodeMeta(buf: Buffer, start: number, end: number): PartialMeta {
  const meta: PartialMeta = { last: false, id: '', ordinal: 0 };
  let pos = start;
  while (pos < end) {
    const key = buf[pos++]!;
    if (key === 0x08) {
      meta.last = buf[pos] !== 0;
      pos = skipVarint(buf, pos, end);
    } else if (key === 0x12) {
      const [len, next] = readLength(buf, pos, end);
      meta.id = buf.toString('latin1', next, next + len);
      pos = next + len;
    } else if (key === 0x18) {
      const [value, next] = readSmallVarint(buf, pos, end);
      meta.ordinal = value | 0;
      pos = next;
    } else {
      pos = skipField(buf, pos, end, key);
    }
  }
  return meta;
}

function readLength(buf: Buffer, pos: number, end: number): [number, number] {
  const [len, next] = readSmallVarint(buf, pos, end);
  if (next + len > end) throw malformed(`field length ${len} runs past the end of the frame`);
  return [len, next];
}

/** Varint known to fit in 53 bits (lengths, ordinals). */
function readSmallVarint(buf: Buffer, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw malformed('varint runs past the end of the frame');
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw malformed('varint longer than 10 bytes');
}

/**
 * time_nano as seconds + nanoseconds without BigInt: value = high·2^28 + low;
 * dividing by 1e9 = 2^9·1953125 stays exact in doubles for any time before 2^53·2^9 ns (year 2112+).
 * Negative or later times take the BigInt path.
 */
function readTime(buf: Buffer, pos: number, end: number, out: LogEntry): number {
  let low = 0;
  let i = 0;
  for (; i < 4; i++) {
    if (pos >= end) throw malformed('varint runs past the end of the frame');
    const b = buf[pos++]!;
    low |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      out.sec = Math.floor(low / 1e9);
      out.nsec = low - out.sec * 1e9;
      return pos;
    }
  }
  let high = 0;
  let scale = 1;
  const startHigh = pos;
  for (; i < 10; i++) {
    if (pos >= end) throw malformed('varint runs past the end of the frame');
    const b = buf[pos++]!;
    high += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) break;
    if (i === 9) throw malformed('varint longer than 10 bytes');
  }
  if (high < 2 ** 33) {
    const shifted = high * 2 ** 19 + (low >>> 9);
    const sec = Math.floor(shifted / 1953125);
    out.sec = sec;
    out.nsec = (shifted - sec * 1953125) * 512 + (low & 511);
    return pos;
  }
  const big = BigInt.asIntN(64, (readBigVarint(buf, startHigh, pos) << 28n) | BigInt(low));
  const split = splitTimeNano(big);
  out.sec = split.sec;
  out.nsec = split.nsec;
  return pos;
}

function readBigVarint(buf: Buffer, start: number, end: number): bigint {
  let value = 0n;
  let shift = 0n;
  for (let pos = start; pos < end; pos++) {
    value |= BigInt(buf[pos]! & 0x7f) << shift;
    shift += 7n;
  }
  return value;
}

function skipVarint(buf: Buffer, pos: number, end: number): number {
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw malformed('varint runs past the end of the frame');
    if (buf[pos++]! < 0x80) return pos;
  }
  throw malformed('varint longer than 10 bytes');
}

/** Unknown fields are skipped, as protobuf requires. The wire type sits in the low bits of the key's first byte. */
function skipField(buf: Buffer, pos: number, end: number, key: number): number {
  if (key & 0x80) pos = skipVarint(buf, pos, end);
  const wireType = key & 7;
  switch (wireType) {
    case 0:
      return skipVarint(buf, pos, end);
    case 1:
      if (pos + 8 > end) throw malformed('fixed64 field runs past the end of the frame');
      return pos + 8;
    case 2: {
      const [len, next] = readLength(buf, pos, end);
      return next + len;
    }
    case 5:
      if (pos + 4 > end) throw malformed('fixed32 field runs past the end of the frame');
      return pos + 4;
    default:
      throw malformed(`unsupported wire type ${wireType}`);
  }
}
