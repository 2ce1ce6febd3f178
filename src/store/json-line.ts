import type { LogEntry } from '../codec/log-entry.js';
import { endsLine } from '../codec/log-entry.js';
import { escapeInto } from '../go/json-escape.js';
import { dateTimePrefix, formatRfc3339Nano } from '../go/time.js';
import type { ByteSink } from '../util/byte-sink.js';

// Encodes entries as json-file lines byte-identical to Docker's hand-written
// encoder (docs/docker-compat.md §6.2-6.3): `{"log":…,"stream":…[,"attrs":…],"time":…}\n`.

const LOG_OPEN = Buffer.from('{"log":"');
const TIME_OPEN = Buffer.from(',"time":"');

/** Copies a short constant; a byte loop beats Buffer.copy's call overhead at this size. */
function put(src: Buffer, out: Buffer, p: number): number {
  for (let i = 0; i < src.length; i++) out[p++] = src[i]!;
  return p;
}

export class JsonLineEncoder {
  private readonly attrsPart: Buffer;
  private readonly streamParts = new Map<string, Buffer>();
  private prefixSec = Number.NaN;
  private readonly prefix = Buffer.alloc(19);
  private lastSec = Number.NaN;
  private lastNsec = 0;

  /** `attrsJson` is the Go-JSON object of tag + extra attributes, or undefined when empty. */
  constructor(attrsJson: string | undefined) {
    this.attrsPart = Buffer.from(attrsJson === undefined ? '' : `,"attrs":${attrsJson}`);
  }

  /** Time of the last entry encoded: rotated gzip files record it (docs/docker-compat.md §6.6). */
  get lastTime(): string {
    return Number.isNaN(this.lastSec) ? '' : formatRfc3339Nano(this.lastSec, this.lastNsec);
  }

  /** Appends one line to `sink`; returns the number of bytes appended. Throws for years outside 0-9999. */
  encode(entry: LogEntry, sink: ByteSink): number {
    const line = entry.line;
    const stream = this.streamPart(entry.source);
    if (entry.sec !== this.prefixSec) {
      this.prefix.write(dateTimePrefix(entry.sec), 0, 'latin1');
      this.prefixSec = entry.sec;
    }
    sink.reserve(8 + line.length * 6 + 2 + stream.length + this.attrsPart.length + 9 + 30 + 3);
    const b = sink.buf;
    const start = sink.pos;
    let p = put(LOG_OPEN, b, start);
    p = escapeInto(line, b, p);
    if (endsLine(entry)) {
      b[p++] = 0x5c; // \n
      b[p++] = 0x6e;
    }
    p = put(stream, b, p);
    if (this.attrsPart.length > 0) p += this.attrsPart.copy(b, p);
    p = put(TIME_OPEN, b, p);
    p = put(this.prefix, b, p);
    p = writeFraction(entry.nsec, b, p);
    b[p++] = 0x5a; // Z
    b[p++] = 0x22;
    b[p++] = 0x7d;
    b[p++] = 0x0a;
    sink.pos = p;
    this.lastSec = entry.sec;
    this.lastNsec = entry.nsec;
    return p - start;
  }

  /** `","stream":"<source>"` with the source escaped like the log value. */
  private streamPart(source: string): Buffer {
    let part = this.streamParts.get(source);
    if (part === undefined) {
      const raw = Buffer.from(source);
      const tmp = Buffer.alloc(raw.length * 6 + 16);
      let p = tmp.write('","stream":"', 0, 'latin1');
      p = escapeInto(raw, tmp, p);
      tmp[p++] = 0x22;
      part = Buffer.from(tmp.subarray(0, p));
      if (this.streamParts.size < 16) this.streamParts.set(source, part);
    }
    return part;
  }
}

/** `.` + nanoseconds with trailing zeros trimmed (nothing when zero), as Go's RFC3339Nano. */
function writeFraction(nsec: number, b: Buffer, p: number): number {
  if (nsec === 0) return p;
  b[p] = 0x2e;
  // nsec < 1e9 < 2^31: integer division by `| 0` is far cheaper than % and Math.floor.
  let n = nsec;
  for (let i = 9; i > 0; i--) {
    const q = (n / 10) | 0;
    b[p + i] = 0x30 + n - q * 10;
    n = q;
  }
  let last = p + 9;
  while (b[last] === 0x30) last--;
  return last + 1;
}
