import { replaceInvalidUtf8 } from '../go/json-escape.js';
import type { LiveLog } from './live-log.js';
import type { FreshBatch } from './recent-entries.js';
import { countLines, lineStartFromEnd, openSegments, Segment } from './segments.js';
import { parseJsonFileLine } from './json-line-parser.js';
import { parseStoredLine, type StoredEntry } from './stored-entry.js';

/** A place in a container's store: the file (by first-line fingerprint) and a byte offset in it. */
export interface FilePosition {
  /** '' before the first line of the store was written. */
  file: string;
  offset: number;
}

export interface StreamBatch {
  /** Not to be modified: batches taken from the writer's memory are shared by every reader. */
  entries: readonly StoredEntry[];
  /** Offset just after each entry, in `position.file`. */
  ends: readonly number[];
  /** Just after the last entry of the batch: checkpoint this once the batch is delivered. */
  position: FilePosition;
}

export interface StreamOptions {
  /** Keep reading new entries while `live` has a writer. */
  follow: boolean;
  live?: LiveLog | undefined;
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
  /** Bytes read from a file at a time (default CHUNK): what a reader holds parsed at once. */
  maxReadBytes?: number | undefined;
  /** Read invalid UTF-8 back as a lone 0xFF byte rather than U+FFFD (see parseJsonFileLine). */
  invalidAsByte?: boolean | undefined;
  /** A line that is not a json-file entry (say, written by something else): skipped, and reported here. */
  onCorrupt?: ((file: string, offset: number) => void) | undefined;
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
  private closing = false;
  /** True while batches() works on the segment at `index` (not parked at a yield or waiting). */
  private reading = false;
  /** True while batches() runs: close() must then let it release the files itself. */
  private active = false;
  private readonly follow: boolean;
  /** The partial line at the end of the last read of the segment being read. */
  private leftover: Buffer | undefined;
  /** The files that existed when the stream started: tail and "end" count only them. */
  private readonly history: Set<Segment>;

  constructor(
    private readonly currentPath: string,
    private readonly options: StreamOptions,
  ) {
    this.follow = options.follow && options.live?.live === true;
    this.segments = openSegments(currentPath);
    this.history = new Set(this.segments);
    // The file the writer has open now is the current one we just opened: its batches in memory are ours.
    const current = this.segments[this.segments.length - 1];
    if (this.follow && current?.growing === true) current.generation = options.live!.generation;
    if (this.follow) {
      options.live!.on('open', this.onOpen).on('append', this.onAppend).on('rotate', this.onRotate).on('idle', this.onIdle);
      options.signal?.addEventListener('abort', this.onAppend);
    }
  }

  /** Starts at the last `n` entries of the history (n < 0: all of it). */
  async seekTail(n: number): Promise<void> {
    if (n < 0) return;
    let need = n;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      // Files the writer opened since the start are not history, however long the caller waited.
      if (!this.history.has(seg)) continue;
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

  /** Where the stream stands now, as a checkpoint. */
  async position(): Promise<FilePosition> {
    const seg = this.segments[this.index];
    return { file: (await seg?.id()) ?? '', offset: seg === undefined ? 0 : this.offset };
  }

  /**
   * Starts at a checkpoint; false when its file is gone (the stream then starts at the
   * oldest file). An empty file id means nothing had been written when it was taken, so
   * everything is new; in the rare case it was taken on an empty file right after a
   * rotation this re-sends older files: duplicates, never loss.
   */
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
    this.active = true;
    try {
      while (!this.stopped()) {
        if (this.index >= this.segments.length) {
          // Following a container whose store has no file yet: wait for the writer to create it.
          if (!this.follow || this.idle) break;
          this.options.live!.caughtUp();
          await this.waitForWriter();
          continue;
        }
        this.reading = true;
        const seg = this.segments[this.index]!;
        const skip = this.options.skipFilesBefore !== undefined && (await seg.endsBefore(this.options.skipFilesBefore));
        this.leftover = undefined;
        // trim() may drop this segment while we are parked at a yield: then move on.
        while (!skip && !this.closing && this.segments[this.index] === seg) {
          // The batch is made by helpers and held in a single variable: a suspended
          // generator keeps every local alive, and a consumer that stops (a sink that is
          // down) would pin whatever they reference. Consumers may empty `entries`.
          let batch = this.leftover === undefined ? await this.fromMemory(seg) : undefined;
          batch ??= await this.fromFile(seg);
          if (batch === undefined) break;
          if (batch === NO_LINES) continue;
          this.reading = false;
          yield batch;
          batch = undefined;
          this.reading = true;
        }
        if (this.segments[this.index] !== seg) continue;
        // A line cut by a failed write is completed by the next one: read it again then.
        const leftover = this.leftover as Buffer | undefined; // set by fromFile()
        if (leftover !== undefined) this.offset -= leftover.length;
        this.reading = false;
        if (await this.waitForMore(seg)) continue;
        this.moveTo(this.index + 1, 0);
      }
    } finally {
      this.active = false;
      this.reading = false;
      this.release();
    }
  }

