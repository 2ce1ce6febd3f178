// npm run soak [-- --minutes N --containers N [--keep]]: runs the soak (run-soak.ts),
// prints its figures as JSON and exits 1 when any is out of bounds.
import { parseArgs } from 'node:util';
import { runSoak } from './run-soak.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    containers: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const containers = Number(values.containers);
if (!(minutes > 0) || !(Number.isInteger(containers) && containers > 0)) {
  process.stderr.write('usage: npm run soak -- [--minutes N] [--containers N] [--keep]\n');
  process.exit(2);
}
const result = await runSoak({ minutes, containers, keep: values.keep });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(result.failures.length === 0 ? '[soak] PASS\n' : `[soak] FAIL:\n  ${result.failures.join('\n  ')}\n`);
process.exit(result.failures.length === 0 ? 0 : 1);
