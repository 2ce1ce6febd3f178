import type { Sink, SinkEntry } from '../sinks/sink.js';
import { entriesAfter } from '../store/backlog.js';
import type { LiveLog } from '../store/live-log.js';
import { type FilePosition, LogStream, type StreamBatch } from '../store/log-stream.js';
import type { StoredEntry } from '../store/stored-entry.js';
import { shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { Backoff } from './backoff.js';
import { DeliveryStats, type DropReason } from './delivery-stats.js';
import { Retrier } from './retrier.js';
import type { CheckpointFile } from './checkpoint-file.js';
import { PartialAssembler } from './partial-assembler.js';
import { CompactBatch } from './compact-batch.js';
import { type Batch, type EntryOutput, ReadyQueue } from './ready-queue.js';
import type { TransformOptions } from './transforms/transform-options.js';
import { transformStage } from './transforms/transform-stage.js';
import { LingerClock } from './linger-clock.js';

/** The router options of a container (container-options.ts parses them), shared by its deliveries. */
export interface DeliveryOptions {
  reassemble: boolean;
  partialMaxBytes: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** After the container stopped, give up on the backlog after this long (0: never). */
  drainTimeoutMs: number;
  /** Multiline, rate limit and redaction for sinks (transforms/); absent when none is set. */
  transforms?: TransformOptions;
}

export { DeliveryStats, type DropReason };

/** Where a cursor without a checkpoint starts: new entries only (Docker's drivers), or the whole history (the sidecar). */
export type StartAt = 'end' | 'beginning';

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
  /** Bound to the container and sink. */
  log: Logger;
  /** Without a checkpoint: 'end' (default) or 'beginning'. */
  startAt?: StartAt;
  /**
   * The delivery this one replaces (its route changed) is over once this settles: only
   * then is the checkpoint it flushed read. The stream is opened at once regardless.
   */
  after?: Promise<unknown> | undefined;
  /** The replaced delivery's counters, carried on so that metrics never go back. */
  stats?: DeliveryStats | undefined;
}

/**
 * Store bytes a delivery reads at a time. A delivery behind a dead sink holds one
 * read's entries in memory, so this bounds it (a reader for `docker logs` reads 256 KiB).
 */
export const DELIVERY_READ_BYTES = 64 * 1024;

/** A batch handed to the sink and not settled yet. */
interface InFlight {
  entries: SinkEntry[];
  /** Safe once this batch and every one before it are acknowledged. */
  checkpoint: FilePosition;
  /** The send's outcome: undefined when acknowledged, else its error. Never rejects. */
  done: Promise<Error | undefined>;
  /** Entries the receiver refused in a batch it otherwise accepted (SinkAck), known once acknowledged. */
  rejected: number;
}

/**
 * One sink's cursor over one container's store: reads from the checkpoint, sends in
 * the sink's batch sizes with up to `sink.maxInFlight` batches awaiting their
 * acknowledgement, retries with backoff, and moves the checkpoint over the batches
 * acknowledged in order (written at most every CHECKPOINT_INTERVAL_MS). Nothing
 * here can slow ingest: the store is the buffer.
 */
export class Delivery {
  readonly stats: DeliveryStats;
  /** Set by stopAfter(): a successor (route changed) keeps the same deadline. */
  drainDeadlineMs: number | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  /** The open() StartLogging waited for, when the sink asked for a check before the container starts. */
  private firstOpen: Promise<void> | undefined;
  /** Sent and not yet settled, oldest first. */
  private inflight: InFlight[] = [];
  /** Read and not yet sent (the current drain's). */
  private pending: ReadyQueue | undefined;

  private readonly window: number;
  /** The sink's reachability probe, which ends a retry's backoff early once the receiver is back. */
  private readonly retrier: Retrier;

