// Logging FIFOs as dockerd makes them, created a few hundred per `mkfifo` (one process
// per FIFO would cost more than the input it carries).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Fifo } from '../helpers/fake-dockerd.js';

export type { Fifo };

export class FifoMaker {
  private ready: string[] = [];
  private n = 0;
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** A fresh FIFO path. */
  next(): string {
    if (this.ready.length === 0) {
      const batch = Array.from({ length: 256 }, () => path.join(this.dir, `f${this.n++}`));
      execFileSync('mkfifo', ['-m', '0600', ...batch]);
      this.ready = batch.reverse();
    }
    return this.ready.pop()!;
  }
}

/** dockerd's two ends of a FIFO the maker made. */
export function openFifo(fifoPath: string): Fifo {
  return new Fifo(path.dirname(fifoPath), path.basename(fifoPath), { exists: true });
}
