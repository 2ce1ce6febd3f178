import type { SinkEntry } from '../sinks/sink.js';
import type { FilePosition } from '../store/log-stream.js';

export interface Batch {
  entries: SinkEntry[];
  /** Safe once this batch and every one before it are delivered. */
  checkpoint: FilePosition;
}

/**
 * Entries ready for a sink, each with the checkpoint that is safe once it and all
 * before it are delivered. Kept as parallel arrays: no object per entry on the way
 * from the store to a sink beyond the entry itself.
 */
export class ReadyQueue {
  private entries: SinkEntry[] = [];
  private files: string[] = [];
  private offsets: number[] = [];
  private head = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  push(entry: SinkEntry, file: string, offset: number): void {
    this.entries.push(entry);
    this.files.push(file);
    this.offsets.push(offset);
  }

  /** The oldest entries, at most `maxEntries` and `maxBytes` of lines (but at least one); undefined when empty. */
  take(maxEntries: number, maxBytes: number): Batch | undefined {
    const from = this.head;
    const available = this.entries.length - from;
    if (available === 0) return undefined;
    let n = 0;
    let bytes = 0;
    while (n < available && n < maxEntries) {
      bytes += this.entries[from + n]!.line.length;
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    const last = from + n - 1;
    const batch = { entries: this.entries.slice(from, from + n), checkpoint: { file: this.files[last]!, offset: this.offsets[last]! } };
    this.head += n;
    if (this.head === this.entries.length) this.clear();
    else if (this.head > 4096 && this.head * 2 > this.entries.length) this.compact();
    return batch;
  }

  private clear(): void {
    this.entries = [];
    this.files = [];
    this.offsets = [];
    this.head = 0;
  }

  private compact(): void {
    this.entries = this.entries.slice(this.head);
    this.files = this.files.slice(this.head);
    this.offsets = this.offsets.slice(this.head);
    this.head = 0;
  }
}
