// Reads what a container's store file gains, across rotations: the file is renamed to
// `.1` when it reaches max-size (20 MB by default), so the descriptor kept open follows
// the renamed file to its end before the new current file is opened.
import fs from 'node:fs';

export class StoreTail {
  private fd = -1;
  private ino = -1;
  private offset = 0;

  constructor(readonly file: string) {}

  /** The bytes appended since the last call ('' before the file exists). */
  read(): Buffer {
    const parts: Buffer[] = [];
    for (;;) {
      if (this.fd < 0 && !this.open()) break;
      parts.push(this.drain());
      let current: number;
      try {
        current = fs.statSync(this.file).ino;
      } catch {
        break;
      }
      if (current === this.ino) break;
      // Rotated: what the old file got after our last read is already in `parts`.
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    return Buffer.concat(parts);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private open(): boolean {
    try {
      this.fd = fs.openSync(this.file, 'r');
    } catch {
      return false;
    }
    this.ino = fs.fstatSync(this.fd).ino;
    this.offset = 0;
    return true;
  }

  private drain(): Buffer {
    const size = fs.fstatSync(this.fd).size;
    if (size <= this.offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - this.offset);
    const n = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
    this.offset += n;
    return buf.subarray(0, n);
  }
}
