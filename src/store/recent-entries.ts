import type { StoredEntry } from './stored-entry.js';

/**
 * Entries the writer has just put on disk, with where they are: readers that are
 * caught up take them from here instead of reading and parsing the file again (four
 * sinks parsed every line four times). The disk stays the truth: a reader finds a
 * batch only by the exact file and offset it stands at, and reads the file otherwise.
 */
export interface FreshBatch {
  /** Which file: the writer's count of files opened (LiveLog.generation when it wrote this). */
  readonly generation: number;
  /** Offset of the first entry in that file. */
  readonly start: number;
  /** Offset just after the last entry. */
  readonly end: number;
  /** Shared by every reader: never modified. */
  readonly entries: readonly StoredEntry[];
  /** Offset just after each entry. */
  readonly ends: readonly number[];
  /**
   * Entries whose line is not valid UTF-8 (rarely any): json-file wrote each bad byte
   * as \ufffd, so a reader must turn them into what it would have read from the file.
   */
  readonly invalid: readonly number[];
}

/**
 * How long a batch stays: a reader that is caught up takes it within milliseconds;
 * one that is further behind reads the file. Time and count bound the memory (the
 * lines pin the FIFO reads they are views of) whatever the number of readers.
 */
export const RECENT_MS = 250;
export const RECENT_MAX_ENTRIES = 8192;

export class RecentEntries {
  private batches: FreshBatch[] = [];
  private entries = 0;
  private readonly added: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  push(batch: FreshBatch): void {
    this.batches.push(batch);
    this.added.push(this.now());
    this.entries += batch.entries.length;
    this.expire();
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.expire(), RECENT_MS);
      this.timer.unref();
    }
  }

  /** The batch written to file `generation` at exactly `offset`, if it is still here. */
  at(generation: number, offset: number): FreshBatch | undefined {
    // Caught-up readers want one of the newest.
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const b = this.batches[i]!;
      if (b.generation === generation && b.start === offset) return b;
      if (b.generation < generation || (b.generation === generation && b.start < offset)) return undefined;
    }
    return undefined;
  }

  clear(): void {
    this.batches = [];
    this.added.length = 0;
    this.entries = 0;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    const cutoff = this.now() - RECENT_MS;
    let drop = 0;
    let left = this.entries;
    while (drop < this.batches.length && (this.added[drop]! < cutoff || left > RECENT_MAX_ENTRIES)) {
      left -= this.batches[drop]!.entries.length;
      drop++;
    }
    if (drop === 0) return;
    this.batches.splice(0, drop);
    this.added.splice(0, drop);
    this.entries = left;
    if (this.batches.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
