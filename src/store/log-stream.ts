import type { ContainerLog } from './container-log.js';
import { countLines, lineStartFromEnd, openSegments, Segment } from './segments.js';
import { parseStoredLine, type StoredEntry } from './stored-entry.js';

/** A place in a container's store: the file (by first-line fingerprint) and a byte offset in it. */
export interface FilePosition {
  /** '' before the first line of the store was written. */
  file: string;
  offset: number;
}

export interface StreamBatch {
  entries: StoredEntry[];
  /** Just after the last entry of the batch: checkpoint this once the batch is delivered. */
  position: FilePosition;
}

export interface StreamOptions {
  /** Keep reading new entries while `live` has a writer. */
  follow: boolean;
  live?: ContainerLog | undefined;
  signal?: AbortSignal | undefined;
  /** Skip compressed files whose last entry is older than this. */
  skipFilesBefore?: { sec: number; nsec: number } | undefined;
  /**
   * Files a lagging follower may hold open (the writer's max-file). Beyond that the
   * oldest unread file is dropped, as Docker's rotation would have deleted it, and
   * its unread lines are reported through `onLost`.
   */
  maxFiles?: number | undefined;
  onLost?: ((entries: number) => void) | undefined;
}

/**
 * Reads a container's store in order across rotated and compressed files, in
 * batches that carry the position after them. With `follow`, it is woken by the
 * writer in the same process (no polling) and ends when the writer goes idle.
 */
export class LogStream {
  private readonly segments: Segment[];
  private index = 0;
  private offset = 0;
  private wake: (() => void) | undefined;
  private dirty = false;
  private idle = false;
  private readonly follow: boolean;

  constructor(
    private readonly currentPath: string,
    private readonly options: StreamOptions,
  ) {
    this.follow = options.follow && options.live?.live === true;
    this.segments = openSegments(currentPath);
    if (this.follow) {
      options.live!.on('append', this.onAppend).on('rotate', this.onRotate).on('idle', this.onIdle);
      options.signal?.addEventListener('abort', this.onAppend);
    }
  }

  /** Starts at the last `n` entries of the history (n < 0: all of it). */
  async seekTail(n: number): Promise<void> {
    if (n < 0) return;
    let need = n;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      const end = await seg.length();
      const found = need === 0 ? { offset: end, lines: 0 } : await lineStartFromEnd(seg, end, need);
      if (found.offset !== undefined) return this.moveTo(i, found.offset);
      need -= found.lines;
    }
    this.moveTo(0, 0);
  }

  /** Starts at the end of the history: only new entries. */
  async seekEnd(): Promise<void> {
    await this.seekTail(0);
  }

  /** Starts at a checkpoint; false when its file is gone (the stream then starts at the oldest file). */
  async seek(position: FilePosition): Promise<boolean> {
    if (position.file === '') return true;
    for (let i = 0; i < this.segments.length; i++) {
      if ((await this.segments[i]!.id()) === position.file) {
        this.moveTo(i, position.offset);
        return true;
      }
    }
    return false;
  }

  async *batches(): AsyncGenerator<StreamBatch> {
    try {
      while (this.index < this.segments.length && this.options.signal?.aborted !== true) {
        await this.dropOverflow();
        const seg = this.segments[this.index]!;
        const skip = this.options.skipFilesBefore !== undefined && (await seg.endsBefore(this.options.skipFilesBefore));
        let leftover: Buffer | undefined;
        while (!skip) {
          const chunk = await seg.readAt(this.offset, this.follow ? Infinity : seg.historyEnd);
          if (chunk.length === 0) break;
          const data = leftover === undefined ? chunk : Buffer.concat([leftover, chunk]);
          const start = this.offset - (leftover?.length ?? 0);
          const { entries, consumed } = parseLines(data);
          leftover = consumed < data.length ? Buffer.from(data.subarray(consumed)) : undefined;
          this.offset = start + data.length;
          if (entries.length > 0) yield { entries, position: { file: (await seg.id()) ?? '', offset: start + consumed } };
        }
        // A line cut by a failed write is completed by the next one: read it again then.
        if (leftover !== undefined) this.offset -= leftover.length;
        if (await this.waitForMore(seg)) continue;
        this.moveTo(this.index + 1, 0);
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.follow) {
      this.options.live!.off('append', this.onAppend).off('rotate', this.onRotate).off('idle', this.onIdle);
      this.options.signal?.removeEventListener('abort', this.onAppend);
    }
    for (const seg of this.segments) seg.close();
    this.segments.length = 0;
  }

  /** At the end of the file being written: wait for the writer. False once this file is finished. */
  private async waitForMore(seg: Segment): Promise<boolean> {
    const isLast = this.index === this.segments.length - 1;
    if (!this.follow || !isLast || !seg.growing || this.options.signal?.aborted === true) return false;
    if (this.idle) {
      const again = this.dirty; // one last pass after the writer went idle
      this.dirty = false;
      return again;
    }
    if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    this.dirty = false;
    return true;
  }

  private async dropOverflow(): Promise<void> {
    const max = this.options.maxFiles;
    if (max === undefined) return;
    while (this.segments.length - this.index > max) {
      const lost = await countLines(this.segments[this.index]!, this.offset);
      if (lost > 0) this.options.onLost?.(lost);
      this.moveTo(this.index + 1, 0);
    }
  }

  private moveTo(index: number, offset: number): void {
    // Files before the read position are done with: let their space go.
    for (let i = this.index; i < index && i < this.segments.length; i++) this.segments[i]!.close();
    this.index = index;
    this.offset = offset;
  }

  private readonly onAppend = (): void => {
    this.dirty = true;
    this.wake?.();
  };

  private readonly onRotate = (): void => {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined) last.growing = false;
    const seg = Segment.open(this.currentPath, false, true);
    if (seg !== undefined) {
      seg.historyEnd = 0;
      this.segments.push(seg);
    }
    this.onAppend();
  };

  private readonly onIdle = (): void => {
    this.idle = true;
    this.onAppend();
  };
}

function parseLines(buf: Buffer): { entries: StoredEntry[]; consumed: number } {
  const entries: StoredEntry[] = [];
  let start = 0;
  for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
    const entry = parseStoredLine(buf.toString('utf8', start, nl));
    if (entry !== undefined) entries.push(entry);
    start = nl + 1;
  }
  return { entries, consumed: start };
}
