import type { SinkEntry } from '../sinks/sink.js';

/**
 * A batch kept for resending while its sink is down, in as little memory as it takes:
 * its lines copied into one buffer (no longer pinning the store reads they were views
 * of) and the rest in typed arrays. Entries are made again for each attempt.
 */
export class CompactBatch {
  readonly length: number;
  readonly lineBytes: number;
  private readonly data: Buffer;
  private readonly ends: Uint32Array;
  private readonly secs: Float64Array;
  private readonly nsecs: Uint32Array;
  private readonly sources: string[];
  private readonly partials: (SinkEntry['partial'] | undefined)[] | undefined;

  constructor(entries: readonly SinkEntry[]) {
    this.length = entries.length;
    let bytes = 0;
    for (const e of entries) bytes += e.line.length;
    this.lineBytes = bytes;
    this.data = Buffer.allocUnsafe(bytes);
    this.ends = new Uint32Array(entries.length);
    this.secs = new Float64Array(entries.length);
    this.nsecs = new Uint32Array(entries.length);
    this.sources = new Array<string>(entries.length);
    let at = 0;
    let partial = false;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      at += e.line.copy(this.data, at);
      this.ends[i] = at;
      this.secs[i] = e.sec;
      this.nsecs[i] = e.nsec;
      this.sources[i] = e.source;
      if (e.partial !== undefined) partial = true;
    }
    this.partials = partial ? entries.map((e) => e.partial) : undefined;
  }

  /** Capture time (Unix seconds) of the first entry. */
  get firstSec(): number {
    return this.secs[0] ?? 0;
  }

  /** Each entry's capture time, without making the entries. */
  forEachTime(fn: (sec: number, nsec: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.secs[i]!, this.nsecs[i]!);
  }

  /** Entries `from` (inclusive) to `to` (exclusive), made anew. */
  entries(from = 0, to = this.length): SinkEntry[] {
    const out = new Array<SinkEntry>(to - from);
    let start = from === 0 ? 0 : this.ends[from - 1]!;
    for (let i = from; i < to; i++) {
      const end = this.ends[i]!;
      const entry: SinkEntry = { line: this.data.subarray(start, end), source: this.sources[i]!, sec: this.secs[i]!, nsec: this.nsecs[i]! };
      const partial = this.partials?.[i];
      if (partial !== undefined) entry.partial = partial;
      out[i - from] = entry;
      start = end;
    }
    return out;
  }
}
