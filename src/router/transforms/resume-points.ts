/** A checkpoint position and its rank among the distinct positions seen. */
export interface Mark {
  readonly point: number;
  readonly file: string;
  readonly offset: number;
}

/** A closed event that had lines after some points it began before: (from.point, last]. */
interface Span {
  from: Mark;
  last: number;
}

/**
 * Which checkpoint an entry may carry when lines are joined into events: a delivery
 * that resumes from it (after a crash) must see every event whole or not at all.
 *
 * Positions come from upstream (the reassembly) with each line; a position may repeat
 * (upstream holds the checkpoint while a long line of the other stream is open), so
 * lines are ranked by "points": a new point for each new position. A line's point is
 * that of the position before it, the one a resumed delivery re-reads it from.
 * Resuming at point k cuts an event whose first line has a point below k and some
 * line at k or above: open events (whose next lines are still to come) and closed
 * events that overlapped others (stdout and stderr interleaving). The checkpoint is
 * the last point that cuts none.
 */
export class ResumePoints {
  private point = 0;
  private file: string;
  private offset: number;
  /** The position before the line advance() was last called for (fields, not an object: one per line). */
  private beforePoint = 0;
  private beforeFile: string;
  private beforeOffset: number;
  private readonly spans: Span[] = [];
  /** Set by safe(). */
  safeFile = '';
  safeOffset = 0;

  constructor(start: { file: string; offset: number }) {
    this.file = this.beforeFile = start.file;
    this.offset = this.beforeOffset = start.offset;
  }

  /** A line arrived with the checkpoint (file, offset): what is safe once it and all before it are delivered. */
  advance(file: string, offset: number): void {
    this.beforePoint = this.point;
    this.beforeFile = this.file;
    this.beforeOffset = this.offset;
    if (offset !== this.offset || file !== this.file) {
      this.point++;
      this.file = file;
      this.offset = offset;
    }
  }

  /** The point of the line advance() was last called for: where a resumed delivery re-reads it from. */
  lastPoint(): number {
    return this.beforePoint;
  }

  get lastFile(): string {
    return this.beforeFile;
  }

  get lastOffset(): number {
    return this.beforeOffset;
  }

  /** The same, as a mark to keep. */
  lastMark(): Mark {
    return { point: this.beforePoint, file: this.beforeFile, offset: this.beforeOffset };
  }

  /** An event closed: from its first line's mark to `last`, its last line's point. */
  closed(from: Mark, last: number): void {
    if (last > from.point) this.spans.push({ from, last });
  }

  /**
   * The checkpoint for an entry handed on now, into safeFile and safeOffset: no later
   * than `floor` (the mark of the earliest line held in an open or undecided event),
   * nor, with `pending`, than the line advance() was last called for (not placed yet),
   * and before any closed event it would cut.
   */
  safe(floor: Mark | undefined, pending: boolean): void {
    let k = this.point;
    let file = this.file;
    let offset = this.offset;
    if (pending && this.beforePoint < k) {
      k = this.beforePoint;
      file = this.beforeFile;
      offset = this.beforeOffset;
    }
    if (floor !== undefined && floor.point < k) {
      k = floor.point;
      file = floor.file;
      offset = floor.offset;
    }
    for (let moved = this.spans.length > 0; moved; ) {
      moved = false;
      for (const s of this.spans) {
        if (s.from.point < k && k <= s.last) {
          k = s.from.point;
          file = s.from.file;
          offset = s.from.offset;
          moved = true;
        }
      }
    }
    // Checkpoints never go back, so a span that ends before this one cannot cut a later one.
    if (this.spans.length > 0) {
      for (let i = this.spans.length - 1; i >= 0; i--) if (this.spans[i]!.last < k) this.spans.splice(i, 1);
    }
    this.safeFile = file;
    this.safeOffset = offset;
  }
}
