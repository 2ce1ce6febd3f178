// Micro-benchmark beside the code: `npm run bench:micro`. The cost of matching --grep
// with re2js (linear time, Go's semantics) against V8's backtracking RegExp, which the
// daemon could only run on a worker thread with a deadline (docs/dependencies.md, re2js).
import { bench, describe } from 'vitest';
import { compileGoRegexp } from './regexp.js';

const lines = Array.from(
  { length: 100_000 },
  (_, i) => `2026-12-03T10:00:00.${i}Z INFO request ${i} handled path=/api/v1/items/${i % 977} status=${i % 7 === 0 ? 500 : 200} took=${i % 113}ms`,
);
// Patterns both engines read the same way.
const PATTERNS: [go: string, js: RegExp][] = [
  ['status=500', /status=500/],
  ['items/(12|34)\\b', /items\/(12|34)\b/],
  ['(?i)info request 99', /info request 99/i],
  ['^2026.*took=1[0-9]ms$', /^2026.*took=1[0-9]ms$/],
];

for (const [go, js] of PATTERNS) {
  describe(`--grep ${go} (100,000 lines per iteration)`, () => {
    const re2 = compileGoRegexp(go, '--grep');
    bench('re2js', () => {
      for (const l of lines) re2.test(l);
    });
    bench('RegExp', () => {
      for (const l of lines) js.test(l);
    });
  });
}
