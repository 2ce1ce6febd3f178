// The growable buffer encoders append to, so a whole batch is built in one buffer
// and written or sent at once.

/** A growable byte buffer that encoders append to; one write per batch. */
export class ByteSink {
  buf: Buffer;
  pos = 0;
  constructor(initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** A view of the bytes written so far; valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
  reset(): void {
    this.pos = 0;
  }
  /** Gives back a buffer grown for a burst (only when empty): the next batch grows it again. */
  shrink(toBytes: number): void {
    if (this.pos === 0 && this.buf.length > toBytes) this.buf = Buffer.allocUnsafe(toBytes);
  }
}

/** Appends ready-made bytes (a container's compiled constants), growing `out` as needed. */
export function appendBytes(out: ByteSink, part: Buffer): void {
  out.reserve(part.length);
  out.pos += part.copy(out.buf, out.pos);
}
