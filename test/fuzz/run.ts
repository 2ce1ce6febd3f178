// npm run fuzz [-- --seed N] [--count N] [--target frames|http|options] [--from N]
// Runs each target against its own fresh daemon and prints, per target: inputs,
// crashes, hangs, findings, sentinel lines lost, the daemon's peak RSS. Exits 1 on any failure.
import { parseArgs } from 'node:util';
import { type Stats, runTarget, type Target } from './harness.js';
import { TARGETS } from './targets/index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '100000' },
    target: { type: 'string', multiple: true },
    from: { type: 'string', default: '0' },
  },
});
const seed = Number(values.seed);
const count = Number(values.count);
const from = Number(values.from);
if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 0 || !Number.isInteger(from)) {
  process.stderr.write('usage: npm run fuzz -- [--seed N] [--count N] [--target frames|http|options]… [--from N]\n');
  process.exit(2);
}
const names = values.target ?? Object.keys(TARGETS);
const unknown = names.filter((n) => !(n in TARGETS));
if (unknown.length > 0) {
  process.stderr.write(`unknown target ${unknown.join(', ')}: the targets are ${Object.keys(TARGETS).join(', ')}\n`);
  process.exit(2);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const line = (s: Stats) =>
  `${s.target.padEnd(8)} inputs ${s.inputs}  crashes ${s.crashes}  hangs ${s.hangs}  findings ${s.findings}  sentinel lost ${s.sentinelLost}/${s.sentinelSent}  peak RSS ${mib(s.peakRssBytes)}  peak fds ${s.peakFds}  ${s.seconds.toFixed(0)} s${Object.keys(s.tally).length > 0 ? `  (${Object.entries(s.tally).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`;

const results: Stats[] = [];
for (const name of names) {
  const target: Target = TARGETS[name]!();
  process.stdout.write(`[fuzz] ${name}: seed ${seed}, inputs ${from}…${from + count - 1}\n`);
  const stats = await runTarget(target, { seed, count, from, onProgress: (s) => process.stdout.write(`[fuzz]   ${line(s)}\n${s.failures.slice(0, 3).map((f) => `[fuzz]     ${f}\n`).join('')}`) });
  results.push(stats);
  process.stdout.write(`${line(stats)}\n`);
  for (const f of stats.failures) process.stdout.write(`  ${f}\n`);
}
process.stdout.write(`\nseed ${seed}\n${results.map(line).join('\n')}\n`);
const failed = results.some((s) => s.crashes + s.hangs + s.findings + s.sentinelLost > 0);
process.exit(failed ? 1 : 0);
