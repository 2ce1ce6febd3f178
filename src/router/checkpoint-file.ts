import fs from 'node:fs';
import path from 'node:path';
import type { FilePosition } from '../store/log-stream.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * A write (open, write, fsync, rename) costs about half a millisecond: once per
 * acknowledged batch it was a tenth of the Splunk path's CPU. Positions are written
 * when CHECKPOINT_INTERVAL_MS passed since the last write, or when this many
 * acknowledged batches are not written yet, whichever comes first; so a crash sends
 * again at most CHECKPOINT_MAX_UNSAVED batches plus those that were in flight.
 */
export const CHECKPOINT_INTERVAL_MS = 200;
export const CHECKPOINT_MAX_UNSAVED = 8;

/**
 * A sink's delivered position for one container, saved with write + fsync +
 * rename so a crash leaves the old or the new checkpoint, never a torn one.
 * Saves are coalesced: while one is being written, only the latest position waits;
 * saveSoon() positions are written at most once per interval.
 */
export class CheckpointFile {
  private writing: Promise<void> | undefined;
  private next: FilePosition | undefined;
  /** The directory is made once, not before every save (a syscall per batch otherwise). */
  private dirMade = false;
  private soon: FilePosition | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;
  private unsaved = 0;
  /** Completed writes, for metrics. */
  writes = 0;

  constructor(
    readonly file: string,
    private readonly options: { intervalMs?: number; maxUnsaved?: number; onError?: (err: Error) => void } = {},
  ) {}

  static path(containerDir: string, sink: string): string {
    return path.join(containerDir, 'checkpoints', `${sink}.json`);
  }

  load(): FilePosition | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined; // torn by something other than us (we rename atomically): treat as absent
    }
    if (typeof value !== 'object' || value === null) return undefined;
    const parsed = value as Partial<FilePosition>;
    if (typeof parsed.file !== 'string' || typeof parsed.offset !== 'number') return undefined;
    return { file: parsed.file, offset: parsed.offset };
  }

  /**
   * Records an acknowledged position, written at once when the last write is older
   * than the interval and otherwise when it has passed. A failed write is reported
   * and tried again at the next interval.
   */
  saveSoon(position: FilePosition): void {
    this.soon = position;
    if (++this.unsaved >= (this.options.maxUnsaved ?? CHECKPOINT_MAX_UNSAVED)) {
      clearTimeout(this.timer);
      this.writeSoon();
      return;
    }
    if (this.timer !== undefined) return;
    const interval = this.options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
    this.timer = setTimeout(() => this.writeSoon(), Math.max(0, this.lastWriteAt + interval - Date.now()));
    this.timer.unref();
  }

  /** Writes what saveSoon() recorded now; resolves once it is durable. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const position = this.soon;
    this.soon = undefined;
    this.unsaved = 0;
    if (position !== undefined) await this.save(position);
    else if (this.writing !== undefined) await this.writing;
  }

  private writeSoon(): void {
    this.timer = undefined;
    const position = this.soon;
    this.soon = undefined;
    this.unsaved = 0;
    if (position === undefined) return;
    this.save(position).catch((err: Error) => {
      this.options.onError?.(err);
      if (this.soon === undefined) this.saveSoon(position);
    });
  }

  /** Resolves once `position` (or a later one) is durable. */
  save(position: FilePosition): Promise<void> {
    this.next = position;
    if (this.writing === undefined) this.writing = this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.next !== undefined) {
        const position = this.next;
        this.next = undefined;
        this.lastWriteAt = Date.now();
        if (!this.dirMade) {
          await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
          this.dirMade = true;
        }
        // No directory fsync: a rename lost to a crash leaves the previous checkpoint,
        // which the interval already allows, and it would add a fifth to each write.
        await writeFileAtomic(this.file, JSON.stringify(position) + '\n', { mode: 0o640, syncDirectory: false });
        this.writes++;
      }
    } finally {
      this.writing = undefined;
    }
  }
}
