// Where one msgpack object ends in a stream, without decoding it: the receivers in
// tests use it to compare a message's time and record with Docker's bytes.

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