  /** The writer's batch at the read position, when it still has it in memory. */
  private async fromMemory(seg: Segment): Promise<StreamBatch | undefined> {
    if (!this.follow || seg.generation === undefined) return undefined;
    const fresh = this.options.live!.recent(seg.generation, this.offset);
    if (fresh === undefined) return undefined;
    this.options.live!.caughtUp();
    this.offset = fresh.end;
    seg.consumed += fresh.entries.length;
    return { entries: this.ownEntries(fresh), ends: fresh.ends, position: { file: (await seg.id()) ?? '', offset: fresh.end } };
  }

  /**
   * The next read of the file: its whole lines as a batch (NO_LINES when it had none,
   * say all corrupt), the partial line after them kept in `leftover`. Undefined at the
   * end of what there is.
   */
  private async fromFile(seg: Segment): Promise<StreamBatch | undefined> {
    const leftover = this.leftover;
    // A follower of our own writer knows where the file ends: no read (and no buffer) at the end.
    const limit = this.follow ? (seg.generation === undefined ? undefined : this.options.live!.writtenSize(seg.generation)) ?? Infinity : seg.historyEnd;
    if (this.offset >= limit) return undefined;
    const chunk = await seg.readAt(this.offset, Math.min(limit, this.offset + (this.options.maxReadBytes ?? Infinity)));
    if (chunk.length === 0) return undefined;
    const data = leftover === undefined ? chunk : Buffer.concat([leftover, chunk]);
    const start = this.offset - (leftover?.length ?? 0);
    const { entries, ends, consumed, corrupt } = parseLines(data, start, this.options.invalidAsByte === true);
    if (corrupt.length > 0 && this.options.onCorrupt !== undefined) {
      const name = seg.compressed ? `${this.currentPath} (a rotated .gz)` : this.currentPath;
      for (const at of corrupt) this.options.onCorrupt(name, at);
    }
    this.leftover = consumed < data.length ? Buffer.from(data.subarray(consumed)) : undefined;
    this.offset = start + data.length;
    if (entries.length === 0) return NO_LINES;
    seg.consumed += entries.length;
    return { entries, ends, position: { file: (await seg.id()) ?? '', offset: start + consumed } };
  }

  /** The batch's entries as this stream would have read them from the file (bad UTF-8 as json-file wrote it). */
  private ownEntries(fresh: FreshBatch): readonly StoredEntry[] {
    if (fresh.invalid.length === 0) return fresh.entries;
    const entries = [...fresh.entries];
    const replacement = this.options.invalidAsByte === true ? INVALID_AS_BYTE : INVALID_AS_FFFD;
    for (const i of fresh.invalid) entries[i] = { ...entries[i]!, line: replaceInvalidUtf8(entries[i]!.line, replacement) };
    return entries;
  }

  /** Ends the stream; safe while batches() is parked waiting or reading. */
  close(): void {
    this.closing = true;
    this.wake?.();
    if (!this.active) this.release();
  }

  private stopped(): boolean {
    return this.closing || this.options.signal?.aborted === true;
  }