  constructor(private readonly p: DeliveryParams) {
    this.stats = p.stats ?? new DeliveryStats();
    const retryMinMs = p.sink.retryMinMs ?? p.options.retryMinMs;
    const sink = p.sink;
    this.retrier = new Retrier({
      backoff: new Backoff(retryMinMs, Math.max(p.sink.retryMaxMs ?? p.options.retryMaxMs, retryMinMs)),
      probe: sink.probe === undefined ? undefined : (timeoutMs) => sink.probe!(timeoutMs).catch(() => false),
      signal: this.abort.signal,
      stats: this.stats,
      log: p.log,
      label: this.label(),
    });
    this.window = Math.max(1, p.sink.maxInFlight ?? 1);
  }

  /**
   * Runs until the container is stopped and everything is delivered, or `stop()`.
   * The first stream is opened before anything is awaited, so it pins the store's files
   * from the moment the container starts: rotation cannot delete an entry unseen.
   */
  run(): Promise<void> {
    return this.loop(this.openStream());
  }

  /** Whether StartLogging must wait for openFirst() (Sink.openBeforeStart). */
  get opensBeforeStart(): boolean {
    return this.p.sink.openBeforeStart === true;
  }

  /** Opens the sink now, for a check that must pass before the container starts. */
  openFirst(): Promise<void> {
    this.firstOpen = this.p.sink.open();
    return this.firstOpen;
  }

  private async connect(): Promise<boolean> {
    if (this.firstOpen !== undefined && (await this.firstOpen.then(() => true, () => false))) return true;
    return (await this.retrier.retry('connect', () => this.p.sink.open())) === 'ok';
  }

  private openStream(): LogStream {
    return new LogStream(this.p.currentPath, {
      follow: true,
      live: this.p.live(),
      signal: this.abort.signal,
      maxFiles: this.p.maxFiles,
      maxReadBytes: DELIVERY_READ_BYTES,
      onLost: (n) => this.lost('rotated', n),
      invalidAsByte: true,
      onCorrupt: (file, offset) => {
        this.stats.dropped.corrupt++;
        this.retrier.warnOnce(`${this.label()}: skipped a line that is not a json-file entry in ${file} at byte ${offset}`);
      },
    });
  }

  private async loop(first: LogStream): Promise<void> {
    const signal = this.abort.signal;
    let stream: LogStream | undefined = first;
    try {
      if (this.p.after !== undefined) await this.p.after.catch(() => undefined);
      if (signal.aborted) return;
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
      await this.p.checkpoints.flush().catch((err: Error) => this.p.log.warn(`${this.label()}: cannot save the checkpoint: ${err.message}`));
      await this.p.sink.close().catch(() => undefined);
    }
  }

  /** Checkpoint writes so far (write + fsync + rename each). */
  get checkpointWrites(): number {
    return this.p.checkpoints.writes;
  }

  /** Stops at once (daemon shutdown); the checkpoint keeps what was acknowledged. */
  stop(): void {
    this.abort.abort();
  }

  /** Stops for a successor that carries on from the checkpoint (a route changed): this one's deadline must not fire for it. */
  handOver(): void {
    clearTimeout(this.deadline);
    this.stop();
  }

  /** Stops after `ms` unless done by then (a stopped container's backlog deadline). */
  stopAfter(ms: number): void {
    if (ms <= 0) return;
    this.drainDeadlineMs = ms;
    const timer = (this.deadline = setTimeout(() => {
      this.stop();
      void entriesAfter(this.p.currentPath, this.stats.checkpoint).then((n) => {
        this.stats.dropped.drain_timeout += n;
        this.p.log.error(`${this.label()}: gave up delivering the backlog of a stopped container after ${ms} ms: ${n} entries not sent`);
      });
    }, ms));
    timer.unref();
  }

