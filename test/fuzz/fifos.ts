// Logging FIFOs as dockerd makes them, created a few hundred per `mkfifo` (one process
// per FIFO would cost more than the input it carries).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

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

/** dockerd's two ends of a FIFO: an O_RDWR descriptor that keeps it alive, and a write-only one. */
export class Fifo {
  private readonly held: number;
  private readonly socket: net.Socket;
  private closed = false;

  constructor(readonly path: string) {
    this.held = fs.openSync(path, fs.constants.O_RDWR);
    const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    this.socket = new net.Socket({ fd, readable: false, writable: true });
    this.socket.on('error', () => undefined);
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** dockerd closes its ends and unlinks the FIFO after StopLogging. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.socket.end(() => {
        this.socket.destroy();
        fs.closeSync(this.held);
        fs.rmSync(this.path, { force: true });
        resolve();
      });
    });
  }
}
