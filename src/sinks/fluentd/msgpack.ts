// The msgpack writer of the fluentd sink, written to produce exactly the bytes of
// Docker's encoder (tinylib/msgp, docs/docker-compat.md §11.3): the smallest-form
// headers msgp emits. Acknowledgements are read with @msgpack/msgpack's stream decoder.

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
    } else this.length16or32(n, 0xda, 0xdb);
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
    else this.length16or32(n, 0xde, 0xdf);
  }

  /** The 16- and 32-bit length forms str and map headers share; room for 5 bytes is reserved. */
  private length16or32(n: number, code16: number, code32: number): void {
    const b = this.buf;
    if (n < 0x10000) {
      b[this.pos++] = code16;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = code32;
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
    if (n >= 0 ? n <= 0x7f : n >= -32) b[this.pos++] = n & 0xff;
    else if (n < 0 && n >= -0x80) {
      b[this.pos++] = 0xd0;
      b.writeInt8(n, this.pos);
      this.pos += 1;
    } else this.signedWide(n);
  }

  /** int16, int32 or int64, the smallest that holds `n`; room for 9 bytes is reserved. */
  private signedWide(n: number): void {
    const b = this.buf;
    if (n >= -0x8000 && n <= 0x7fff) {
      b[this.pos++] = 0xd1;
      b.writeInt16BE(n, this.pos);
      this.pos += 2;
    } else if (n >= -0x8000_0000 && n <= 0x7fff_ffff) {
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
