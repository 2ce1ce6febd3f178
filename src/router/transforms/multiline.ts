import type { SinkEntry } from '../../sinks/sink.js';
import type { FilePosition } from '../../store/log-stream.js';
import type { EntryOutput } from '../ready-queue.js';
import type { EventGrammar, GrammarFactory } from './multiline-rules.js';
import { type Mark, ResumePoints } from './resume-points.js';

export interface MultilineOptions {
  /** The option the rules came from, for messages: a preset list or a start pattern. */
  option: 'multiline' | 'multiline-start';
  /** Tried in order on a line no event claims; the first whose event it begins owns that event. */
  grammars: readonly GrammarFactory[];
  /** Lines of one event are at most this far apart (capture time), and nothing for this long closes it. */
  flushMs: number;
  maxLines: number;
  /** Of the joined line, the "\n" between lines included. */
  maxBytes: number;
}

/** What the multiline stage counts (the delivery's stats). */
export interface MultilineStats {
  /** Events of more than one line handed on. */
  multilineEvents: number;
  /** The lines in them. */
  multilineLines: number;
}

/** The event is its own mark (where a delivery resumes to send it whole): one object per event. */
interface OpenEvent extends Mark {
  grammar: EventGrammar;
  first: SinkEntry;
  /** The lines after the first; undefined while there are none (most events, with `java`). */
  more: Buffer[] | undefined;
  lines: number;
  bytes: number;
  /** The point of its last line (ResumePoints). */
  last: number;
}

/** A line that may belong to the open event; the next line decides. */
interface Held {
  entry: SinkEntry;
  mark: Mark;
}

interface StreamState {
  readonly grammars: EventGrammar[];
  event: OpenEvent | undefined;
  held: Held[];
  /** Capture time (Unix ms) of the stream's last line. */
  lastMs: number;
}

const NEWLINE = 0x0a;

/**
 * Joins the lines of a stack trace into one entry per event, per stream (stdout and
 * stderr apart): the line is the lines joined with "\n", the time the first line's.
 * Which lines belong together is the grammars' decision (multiline-rules.ts); an
 * event also ends at multiline-max-lines or before the line that would take it past
 * multiline-max-bytes (the trace goes on in a new event), when the stream's next line
 * was captured more than multiline-flush after its last, when nothing came for
 * multiline-flush (the delivery's idle wait, armed only while an event is open), and
 * when the container stops. Capture times, not the clock, split lines that came apart,
 * so a backlog replayed is joined as it was live.
 *
 * Each entry handed on carries a checkpoint that never falls inside an event
 * (resume-points.ts): after a crash, a resumed delivery sends an event whole again, or
 * not at all.
 */
export class Multiline implements EntryOutput {
  private readonly streams = new Map<string, StreamState>();
  /** The same streams in an array, walked for every entry handed on (no iterator per entry). */
  private readonly streamList: StreamState[] = [];
  private readonly points: ResumePoints;
  /** No line before this capture time (Unix ms) can close an event by its gap; may be early, never late. */
  private nextDue = Number.POSITIVE_INFINITY;
  /** The line being pushed is not placed yet: nothing handed on may checkpoint past it. */
  private pending = false;

  constructor(
    private readonly options: MultilineOptions,
    private readonly out: EntryOutput,
    private readonly stats: MultilineStats,
    start: FilePosition,
  ) {
    this.points = new ResumePoints(start);
  }

  push(entry: SinkEntry, file: string, offset: number): void {
    const ms = entry.sec * 1000 + entry.nsec / 1e6;
    this.points.advance(file, offset);
    this.pending = true;
    if (ms > this.nextDue) this.closeQuiet(ms);
    const stream = this.stream(entry.source);
    stream.lastMs = ms;
    this.route(stream, entry);
    this.pending = false;
  }

  end(): void {
    for (const stream of this.streamList) this.close(stream);
    this.out.end?.();
  }

  idleMs(): number {
    const downstream = this.out.idleMs?.() ?? 0;
    if (!this.anyOpen()) return downstream;
    return downstream > 0 ? Math.min(downstream, this.options.flushMs) : this.options.flushMs;
  }

  idle(quietMs: number): void {
    if (quietMs >= this.options.flushMs) for (const stream of this.streamList) this.close(stream);
    this.out.idle?.(quietMs);
  }