  private release(): void {
    if (this.follow) {
      this.options.live!.off('open', this.onOpen).off('append', this.onAppend).off('rotate', this.onRotate).off('idle', this.onIdle);
      this.options.signal?.removeEventListener('abort', this.onAppend);
    }
    for (const seg of this.segments) seg.close();
    this.segments.length = 0;
  }

  /** At the end of the file being written: wait for the writer. False once this file is finished. */
  private async waitForMore(seg: Segment): Promise<boolean> {
    const isLast = this.index === this.segments.length - 1;
    if (!this.follow || !isLast || !seg.growing || this.stopped()) return false;
    this.options.live!.caughtUp();
    if (this.idle) {
      const again = this.dirty; // one last pass after the writer went idle
      this.dirty = false;
      return again;
    }
    await this.waitForWriter();
    return true;
  }

  private async waitForWriter(): Promise<void> {
    if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    this.dirty = false;
  }

  /**
   * Keeps at most `maxFiles` files open past the read position, as the writer's
   * rotation keeps at most that many on disk: beyond that the oldest is given up
   * (Docker deleted it) and its unread entries are reported lost. Runs at rotation,
   * so a stalled consumer (a dead sink) cannot pin deleted files and fill the disk.
   */
  private trim(): void {
    const max = this.options.maxFiles;
    if (max === undefined) return;
    while (this.segments.length - this.index > max) {
      const victimIndex = this.reading ? this.index + 1 : this.index;
      if (victimIndex >= this.segments.length - 1) return; // never the file being written
      const [victim] = this.segments.splice(victimIndex, 1);
      const readFrom = victimIndex === this.index ? this.offset : 0;
      if (victimIndex === this.index) this.offset = 0;
      void this.account(victim!, readFrom);
    }
  }

  private async account(victim: Segment, readFrom: number): Promise<void> {
    try {
      const lost = victim.lines !== undefined ? victim.lines - victim.consumed : await countLines(victim, readFrom);
      if (lost > 0) this.options.onLost?.(lost);
    } finally {
      victim.close();
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

  private readonly onRotate = (lines: number): void => {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined) {
      last.growing = false;
      if (lines >= 0) last.lines = lines;
    }
    this.pinCurrent();
    this.trim();
    this.onAppend();
  };

  /** The writer created the file after this stream started: pin it before anything rotates it away. */
  private readonly onOpen = (): void => {
    const growing = this.segments.find((seg) => seg.growing);
    if (growing !== undefined) {
      // The writer opened the file we already hold (by the same name, before any rotation).
      growing.generation = this.options.live!.generation;
      return;
    }
    this.pinCurrent();
    this.onAppend();
  };

  /** Pins the writer's new current file as a growing segment: all of it came after the history read at start. */
  private pinCurrent(): void {
    const seg = Segment.open(this.currentPath, false, true);
    if (seg === undefined) return;
    seg.historyEnd = 0;
    seg.generation = this.options.live!.generation;
    this.segments.push(seg);
  }

  private readonly onIdle = (): void => {
    this.idle = true;
    this.onAppend();
  };
}

/** fromFile() read something, but no whole entry. */
const NO_LINES: StreamBatch = Object.freeze({ entries: [], ends: [], position: { file: '', offset: 0 } });

const INVALID_AS_BYTE = Buffer.from([0xff]);
const INVALID_AS_FFFD = Buffer.from('\ufffd');

function parseLines(buf: Buffer, base: number, invalidAsByte: boolean): { entries: StoredEntry[]; ends: number[]; consumed: number; corrupt: number[] } {
  const entries: StoredEntry[] = [];
  const ends: number[] = [];
  const corrupt: number[] = [];
  let start = 0;
  for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
    const entry = parseJsonFileLine(buf, start, nl, invalidAsByte) ?? parseStoredLine(buf.toString('utf8', start, nl));
    if (entry !== undefined) {
      entries.push(entry);
      ends.push(base + nl + 1);
    } else {
      corrupt.push(base + start);
    }
    start = nl + 1;
  }
  return { entries, ends, consumed: start, corrupt };
}
