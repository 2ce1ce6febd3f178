import type { SinkEntry } from '../sinks/sink.js';
import { CompactBatch } from './compact-batch.js';
import type { FilePosition } from '../store/log-stream.js';

export interface Batch {
  entries: SinkEntry[];
  /** Safe once this batch and every one before it are delivered. */
  checkpoint: FilePosition;
}

/** Where reassembled entries go: the ready queue, or the transform stage in front of it. */
export interface EntryOutput {
  /** `file`, `offset`: the checkpoint that is safe once `entry` and all before it are delivered. */
  push(entry: SinkEntry, file: string, offset: number): void;
  /** The stream ended (the container stopped): whatever is held back goes out now. */
  end?(): void;
  /** How long the delivery may wait for more entries before calling idle() (0: it need not). */
  idleMs?(): number;
  /**
   * No entry came for `quietMs`: idleMs(), or the sink's linger while entries were
   * pending. What the clock says is due goes out now.
   */
  idle?(quietMs: number): void;
}

/**
 * Entries ready for a sink, each with the checkpoint that is safe once it and all
 * before it are delivered. Kept as parallel arrays: no object per entry on the way
 * from the store to a sink beyond the entry itself.
 */
export class ReadyQueue implements EntryOutput {
  private entries: SinkEntry[] = [];
  /** While a sink is down the entries waiting are kept compactly (see compact()). */
  private compacted: CompactBatch | undefined;
  private files: string[] = [];
  private offsets: number[] = [];
  private head = 0;

  get length(): number {
    return this.files.length - this.head;
  }

  /** Keeps what is queued in as little memory as it takes, until the next push(). */
  compact(): void {
    if (this.compacted !== undefined || this.length === 0) return;
    this.compacted = new CompactBatch(this.entries.slice(this.head));
    this.files = this.files.slice(this.head);
    this.offsets = this.offsets.slice(this.head);
    this.entries = [];
    this.head = 0;
  }

  push(entry: SinkEntry, file: string, offset: number): void {
    if (this.compacted !== undefined) {
      this.entries = this.compacted.entries(this.head);
      this.files = this.files.slice(this.head);
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
      this.compacted = undefined;
    }
    this.entries.push(entry);
    this.files.push(file);
    this.offsets.push(offset);
  }

  /** The oldest entries, at most `maxEntries` and `maxBytes` of lines (but at least one); undefined when empty. */
  take(maxEntries: number, maxBytes: number): Batch | undefined {
    const from = this.head;
    const available = this.files.length - from;
    if (available === 0) return undefined;
    const source = this.compacted?.entries(from, from + Math.min(available, maxEntries)) ?? this.entries;
    const base = this.compacted === undefined ? from : 0;
    let n = 0;
    let bytes = 0;
    while (n < available && n < maxEntries) {
      bytes += source[base + n]!.line.length;
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    const last = from + n - 1;
    const batch = { entries: source.slice(base, base + n), checkpoint: { file: this.files[last]!, offset: this.offsets[last]! } };
    this.head += n;
    if (this.head === this.files.length) this.clear();
    else if (this.head > 4096 && this.head * 2 > this.files.length) this.compactArrays();
    return batch;
  }

  private clear(): void {
    this.entries = [];
    this.compacted = undefined;
    this.files = [];
    this.offsets = [];
    this.head = 0;
  }

  private compactArrays(): void {
    this.entries = this.compacted === undefined ? this.entries.slice(this.head) : this.compacted.entries(this.head);
    this.compacted = undefined;
    this.files = this.files.slice(this.head);
    this.offsets = this.offsets.slice(this.head);
    this.head = 0;
  }
}
