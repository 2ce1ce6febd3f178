// `--grep` inside the daemon runs on a worker thread with a deadline. JavaScript regexes
// backtrack: a pattern like `(a+)+$` or `.*.*.*x` can run for hours on one line, and on
// the daemon's thread that would stop every container's ingest (dockerd then blocks the
// containers on their pipes). A worker can be terminated mid-match; the daemon cannot.

import { Worker } from 'node:worker_threads';

/** Lines of one batch are sent as one string: a stored line never contains `\n`. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.source, workerData.flags);
parentPort.on('message', (text) => {
  const lines = text.split('\\n');
  const out = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) out[i] = re.test(lines[i]) ? 1 : 0;
  parentPort.postMessage(out, [out.buffer]);
});
`;

export class GrepTimeout extends Error {}

export class GrepWorker {
  private readonly worker: Worker;
  private failed: Error | undefined;

  constructor(
    re: RegExp,
    private readonly timeoutMs = 2000,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { source: re.source, flags: re.flags.replace(/[gy]/g, '') } });
    this.worker.unref();
    this.worker.on('error', (err) => (this.failed = err));
  }

  /** Which of `lines` match; rejects with GrepTimeout when a batch takes longer than the deadline. */
  match(lines: readonly string[]): Promise<Uint8Array> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        fn();
      };
      const onMessage = (out: Uint8Array): void => done(() => resolve(out));
      const onError = (err: Error): void => done(() => reject(err));
      const timer = setTimeout(
        () =>
          done(() => {
            void this.worker.terminate();
            reject(new GrepTimeout(`--grep took more than ${this.timeoutMs / 1000} s on ${lines.length} lines (a backtracking pattern, such as a repeated group that repeats); the daemon stopped it`));
          }),
        this.timeoutMs,
      );
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.postMessage(lines.join('\n'));
    });
  }

  close(): void {
    void this.worker.terminate();
  }
}
