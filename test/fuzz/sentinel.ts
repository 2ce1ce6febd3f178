// A well-behaved container logging on the same daemon as the fuzzed inputs: after each
// group of inputs it writes one line, which must reach its store file. A line that is
// not there within the hang bound counts as lost.
import path from 'node:path';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { containerInfo } from '../helpers/container-info.js';
import { call, errOf, HANG_MS } from './client.js';
import { type Fifo, type FifoMaker, openFifo } from './fifos.js';
import { StoreTail } from './store-tail.js';

export const SENTINEL_ID = '5e'.repeat(32);

export class Sentinel {
  sent = 0;
  lost = 0;
  private fifo: Fifo | undefined;
  private tail: StoreTail | undefined;
  private seen = 0;
  private rest = '';

  constructor(
    private readonly socket: string,
    private readonly root: string,
    private readonly fifos: FifoMaker,
    /** Bytes of filler per line, so slow readers of the sentinel have something to hold back. */
    private readonly filler = 0,
  ) {}

  get file(): string {
    return path.join(this.root, 'containers', SENTINEL_ID, `${SENTINEL_ID}-json.log`);
  }

  async start(): Promise<void> {
    this.fifo = openFifo(this.fifos.next());
    const answer = await call(this.socket, 'LogDriver.StartLogging', { File: this.fifo.path, Info: containerInfo({ ContainerID: SENTINEL_ID, ContainerName: '/sentinel' }) });
    if (errOf(answer) !== '') throw new Error(`the sentinel could not start: ${errOf(answer)}`);
  }

  /** Writes the next line and waits for it in the store; false when it did not arrive. */
  async beat(): Promise<boolean> {
    const n = ++this.sent;
    const now = Date.now();
    const line = Buffer.from(`sentinel ${n} ${'x'.repeat(this.filler)}`);
    await this.fifo!.write(encodeFrame({ source: 'stdout', sec: Math.floor(now / 1000), nsec: (now % 1000) * 1e6, line, partial: false, meta: undefined }));
    const deadline = Date.now() + HANG_MS;
    while (this.seen < n) {
      this.readNew();
      if (this.seen >= n) break;
      if (Date.now() > deadline) {
        this.lost += n - this.seen;
        this.seen = n;
        return false;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  async stop(): Promise<void> {
    await call(this.socket, 'LogDriver.StopLogging', { File: this.fifo!.path });
    await this.fifo!.close();
    this.tail?.close();
  }

  private readNew(): void {
    this.tail ??= new StoreTail(this.file);
    const lines = (this.rest + this.tail.read().toString('utf8')).split('\n');
    this.rest = lines.pop()!;
    for (const l of lines) {
      const m = /"log":"sentinel (\d+) /.exec(l);
      if (m !== null && Number(m[1]) === this.seen + 1) this.seen++;
    }
  }
}
