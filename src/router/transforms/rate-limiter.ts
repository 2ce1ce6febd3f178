import type { SinkEntry } from '../../sinks/sink.js';
import type { EntryOutput } from '../ready-queue.js';

export type RateUnit = 's' | 'm' | 'h';

export interface RateLimit {
  /** Lines per `unit`. */
  count: number;
  unit: RateUnit;
  /** Lines that may pass at once after a quiet spell (default `count`). */
  burst: number;
}

export const UNIT_NS: Record<RateUnit, number> = { s: 1e9, m: 60e9, h: 3600e9 };

/** Suppressed lines are reported once per this much capture time (README "Rate limits"). */
export const MARKER_WINDOW_SECONDS = 10;
const WINDOW_NS = MARKER_WINDOW_SECONDS * 1e9;

/**
 * A recent window (by the clock) is closed once no entry came for this long after its
 * end: entries captured before its end have reached the store by then.
 */
export const QUIET_MS = 1_000;
/**
 * A window that ended longer ago than this (a backlog being replayed) is closed by
 * entries only: the outcome is the same, and no timing decides it.
 */
const STALE_MS = QUIET_MS + 5_000;

/** Entry times are kept relative to a recent second so they stay exact in a double. */
const REBASE_AFTER_SECONDS = 86_400;

export function suppressedMarker(lines: number, seconds: number): string {
  return `[tslogs: ${lines} ${lines === 1 ? 'line' : 'lines'} suppressed in ${seconds}s]`;
}

interface Suppressed {
  lines: number;
  /** Capture time of the last one: the marker's time, so it sorts after them. */
  sec: number;
  nsec: number;
}

/**
 * A token bucket (GCRA form) over the entries' capture times, never the clock: the
 * same entries are limited the same way live, after an outage's backlog, or in every
 * sink's delivery. Lines over the limit go nowhere; the first suppressed line opens a
 * window of MARKER_WINDOW_SECONDS, and the first entry past it (or the end of the
 * stream, or QUIET_MS of nothing after it) puts one marker per stream in front of it,
 * saying how many were suppressed.
 * A marker carries the checkpoint of the last entry before it, so suppressed lines are
 * handled lines: acknowledging the marker moves the checkpoint over them.
 */
export class RateLimiter implements EntryOutput {
  /** Nanoseconds a line costs: the bucket refills one line per interval. */
  private readonly interval: number;
  /** How far ahead of an entry the bucket may be booked and still admit it (burst - 1 lines). */
  private readonly tolerance: number;
  private base = Number.NaN;
  /** Theoretical arrival time of the next line at the sustained rate (relative ns). */
  private tat = Number.NEGATIVE_INFINITY;
  private windowStart = Number.NaN;
  private readonly suppressed = new Map<string, Suppressed>();
  /** With partial-reassembly=false: the decision for the open chunk group of each stream. */
  private readonly groups = new Map<string, boolean>();
  private lastFile = '';
  private lastOffset = 0;

  constructor(
    limit: RateLimit,
    /** Where admitted entries go. */
    private readonly out: EntryOutput,
    /** Where markers go (the ready queue: after the transforms that edit lines). */
    private readonly markers: EntryOutput,
    /** Called with each entry not sent (a chunk with partial-reassembly=false). */
    private readonly onSuppressed: () => void,
    /** Unix milliseconds, for closing a window nothing came after (idle()). */
    private readonly now: () => number = Date.now,
  ) {
    this.interval = UNIT_NS[limit.unit] / limit.count;
    this.tolerance = (limit.burst - 1) * this.interval;
  }

  push(entry: SinkEntry, file: string, offset: number): void {
    const t = this.time(entry);
    if (t >= this.windowStart + WINDOW_NS) this.report(MARKER_WINDOW_SECONDS);
    const admitted = this.decide(entry, t);
    this.lastFile = file;
    this.lastOffset = offset;
    if (admitted) {
      this.out.push(entry, file, offset);
      return;
    }
    this.onSuppressed();
    // A chunk group (partial-reassembly=false) is one line, counted at its first chunk.
    if (entry.partial !== undefined && entry.partial.ordinal > 1) return;
    if (Number.isNaN(this.windowStart)) this.windowStart = t;
    const s = this.suppressed.get(entry.source);
    if (s === undefined) this.suppressed.set(entry.source, { lines: 1, sec: entry.sec, nsec: entry.nsec });
    else {
      s.lines++;
      s.sec = entry.sec;
      s.nsec = entry.nsec;
    }
  }

  end(): void {
    if (!Number.isNaN(this.windowStart)) {
      const last = Math.max(...[...this.suppressed.values()].map((s) => this.time(s)));
      this.report(Math.max(1, Math.ceil((last - this.windowStart) / 1e9)));
    }
    this.out.end?.();
  }

  /** While a recent window is open: how long to wait for an entry before idle() closes it. */
  idleMs(): number {
    const end = this.windowEndMs();
    if (Number.isNaN(end) || this.now() - end > STALE_MS) return 0;
    return Math.max(QUIET_MS, Math.ceil(end + QUIET_MS - this.now()));
  }

  /**
   * Nothing came for a while: a recent window that ended QUIET_MS ago is closed now,
   * with the marker the next entry would have put in front of itself.
   */
  idle(): void {
    const end = this.windowEndMs();
    const now = this.now();
    // A timer may fire a millisecond early.
    if (now >= end + QUIET_MS - 10 && now - end <= STALE_MS) this.report(MARKER_WINDOW_SECONDS);
  }

  /** Unix ms at which the open window ends by capture time; NaN when none is open. */
  private windowEndMs(): number {
    return this.base * 1000 + (this.windowStart + WINDOW_NS) / 1e6;
  }

  /** A whole line, or the first chunk of one, takes a token when there is one; later chunks follow the first. */
  private decide(entry: SinkEntry, t: number): boolean {
    const partial = entry.partial;
    if (partial !== undefined) {
      const group = this.groups.get(entry.source);
      const admitted = partial.ordinal > 1 && group !== undefined ? group : this.admit(t);
      if (partial.last) this.groups.delete(entry.source);
      else this.groups.set(entry.source, admitted);
      return admitted;
    }
    return this.admit(t);
  }

  private admit(t: number): boolean {
    if (t < this.tat - this.tolerance) return false;
    this.tat = Math.max(this.tat, t) + this.interval;
    return true;
  }

  private report(seconds: number): void {
    for (const [source, s] of this.suppressed) {
      const marker: SinkEntry = { line: Buffer.from(suppressedMarker(s.lines, seconds)), source, sec: s.sec, nsec: s.nsec };
      this.markers.push(marker, this.lastFile, this.lastOffset);
    }
    this.suppressed.clear();
    this.windowStart = Number.NaN;
  }

  /** Capture time in ns since `base`, which moves forward now and then so the number stays exact. */
  private time(e: { sec: number; nsec: number }): number {
    if (Number.isNaN(this.base)) this.base = e.sec;
    else if (e.sec - this.base > REBASE_AFTER_SECONDS) {
      const shift = (e.sec - this.base) * 1e9;
      this.base = e.sec;
      this.tat -= shift;
      this.windowStart -= shift;
    }
    return (e.sec - this.base) * 1e9 + e.nsec;
  }
}
