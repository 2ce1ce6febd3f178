import { isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { LogEntry } from '../codec/log-entry.js';
import type { RotationPolicy } from '../config/json-file-options.js';
import { endsLine } from '../codec/log-entry.js';
import type { Logger } from '../util/log.js';
import type { LiveLog, LiveLogEvents } from './live-log.js';
import { type FreshBatch, RECENT_MS, RecentEntries } from './recent-entries.js';
import type { StoredEntry } from './stored-entry.js';
import { JsonLineEncoder } from './json-line.js';
import { ByteSink } from '../util/byte-sink.js';
import { containerDir, currentLogPath } from './layout.js';
import { RotatingFile } from './rotating-file.js';

/** The entries of the batch being encoded, kept for readers while someone follows. */
interface Pending {
  entries: StoredEntry[];
  /** Offset in the batch just after each entry. */
  ends: number[];
  invalid: number[];
}

const BATCH_BUFFER_BYTES = 16 * 1024;
const QUIET_MS = 1000;

/**
 * The json-file store of one container: entries are encoded into a batch and
 * written with one syscall per batch; rotation happens between entries exactly
 * where Docker's would. When a write fails (full disk), the unwritten bytes are
 * kept and `blocked` is set so ingest can stop reading until a later flush succeeds.
 * While readers follow, each written batch is also kept in memory for a moment
 * (RecentEntries), so that those caught up need not read it back.
 */
export class ContainerLog extends EventEmitter<LiveLogEvents> implements LiveLog {
  readonly path: string;
  // Grows to the largest batch; most containers log little, so it starts small.
  private readonly sink = new ByteSink(BATCH_BUFFER_BYTES);
  /** Successful writes so far: the quiet check compares it across a QUIET_MS tick. */
  private flushes = 0;
  private quietCheck: NodeJS.Timeout | undefined;
  private readonly encoder: JsonLineEncoder;
  private readonly file: RotatingFile;
  private writers = 0;
  /** Entries in the current file, -1 when it already existed (not counted, to keep opening cheap). */
  private linesInFile = 0;
  /** Files opened so far (LiveLog.generation). */
  private opened = 0;
  private readonly recentEntries = new RecentEntries();
  /** Undefined while no reader is caught up, and after a failed write until the batch is all on disk. */
  private pending: Pending | undefined;
  /** When a reader last said it was caught up (Date.now()). */
  private caughtUpAt = Number.NEGATIVE_INFINITY;
  blocked: Error | undefined;
  /** Writes the disk refused (each retry that fails counts), for metrics. */
  writeFailures = 0;

  constructor(
    readonly root: string,
    readonly containerId: string,
    readonly policy: RotationPolicy,
    attrsJson: string | undefined,
    private readonly log: Logger,
  ) {
    super();
    this.setMaxListeners(0);
    this.path = currentLogPath(root, containerId);
    this.encoder = new JsonLineEncoder(attrsJson);
    this.file = new RotatingFile(this.path, policy, log);
  }

  /** Whether a logging session is writing this container now (followers keep waiting while it is). */
  get live(): boolean {
    return this.writers > 0;
  }

  get generation(): number | undefined {
    return this.file.isOpen ? this.opened : undefined;
  }

  recent(generation: number, offset: number): FreshBatch | undefined {
    return this.recentEntries.at(generation, offset);
  }

  caughtUp(): void {
    this.caughtUpAt = Date.now();
  }

  writtenSize(generation: number): number | undefined {
    return this.file.isOpen && generation === this.opened ? this.file.size : undefined;
  }

  attachWriter(): void {
    this.writers++;
  }

  detachWriter(): void {
    this.writers--;
    if (this.writers === 0) {
      this.flush();
      this.file.close();
      this.giveBackBuffer();
      this.emit('idle');
    }
  }

  /** Bytes held for batching; BATCH_BUFFER_BYTES once the container has been quiet. */
  get batchBufferBytes(): number {
    return this.sink.buf.length;
  }

  append(entry: LogEntry): void {
    if (!this.file.isOpen) this.openFile();
    if (this.blocked === undefined && this.file.mustRotate(this.sink.pos) && this.file.size + this.sink.pos > 0) {
      if (this.flush()) {
        this.rotate();
      }
    }
    // A kept batch must start where the batch does, so that its offsets are the file's. Readers
    // that are behind (a sink that is down or slow) read the file: keeping entries for them
    // would only age them into the old generation of the heap.
    if (this.pending === undefined && this.sink.pos === 0 && Date.now() - this.caughtUpAt < RECENT_MS) this.pending = { entries: [], ends: [], invalid: [] };
    try {
      this.encoder.encode(entry, this.sink);
      if (this.linesInFile >= 0) this.linesInFile++;
      if (this.pending !== undefined) keep(entry, this.sink.pos, this.pending);
    } catch (err) {
      // Only a timestamp outside years 0-9999 fails to encode; Docker drops such an entry too.
      this.log.error(`container ${this.containerId}: entry dropped: ${(err as Error).message}`);
    }
  }

  /** Writes what is batched. Returns false (and sets `blocked`) when the disk refused it. */
  flush(): boolean {
    if (this.sink.pos === 0) return true;
    if (!this.file.isOpen) this.openFile();
    const data = this.sink.view();
    const { written, error } = this.file.write(data);
    if (written === data.length) {
      this.sink.reset();
      this.flushes++;
      this.watchForQuiet();
      this.blocked = undefined;
      this.publish(data.length);
      this.emit('append');
      return true;
    }
    // What is kept no longer matches the batch: readers read this part from the file.
    this.pending = undefined;
    data.copy(this.sink.buf, 0, written);
    this.sink.pos = data.length - written;
    this.writeFailures++;
    if (this.blocked === undefined) this.log.warn(`container ${this.containerId}: ${error!.message}`);
    this.blocked = error;
    if (written > 0) this.emit('append');
    return false;
  }

  /**
   * A burst grows the batch buffer to its largest batch (256 KiB and more), which an idle
   * container would then hold for good: 25 MB for 100 containers that logged a burst
   * once. After a QUIET_MS tick without a write, the buffer goes back to its first size.
   */
  private watchForQuiet(): void {
    if (this.quietCheck !== undefined || this.sink.buf.length <= BATCH_BUFFER_BYTES) return;
    let seen = this.flushes;
    this.quietCheck = setInterval(() => {
      if (this.flushes !== seen) {
        seen = this.flushes;
        return;
      }
      this.giveBackBuffer();
    }, QUIET_MS).unref();
  }

  private giveBackBuffer(): void {
    clearInterval(this.quietCheck);
    this.quietCheck = undefined;
    this.sink.shrink(BATCH_BUFFER_BYTES);
  }

  /** The batch just written (`length` bytes, ending the current file), for readers that are caught up. */
  private publish(length: number): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    if (p.entries.length === 0) return;
    const end = this.file.size;
    const start = end - length;
    const ends = p.ends;
    for (let i = 0; i < ends.length; i++) ends[i]! += start;
    this.recentEntries.push({ generation: this.opened, start, end, entries: p.entries, ends, invalid: p.invalid });
  }

  /** Resolves once compression of rotated files has finished (tests, shutdown). */
  settled(): Promise<void> {
    return this.file.settled();
  }

  private rotate(): void {
    try {
      this.file.rotate(this.encoder.lastTime);
    } catch (err) {
      this.log.warn(`container ${this.containerId}: rotation failed, writing on to the current file: ${(err as Error).message}`);
      if (!this.file.isOpen) this.openFile();
      return;
    }
    this.opened++;
    const lines = this.linesInFile;
    this.linesInFile = 0;
    this.emit('rotate', lines);
  }

  private openFile(): void {
    fs.mkdirSync(containerDir(this.root, this.containerId), { recursive: true, mode: 0o750 });
    this.file.open();
    this.opened++;
    this.linesInFile = this.file.size === 0 ? 0 : -1;
    this.emit('open');
  }
}

function keep(entry: LogEntry, end: number, p: Pending): void {
  const line = entry.line;
  if (!isUtf8(line)) p.invalid.push(p.entries.length);
  p.entries.push({ line, newline: endsLine(entry), source: entry.source, sec: entry.sec, nsec: entry.nsec });
  p.ends.push(end);
}
