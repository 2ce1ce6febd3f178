// Micro-benchmark beside the code: `npm run bench:micro`.
import { bench, describe } from 'vitest';
import type { LogEntry } from '../codec/log-entry.js';
import { JsonLineEncoder } from './json-line.js';
import { ByteSink } from '../util/byte-sink.js';
import { parseJsonFileLine } from './json-line-parser.js';

const entries: LogEntry[] = Array.from({ length: 10_000 }, (_, i) => ({
  source: 'stdout',
  sec: 1795896100 + (i >> 10),
  nsec: i * 7919,
  line: Buffer.from(i % 10 ? `line ${i} of a typical length for a log` : `tab\there <b>&amp; "q" \xff bad`, 'latin1'),
  partial: false,
  meta: undefined,
}));
const sink = new ByteSink();
const encoder = new JsonLineEncoder(undefined);
for (const e of entries) encoder.encode(e, sink);
const lines = Buffer.from(sink.view());

describe('json-file lines (10,000 per iteration)', () => {
  bench('encode (Docker escaping)', () => {
    sink.reset();
    for (const e of entries) encoder.encode(e, sink);
  });
  bench('parse back (sink read path)', () => {
    let start = 0;
    for (let nl = lines.indexOf(10); nl !== -1; nl = lines.indexOf(10, start)) {
      parseJsonFileLine(lines, start, nl, true);
      start = nl + 1;
    }
  });
  bench('parse back with JSON.parse (the fallback, for comparison)', () => {
    let start = 0;
    for (let nl = lines.indexOf(10); nl !== -1; nl = lines.indexOf(10, start)) {
      JSON.parse(lines.toString('utf8', start, nl));
      start = nl + 1;
    }
  });
});
