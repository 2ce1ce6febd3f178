import type { SinkEntry } from '../../sinks/sink.js';
import type { FilePosition } from '../../store/log-stream.js';
import type { EntryOutput } from '../ready-queue.js';
import { Multiline, type MultilineStats } from './multiline.js';
import { RateLimiter } from './rate-limiter.js';
import type { Redactor } from './redactor.js';
import type { TransformOptions } from './transform-options.js';

/** The counters a stage adds to (the delivery's stats, read by the metrics). */
export interface TransformStats extends MultilineStats {
  suppressed: number;
  redacted: number;
}

/**
 * The transforms between reassembly and a sink's batches, as Vector puts them between
 * sources and sinks: multiline first (a trace is one event to limit and to mask), then
 * the rate limit, then redaction (a suppressed line is not worth masking). Without
 * transform options this returns `queue` itself: the hot path makes no call per entry
 * for a feature that is off. `start`: where the delivery reads from.
 */
export function transformStage(options: TransformOptions | undefined, queue: EntryOutput, stats: TransformStats, start: FilePosition): EntryOutput {
  if (options === undefined) return queue;
  const redacted = options.redactor === undefined ? queue : new RedactStage(options.redactor, queue, stats);
  const limited = options.rateLimit === undefined ? redacted : new RateLimiter(options.rateLimit, redacted, queue, () => stats.suppressed++);
  return options.multiline === undefined ? limited : new Multiline(options.multiline, limited, stats, start);
}

class RedactStage implements EntryOutput {
  constructor(
    private readonly redactor: Redactor,
    private readonly out: EntryOutput,
    private readonly stats: TransformStats,
  ) {}

  push(entry: SinkEntry, file: string, offset: number): void {
    const line = this.redactor.redact(entry.line);
    if (line === undefined) {
      this.out.push(entry, file, offset);
      return;
    }
    this.stats.redacted++;
    // A new entry: a stored entry may be a view shared with the store's recent batch.
    const masked: SinkEntry = { line, source: entry.source, sec: entry.sec, nsec: entry.nsec };
    if (entry.partial !== undefined) masked.partial = entry.partial;
    this.out.push(masked, file, offset);
  }

  end(): void {
    this.out.end?.();
  }
}