  private async drain(stream: LogStream, from: FilePosition): Promise<FilePosition> {
    const assembler = new PartialAssembler(
      { reassemble: this.p.options.reassemble, maxBytes: this.p.options.partialMaxBytes, onCut: (n) => (this.stats.cutBytes += n) },
      from,
    );
    const pending = new ReadyQueue();
    this.pending = pending;
    const out = transformStage(this.p.options.transforms, pending, this.stats, from);
    const iterator = stream.batches();
    // Asked for only when this loop is ready for it: a batch read ahead while the sink
    // is down would stay in memory for as long as the outage lasts.
    let next: Promise<IteratorResult<StreamBatch>> | undefined;
    const linger = new LingerClock(this.p.sink.lingerMs);
    try {
      for (;;) {
        // With nothing pending, a transform may still want the clock (a rate-limit marker due).
        const waitMs = pending.length > 0 ? linger.remainingMs() : (out.idleMs?.() ?? 0);
        next ??= iterator.next();
        const event = await this.nextEvent(next, waitMs);
        if (event === 'settled') await this.settleHead();
        else if (event === 'timeout') {
          // The wait that just ended is quiet time too, by the timer's own clock.
          out.idle?.(Math.max(waitMs, linger.quietMs()));
          await this.sendAll(pending);
          linger.sent(pending.length > 0);
        } else {
          next = undefined;
          if (event.done) break;
          linger.arrived(pending.length === 0);
          collect(event.value, assembler, out);
          // The stream's suspended generator still references the batch: let go of its entries.
          event.value.entries = NO_ENTRIES;
          if ((await this.sendFull(pending, this.p.sink.lingerMs > 0)) > 0) linger.sent(pending.length > 0);
        }
      }
    } finally {
      // Not iterator.return(): it would wait for a generator parked waiting for the writer.
      next?.catch(() => undefined);
      stream.close();
    }
    if (!this.abort.signal.aborted) {
      assembler.flush(out);
      await this.sendAll(pending);
      while (this.inflight.length > 0 && !this.abort.signal.aborted) await this.settleHead();
    }
    if (this.abort.signal.aborted) await this.settleInFlight();
    return this.stats.checkpoint;
  }

  /**
   * Stopping: what is in flight still counts once acknowledged (a restart would send
   * it twice otherwise), up to the first failure, which is not retried now.
   */
  private async settleInFlight(): Promise<void> {
    const batches = this.inflight.splice(0);
    for (const f of batches) {
      if ((await f.done) !== undefined) return;
      this.settled(f, 'ok');
    }
  }

