// The two msgpack pieces the fluentd sink needs, written to produce exactly the
// bytes of Docker's encoder (tinylib/msgp, docs/docker-compat.md §11.3): a writer for the
// smallest-form headers msgp emits, and a scanner that finds where one object
// ends in a stream (for the acknowledgements read back from the connection).

import { ByteSink } from '../../util/byte-sink.js';

/** A growable output buffer with msgp's encodings. */
export class MsgpackWriter extends ByteSink {
  constructor(initial = 64 * 1024) {
    super(initial);
  }

  get length(): number {
    return this.pos;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** msgp.AppendString header: fixstr up to 31 bytes, then str8, str16, str32. */
  strHeader(n: number): void {
    this.reserve(5);
    const b = this.buf;
    if (n < 32) b[this.pos++] = 0xa0 | n;
    else if (n < 0x100) {
      b[this.pos++] = 0xd9;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = 0xda;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdb;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  /** A str of raw bytes (Go strings may hold invalid UTF-8; they go out as they are). */
  strBytes(b: Uint8Array): void {
    this.strHeader(b.length);
    this.bytes(b);
  }

  /** A str of a JS string, UTF-8 encoded. */
  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.strHeader(n);
    this.reserve(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** msgp.AppendMapHeader: fixmap up to 15 entries, then map16, map32. */
  mapHeader(n: number): void {
    this.reserve(5);
    const b = this.buf;
    if (n < 16) b[this.pos++] = 0x80 | n;
    else if (n < 0x10000) {
      b[this.pos++] = 0xde;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdf;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  /**
   * msgp.AppendInt64: the smallest *signed* form. A positive value above 32767 is
   * an int32 (`d2`), never a uint32 (`ce`) as most JavaScript encoders write it.
   */
  int(n: number): void {
    this.reserve(9);
    const b = this.buf;
    if (n >= 0) {
      if (n <= 0x7f) b[this.pos++] = n;
      else if (n <= 0x7fff) {
        b[this.pos++] = 0xd1;
        b.writeInt16BE(n, this.pos);
        this.pos += 2;
      } else if (n <= 0x7fff_ffff) {
        b[this.pos++] = 0xd2;
        b.writeInt32BE(n, this.pos);
        this.pos += 4;
      } else {
        b[this.pos++] = 0xd3;
        b.writeBigInt64BE(BigInt(n), this.pos);
        this.pos += 8;
      }
    } else if (n >= -32) b[this.pos++] = n & 0xff;
    else if (n >= -0x80) {
      b[this.pos++] = 0xd0;
      b.writeInt8(n, this.pos);
      this.pos += 1;
    } else if (n >= -0x8000) {
      b[this.pos++] = 0xd1;
      b.writeInt16BE(n, this.pos);
      this.pos += 2;
    } else if (n >= -0x8000_0000) {
      b[this.pos++] = 0xd2;
      b.writeInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0xd3;
      b.writeBigInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /**
   * Fluentd's EventTime: ext type 0 as fixext8 (`d7 00`), seconds then nanoseconds,
   * both big-endian 32-bit. Go converts the seconds with int32(), so only the low
   * 32 bits are kept (the year-2038 limit of the format).
   */
  eventTime(sec: number, nsec: number): void {
    this.reserve(10);
    const b = this.buf;
    b[this.pos++] = 0xd7;
    b[this.pos++] = 0x00;
    b.writeUInt32BE(sec >>> 0, this.pos);
    b.writeUInt32BE(nsec >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** A copy of what was written; the writer can be reused after reset(). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

}

/** Raised for a byte that starts no msgpack object (0xc1). */
export class MsgpackFormatError extends Error {
  constructor(offset: number, byte: number) {
    super(`invalid msgpack type byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}`);
    this.name = 'MsgpackFormatError';
  }
}

/**
 * Where the msgpack object starting at `start` ends, or -1 when `b` does not hold
 * all of it yet. Nothing is decoded; nesting is tracked by counting the objects
 * still expected.
 */
export function msgpackEnd(b: Uint8Array, start: number): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = start;
  let expected = 1;
  while (expected > 0) {
    if (pos >= b.length) return -1;
    const t = b[pos]!;
    expected--;
    let header = 1;
    let body = 0;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) {
      // fixint, nil, false, true
    } else if (t <= 0x8f) expected += 2 * (t & 0x0f);
    else if (t <= 0x9f) expected += t & 0x0f;
    else if (t <= 0xbf) body = t & 0x1f;
    else {
      // Headers with a length field: make sure the field itself has arrived.
      const need = (n: number): boolean => pos + n <= b.length;
      switch (t) {
        case 0xc4: case 0xd9: // bin8, str8
          if (!need(2)) return -1;
          header = 2;
          body = b[pos + 1]!;
          break;
        case 0xc5: case 0xda: // bin16, str16
          if (!need(3)) return -1;
          header = 3;
          body = view.getUint16(pos + 1);
          break;
        case 0xc6: case 0xdb: // bin32, str32
          if (!need(5)) return -1;
          header = 5;
          body = view.getUint32(pos + 1);
          break;
        case 0xc7: // ext8: length, type
          if (!need(2)) return -1;
          header = 3;
          body = b[pos + 1]!;
          break;
        case 0xc8: // ext16
          if (!need(3)) return -1;
          header = 4;
          body = view.getUint16(pos + 1);
          break;
        case 0xc9: // ext32
          if (!need(5)) return -1;
          header = 6;
          body = view.getUint32(pos + 1);
          break;
        case 0xca: body = 4; break; // float32
        case 0xcb: body = 8; break; // float64
        case 0xcc: case 0xd0: body = 1; break;
        case 0xcd: case 0xd1: body = 2; break;
        case 0xce: case 0xd2: body = 4; break;
        case 0xcf: case 0xd3: body = 8; break;
        case 0xd4: body = 2; break; // fixext1: type + 1
        case 0xd5: body = 3; break;
        case 0xd6: body = 5; break;
        case 0xd7: body = 9; break;
        case 0xd8: body = 17; break;
        case 0xdc: // array16
          if (!need(3)) return -1;
          header = 3;
          expected += view.getUint16(pos + 1);
          break;
        case 0xdd: // array32
          if (!need(5)) return -1;
          header = 5;
          expected += view.getUint32(pos + 1);
          break;
        case 0xde: // map16
          if (!need(3)) return -1;
          header = 3;
          expected += 2 * view.getUint16(pos + 1);
          break;
        case 0xdf: // map32
          if (!need(5)) return -1;
          header = 5;
          expected += 2 * view.getUint32(pos + 1);
          break;
        default: // 0xc1, never used
          throw new MsgpackFormatError(pos, t);
      }
    }
    pos += header + body;
  }
  return pos > b.length ? -1 : pos;
}
