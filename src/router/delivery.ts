import type { Sink, SinkEntry } from '../sinks/sink.js';
import { SinkError } from '../sinks/sink.js';
import { entriesAfter } from '../store/backlog.js';
import type { LiveLog } from '../store/live-log.js';
import { type FilePosition, LogStream, type StreamBatch } from '../store/log-stream.js';
import { Backoff, sleep } from './backoff.js';
import type { CheckpointFile } from './checkpoint-file.js';
import { PartialAssembler, type Ready } from './partial-assembler.js';

export interface DeliveryOptions {
  reassemble: boolean;
  partialMaxBytes: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** After the container stopped, give up on the backlog after this long (0: never). */
  drainTimeoutMs: number;
}

/** Where a cursor without a checkpoint starts: new entries only (Docker's drivers), or the whole history (the sidecar). */
export type StartAt = 'end' | 'beginning';

export type DropReason = 'rotated' | 'rejected' | 'checkpoint_missing' | 'drain_timeout' | 'corrupt';

/** Plain counters, read by the metrics module at scrape time. */
export class DeliveryStats {
  sentEntries = 0;
  sentBytes = 0;
  retries = 0;
  cutBytes = 0;
  readonly dropped: Record<DropReason, number> = { rotated: 0, rejected: 0, checkpoint_missing: 0, drain_timeout: 0, corrupt: 0 };
  checkpoint: FilePosition = { file: '', offset: 0 };
  /** Capture time (Unix seconds) of the oldest entry read but not yet acknowledged; 0 when none. */
  oldestUnsent = 0;
  connected = false;
}

export interface DeliveryParams {
  containerId: string;
  sinkName: string;
  currentPath: string;
  /** The container's writer when it has one now (it changes across container restarts). */
  live: () => LiveLog | undefined;
  sink: Sink;
  checkpoints: CheckpointFile;
  options: DeliveryOptions;
  maxFiles: number;
  report: (message: string) => void;
  /** Without a checkpoint: 'end' (default) or 'beginning'. */
  startAt?: StartAt;
}

/**
 * One sink's cursor over one container's store: reads from the checkpoint, sends in
 * the sink's batch sizes, retries with backoff until acknowledged, and only then
 * moves the checkpoint. Nothing here can slow ingest: the store is the buffer.
 */
export class Delivery {
  readonly stats = new DeliveryStats();
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private reported = new Set<string>();
  /** The open() StartLogging waited for, when the sink asked for a check before the container starts. */
  private firstOpen: Promise<void> | undefined;

  constructor(private readonly p: DeliveryParams) {
    this.backoff = new Backoff(p.options.retryMinMs, p.options.retryMaxMs);
  }

  /**
   * Runs until the container is stopped and everything is delivered, or `stop()`.
   * The first stream is opened before anything is awaited, so it pins the store's files
   * from the moment the container starts: rotation cannot delete an entry unseen.
   */
  run(): Promise<void> {
    return this.loop(this.openStream());
  }

  /** Opens the sink now, for a check that must pass before the container starts. */
  openFirst(): Promise<void> {
    this.firstOpen = this.p.sink.open();
    return this.firstOpen;
  }

  private async connect(): Promise<boolean> {
    if (this.firstOpen !== undefined && (await this.firstOpen.then(() => true, () => false))) return true;
    return (await this.retry('connect', () => this.p.sink.open())) === 'ok';
  }

  private openStream(): LogStream {
    return new LogStream(this.p.currentPath, {
      follow: true,
      live: this.p.live(),
      signal: this.abort.signal,
      maxFiles: this.p.maxFiles,
      onLost: (n) => this.lost('rotated', n),
      invalidAsByte: true,
      onCorrupt: (file, offset) => {
        this.stats.dropped.corrupt++;
        this.reportOnce(`${this.label()}: skipped a line that is not a json-file entry in ${file} at byte ${offset}`);
      },
    });
  }

  private async loop(first: LogStream): Promise<void> {
    const signal = this.abort.signal;
    let stream: LogStream | undefined = first;
    try {
      if (!(await this.connect())) return;
      this.stats.connected = true;
      let position = this.p.checkpoints.load();
      while (!signal.aborted) {
        stream ??= this.openStream();
        if (position === undefined) {
          // A sink sees what is logged from now on, as Docker's drivers do (the sidecar may ask for all of it).
          if (this.p.startAt !== 'beginning') await stream.seekEnd();
          position = await stream.position();
          await this.p.checkpoints.save(position);
        } else if (!(await stream.seek(position))) {
          this.lost('checkpoint_missing', 0);
        }
        this.stats.checkpoint = position;
        position = await this.drain(stream, position);
        stream = undefined;
        // Synchronous from here: the router learns we are done in the same tick, so a
        // container that starts again gets a new delivery rather than racing this one.
        if (this.p.live()?.live !== true) break;
      }
    } finally {
      stream?.close();
      this.stats.connected = false;
      await this.p.sink.close().catch(() => undefined);
    }
  }

  /** Stops at once (daemon shutdown); the checkpoint keeps what was acknowledged. */
  stop(): void {
    this.abort.abort();
  }