  /**
   * The next thing to act on: more entries from the store, the oldest batch in flight
   * settling (so a failure is retried while the store is quiet), or the linger
   * deadline of a batch that is not full.
   */
  private async nextEvent<T>(next: Promise<T>, lingerMs: number): Promise<T | 'settled' | 'timeout'> {
    const head = this.inflight[0];
    if (head === undefined && lingerMs <= 0) return next;
    let timer: NodeJS.Timeout | undefined;
    const waits: Promise<T | 'settled' | 'timeout'>[] = [next];
    if (head !== undefined) waits.push(head.done.then(() => 'settled' as const));
    if (lingerMs > 0) waits.push(new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), lingerMs))));
    try {
      return await Promise.race(waits);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends full batches, and says how many; the rest waits for more entries when the sink lingers. */
  private async sendFull(pending: ReadyQueue, linger: boolean): Promise<number> {
    let sent = 0;
    while (pending.length >= this.p.sink.maxBatchEntries || (!linger && pending.length > 0)) {
      if (!(await this.dispatchNext(pending))) break;
      sent++;
    }
    return sent;
  }

  private async sendAll(pending: ReadyQueue): Promise<void> {
    while (pending.length > 0) {
      if (!(await this.dispatchNext(pending))) return;
    }
  }

  /**
   * Hands the next batch to the sink once the window has room; false when stopping.
   * The batch is taken from the queue only then: taken before, it would wait in this
   * frame for as long as the sink is down, its lines (views of store reads) pinning
   * those reads, and the queue could not keep it compactly.
   */
  private async dispatchNext(pending: ReadyQueue): Promise<boolean> {
    while (this.inflight.length >= this.window && !this.abort.signal.aborted) await this.settleHead();
    if (this.abort.signal.aborted) return false;
    const batch = pending.take(this.p.sink.maxBatchEntries, this.p.sink.maxBatchBytes);
    if (batch !== undefined && batch.entries.length > 0) this.dispatch(batch);
    return true;
  }

  private dispatch({ entries, checkpoint }: Batch): void {
    const f: InFlight = { entries, checkpoint, done: Promise.resolve(undefined), rejected: 0 };
    f.done = this.send(f, entries).then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    this.inflight.push(f);
    if (this.inflight.length === 1) this.stats.oldestUnsent = entries[0]!.sec;
  }

  /**
   * Waits for the oldest batch in flight. After a failure, the batches sent behind it
   * settle first; then each one that failed is sent again, in order, until it is
   * acknowledged (or rejected): the checkpoint only ever moves over batches in order.
   */
  private async settleHead(): Promise<void> {
    const error = await this.inflight[0]!.done;
    if (error === undefined) {
      this.settled(this.inflight.shift()!, 'ok');
      return;
    }
    const batches = this.inflight.splice(0);
    const errors = await Promise.all(batches.map((f) => f.done));
    // A sink may stay down for hours: the batches waiting for it keep their lines
    // compactly, not the store reads they were views of.
    const kept = batches.map((f, i) => (errors[i] === undefined ? undefined : new CompactBatch(f.entries)));
    this.pending?.compact();
    batches.forEach((f, i) => {
      if (kept[i] !== undefined) f.entries = [];
    });
    this.stats.oldestUnsent = kept.find((b) => b !== undefined)?.firstSec ?? 0;
    for (let i = 0; i < batches.length; i++) {
      const f = batches[i]!;
      const batch = kept[i];
      const outcome = batch === undefined ? 'ok' : await this.retrier.retryAfter(errors[i]!, 'send', () => this.send(f, batch.entries()), batch.length);
      if (outcome === 'aborted') return;
      this.settled(f, outcome, batch);
    }
  }

  /** Sends `entries` as the batch `f`, keeping what the receiver refused of it. */
  private async send(f: InFlight, entries: readonly SinkEntry[]): Promise<void> {
    const ack = await this.p.sink.send(entries);
    f.rejected = Math.min(ack?.rejected ?? 0, entries.length);
  }

  /** `compact`: the batch's entries, when they were compacted for resending. */
  private settled(f: InFlight, outcome: 'ok' | 'rejected', compact?: CompactBatch): void {
    const entries = compact?.length ?? f.entries.length;
    if (outcome === 'rejected') this.stats.dropped.rejected += entries;
    else {
      this.retrier.succeeded();
      this.stats.dropped.rejected += f.rejected;
      this.stats.sentEntries += entries - f.rejected;
      const now = Date.now() / 1000;
      const latency = this.stats.latency;
      if (compact !== undefined) {
        this.stats.sentBytes += compact.lineBytes;
        compact.forEachTime((sec, nsec) => latency.observe(now - sec - nsec / 1e9));
      } else {
        for (const e of f.entries) {
          this.stats.sentBytes += e.line.length;
          latency.observe(now - e.sec - e.nsec / 1e9);
        }
      }
    }
    this.stats.checkpoint = f.checkpoint;
    this.stats.oldestUnsent = this.inflight[0]?.entries[0]!.sec ?? 0;
    this.p.checkpoints.saveSoon(f.checkpoint);
  }

  /** Entries the store no longer has for this cursor (the other drops are counted where they happen). */
  private lost(reason: 'rotated' | 'checkpoint_missing', entries: number): void {
    this.stats.dropped[reason] += entries;
    const what = reason === 'rotated' ? `${entries} entries rotated away before they were sent` : 'the checkpoint file is gone from the store; resuming at the oldest file';
    // Rotated entries are lost for this sink; a missing checkpoint only means some are sent again.
    if (reason === 'rotated') this.p.log.error(`${this.label()}: ${what}`);
    else this.p.log.warn(`${this.label()}: ${what}`);
  }

  private label(): string {
    return `container ${shortId(this.p.containerId)} sink ${this.p.sinkName}`;
  }
}

const NO_ENTRIES: readonly StoredEntry[] = [];

function collect(batch: StreamBatch, assembler: PartialAssembler, out: EntryOutput): void {
  const { entries, ends } = batch;
  const file = batch.position.file;
  for (let i = 0; i < entries.length; i++) assembler.push(entries[i]!, file, ends[i]!, out);
}
