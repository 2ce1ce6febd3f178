// A Multiline stage fed lines at given capture times and store offsets, and what it
// handed on, with each entry's checkpoint, for the multiline tests.
import type { EntryOutput } from '../../../../src/router/ready-queue.js';
import { Multiline } from '../../../../src/router/transforms/multiline.js';
import { parseTransformOptions } from '../../../../src/router/transforms/transform-options.js';
import type { SinkEntry } from '../../../../src/sinks/sink.js';

export const T0 = 1_795_896_100;

export interface Out {
  text: string;
  source: string;
  sec: number;
  nsec: number;
  offset: number;
}

export class Recorder implements EntryOutput {
  readonly got: Out[] = [];
  ended = 0;
  idled: number[] = [];
  idleFor = 0;
  push(e: SinkEntry, _file: string, offset: number): void {
    this.got.push({ text: e.line.toString(), source: e.source, sec: e.sec, nsec: e.nsec, offset });
  }
  end(): void {
    this.ended++;
  }
  idleMs(): number {
    return this.idleFor;
  }
  idle(quietMs: number): void {
    this.idled.push(quietMs);
  }
}

/** A stage with these log-opts; `push(lines)` gives each line the next offset and a capture time 1 ms after the previous. */
export function stage(config: Record<string, string>) {
  const options = parseTransformOptions(config)?.multiline;
  if (options === undefined) throw new Error('no multiline option');
  const out = new Recorder();
  const stats = { multilineEvents: 0, multilineLines: 0 };
  const ml = new Multiline(options, out, stats, { file: 'f', offset: 0 });
  let offset = 0;
  let ms = 0;
  return {
    ml,
    out,
    stats,
    /** Texts handed on so far. */
    texts: () => out.got.map((o) => o.text),
    push(lines: readonly string[], { source = 'stdout', gapMs = 1 }: { source?: string; gapMs?: number } = {}): void {
      for (const line of lines) {
        ms += gapMs;
        ml.push({ line: Buffer.from(line), source, sec: T0 + Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 }, 'f', ++offset);
      }
    },
  };
}

export const joined = (lines: readonly string[]) => lines.join('\n');