  /** Stops after `ms` unless done by then (a stopped container's backlog deadline). */
  stopAfter(ms: number): void {
    if (ms <= 0) return;
    const timer = setTimeout(() => {
      this.stop();
      void entriesAfter(this.p.currentPath, this.stats.checkpoint).then((n) => {
        this.stats.dropped.drain_timeout += n;
        this.p.report(`${this.label()}: gave up delivering the backlog of a stopped container after ${ms} ms: ${n} entries not sent`);
      });
    }, ms);
    timer.unref();
  }

  private async drain(stream: LogStream, from: FilePosition): Promise<FilePosition> {
    const assembler = new PartialAssembler(
      { reassemble: this.p.options.reassemble, maxBytes: this.p.options.partialMaxBytes, onCut: (n) => (this.stats.cutBytes += n) },
      from,
    );
    let checkpoint = from;
    const pending: Ready[] = [];
    const iterator = stream.batches();
    let next = iterator.next();
    try {
      for (;;) {
        const linger = this.p.sink.lingerMs;
        const result = pending.length > 0 && linger > 0 ? await raceTimeout(next, linger) : await next;
        if (result === 'timeout') {
          checkpoint = await this.sendAll(pending.splice(0), checkpoint);
          continue;
        }
        if (result.done) break;
        next = iterator.next();
        collect(result.value, assembler, pending);
        checkpoint = await this.sendFull(pending, checkpoint, linger > 0);
      }
    } finally {
      // Not iterator.return(): it would wait for a generator parked waiting for the writer.
      next.catch(() => undefined);
      stream.close();
    }
    if (this.abort.signal.aborted) return checkpoint;
    assembler.flush(pending);
    return this.sendAll(pending.splice(0), checkpoint);
  }

  /** Sends full batches; the rest waits for more entries when the sink lingers. */
  private async sendFull(pending: Ready[], checkpoint: FilePosition, linger: boolean): Promise<FilePosition> {
    const { maxBatchEntries } = this.p.sink;
    while (pending.length >= maxBatchEntries || (!linger && pending.length > 0)) {
      checkpoint = await this.sendBatch(takeBatch(pending, maxBatchEntries, this.p.sink.maxBatchBytes), checkpoint);
    }
    return checkpoint;
  }

  private async sendAll(ready: Ready[], checkpoint: FilePosition): Promise<FilePosition> {
    while (ready.length > 0) checkpoint = await this.sendBatch(takeBatch(ready, this.p.sink.maxBatchEntries, this.p.sink.maxBatchBytes), checkpoint);
    return checkpoint;
  }

  private async sendBatch(batch: Ready[], checkpoint: FilePosition): Promise<FilePosition> {
    if (batch.length === 0 || this.abort.signal.aborted) return checkpoint;
    const entries: SinkEntry[] = batch.map((r) => r.entry);
    this.stats.oldestUnsent = entries[0]!.sec;
    const ok = await this.retry('send', () => this.p.sink.send(entries));
    this.stats.oldestUnsent = 0;
    if (ok === 'aborted') return checkpoint;
    if (ok === 'rejected') this.lost('rejected', entries.length);
    else {
      this.stats.sentEntries += entries.length;
      for (const e of entries) this.stats.sentBytes += e.line.length;
    }
    const next = batch[batch.length - 1]!.checkpoint;
    await this.p.checkpoints.save(next);
    this.stats.checkpoint = next;
    return next;
  }

  /** Retries until success, a non-retryable SinkError, or stop(). */
  private async retry(what: string, action: () => Promise<void>): Promise<'ok' | 'rejected' | 'aborted'> {
    for (;;) {
      if (this.abort.signal.aborted) return 'aborted';
      try {
        await action();
        this.backoff.reset();
        return 'ok';
      } catch (err) {
        const error = err as Error;
        if (error instanceof SinkError && !error.retryable) {
          this.p.report(`${this.label()}: ${what} rejected, batch dropped: ${error.message}`);
          return 'rejected';
        }
        this.stats.retries++;
        this.reportOnce(`${this.label()}: ${what} failed, retrying with backoff: ${error.message}`);
        await sleep(this.backoff.next(), this.abort.signal);
      }
    }
  }

  private lost(reason: DropReason, entries: number): void {
    this.stats.dropped[reason] += entries;
    const what = reason === 'checkpoint_missing' ? 'the checkpoint file is gone from the store; resuming at the oldest file' : `${entries} entries rotated away before they were sent`;
    this.p.report(`${this.label()}: ${what}`);
  }

  /** One line per distinct failure, not one per retry: a dead endpoint must not flood the daemon log. */
  private reportOnce(message: string): void {
    if (this.reported.has(message) || this.reported.size > 100) return;
    this.reported.add(message);
    this.p.report(message);
  }

  private label(): string {
    return `container ${this.p.containerId.slice(0, 12)} sink ${this.p.sinkName}`;
  }
}

function collect(batch: StreamBatch, assembler: PartialAssembler, out: Ready[]): void {
  for (let i = 0; i < batch.entries.length; i++) {
    assembler.push(batch.entries[i]!, { file: batch.position.file, offset: batch.ends[i]! }, out);
  }
}

function takeBatch(ready: Ready[], maxEntries: number, maxBytes: number): Ready[] {
  let bytes = 0;
  let n = 0;
  while (n < ready.length && n < maxEntries) {
    bytes += ready[n]!.entry.line.length;
    if (n > 0 && bytes > maxBytes) break;
    n++;
  }
  return ready.splice(0, n);
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
