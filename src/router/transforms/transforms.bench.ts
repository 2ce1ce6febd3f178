// Micro-benchmark beside the code: `npm run bench:micro`. What the transform stage
// costs per entry between reassembly and the ready queue; multiply the time per
// iteration (10,000 entries) by 100 for a million lines.
import { bench, describe } from 'vitest';
import type { SinkEntry } from '../../sinks/sink.js';
import { ReadyQueue } from '../ready-queue.js';
import { parseTransformOptions } from './transform-options.js';
import { transformStage } from './transform-stage.js';

const N = 10_000;
// Typical lines; one in a hundred holds a token (the rest match no rule).
const entries: SinkEntry[] = Array.from({ length: N }, (_, i) => ({
  line: Buffer.from(i % 100 === 0 ? `GET /api/items/${i} 200 user=u${i} token=eyJhbGciOiJIUzI1NiJ9.${i}` : `GET /api/items/${i} 200 12ms user=u${i} agent=curl/8.5`),
  source: 'stdout',
  sec: 1_795_896_100 + Math.floor(i / 1000),
  nsec: (i % 1000) * 1_000_000,
}));

// The same count of lines as a Java service logs them: plain lines, and every 200th
// line the start of a 30-line stack trace.
const traced: SinkEntry[] = entries.map((e, i) => {
  const k = i % 200;
  if (k === 0 || k > 30) return e;
  return { ...e, line: Buffer.from(k === 1 ? `java.lang.IllegalStateException: order ${i} failed` : `\tat com.example.shop.OrderService.place(OrderService.java:${k})`) };
});

const stats = { suppressed: 0, redacted: 0, multilineEvents: 0, multilineLines: 0 };
const RULES = {
  redact: String.raw`token=\S+`,
  'redact-1': String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,
  'redact-2': String.raw`\b(?:\d{4}[ -]?){3}\d{4}\b`,
};

function run(config: Record<string, string>, lines = entries): () => void {
  const options = parseTransformOptions(config);
  return () => {
    const queue = new ReadyQueue();
    const out = transformStage(options, queue, stats, { file: 'f', offset: 0 });
    for (let i = 0; i < N; i++) out.push(lines[i]!, 'f', i);
    out.end?.();
    while (queue.take(1000, Infinity) !== undefined);
  };
}

describe('transform stage (10,000 entries per iteration; the queue included)', () => {
  bench('none (the ready queue alone)', run({}));
  bench('rate-limit=500/s (half suppressed)', run({ 'rate-limit': '500/s' }));
  bench('redact: 1 rule', run({ redact: RULES.redact }));
  bench('redact: 3 rules (token, e-mail, card)', run(RULES));
  bench('rate-limit + 3 redact rules', run({ 'rate-limit': '500/s', ...RULES }));
  bench('multiline=java, plain lines (each waits for the next)', run({ multiline: 'java' }));
  bench('multiline=java, a 30-line trace every 200 lines', run({ multiline: 'java' }, traced));
  bench('multiline=python,java, plain lines', run({ multiline: 'python,java' }));
  bench('multiline=python, plain lines (none held)', run({ multiline: 'python' }));
  bench('the ready queue alone, a 30-line trace every 200 lines', run({}, traced));
});