  private route(stream: StreamState, entry: SinkEntry): void {
    const event = stream.event;
    if (event !== undefined) {
      const next = event.grammar.next(entry.line);
      if (next === 'hold') {
        stream.held.push({ entry, mark: this.points.lastMark() });
        this.pending = false;
        this.due(stream);
        return;
      }
      if (next !== 'end') {
        if (stream.held.length > 0) for (const h of stream.held.splice(0)) this.append(stream, h.entry, h.mark.point);
        this.append(stream, entry, this.points.lastPoint());
        if (next === 'last') this.close(stream);
        return;
      }
      this.close(stream);
    }
    for (const grammar of stream.grammars) {
      if (grammar.begins(entry.line)) {
        this.open(stream, grammar, entry);
        return;
      }
    }
    this.pending = false;
    this.emit(entry);
  }

  private open(stream: StreamState, grammar: EventGrammar, first: SinkEntry): void {
    const points = this.points;
    const point = points.lastPoint();
    stream.event = { point, file: points.lastFile, offset: points.lastOffset, grammar, first, more: undefined, lines: 1, bytes: first.line.length, last: point };
    this.pending = false;
    this.due(stream);
  }

  /** `point`: the line's (ResumePoints). */
  private append(stream: StreamState, entry: SinkEntry, point: number): void {
    const event = stream.event!;
    const line = entry.line;
    if (event.lines >= this.options.maxLines || event.bytes + 1 + line.length > this.options.maxBytes) {
      // The trace goes on in a new event, which keeps the checkpoint before the first piece:
      // a resumed delivery cuts the trace at the same lines again.
      const { point: from, file, offset } = event;
      stream.event = { point: from, file, offset, grammar: event.grammar, first: entry, more: undefined, lines: 1, bytes: line.length, last: point };
      this.pending = false;
      this.emitEvent(event);
      return;
    }
    (event.more ??= []).push(line);
    event.lines++;
    event.bytes += 1 + line.length;
    event.last = point;
    this.pending = false;
  }

  /** Hands on the stream's open event, then the lines it held back as lines of their own. */
  private close(stream: StreamState): void {
    const event = stream.event;
    if (event !== undefined) {
      stream.event = undefined;
      this.points.closed(event, event.last);
      this.emitEvent(event);
    }
    while (stream.held.length > 0) this.emit(stream.held.shift()!.entry);
  }

  /** Lines captured at `ms`: events whose last line is more than multiline-flush older are over. */
  private closeQuiet(ms: number): void {
    const flush = this.options.flushMs;
    let next = Number.POSITIVE_INFINITY;
    for (const stream of this.streamList) {
      if (!isOpen(stream)) continue;
      if (stream.lastMs + flush < ms) this.close(stream);
      else next = Math.min(next, stream.lastMs + flush);
    }
    this.nextDue = next;
  }

  private due(stream: StreamState): void {
    this.nextDue = Math.min(this.nextDue, stream.lastMs + this.options.flushMs);
  }

  private emitEvent(event: OpenEvent): void {
    if (event.more === undefined) {
      this.emit(event.first);
      return;
    }
    const line = Buffer.allocUnsafe(event.bytes);
    let at = event.first.line.copy(line, 0);
    for (const part of event.more) {
      line[at++] = NEWLINE;
      at += part.copy(line, at);
    }
    this.stats.multilineEvents++;
    this.stats.multilineLines += event.lines;
    const { source, sec, nsec } = event.first;
    this.emit({ line, source, sec, nsec });
  }

  private emit(entry: SinkEntry): void {
    this.points.safe(this.floor(), this.pending);
    this.out.push(entry, this.points.safeFile, this.points.safeOffset);
  }

  /** The mark of the earliest line still open or held, on any stream. */
  private floor(): Mark | undefined {
    let floor: Mark | undefined;
    for (const stream of this.streamList) {
      const mark = stream.event ?? stream.held[0]?.mark;
      if (mark !== undefined && (floor === undefined || mark.point < floor.point)) floor = mark;
    }
    return floor;
  }

  private anyOpen(): boolean {
    for (const stream of this.streamList) if (isOpen(stream)) return true;
    return false;
  }

  private stream(source: string): StreamState {
    let stream = this.streams.get(source);
    if (stream === undefined) {
      stream = { grammars: this.options.grammars.map((make) => make()), event: undefined, held: [], lastMs: 0 };
      this.streams.set(source, stream);
      this.streamList.push(stream);
    }
    return stream;
  }
}

function isOpen(stream: StreamState): boolean {
  return stream.event !== undefined || stream.held.length > 0;
}
