import { runFaults, faultTable, FAULT_CASES } from '../test/helpers/fault-run.js';
import fs from 'node:fs';
import { pino } from 'pino';
const dir = fs.mkdtempSync('/tmp/faults-');
const t = Date.now();
const results = await runFaults({ dir, cases: FAULT_CASES.slice(0,1), lines: 5000, linesPerSecond: 2000, kills: 1, outageMs: 2000, drainMs: 15000, log: pino({level:'debug'}, pino.destination(2)) });
console.log(faultTable(results), Date.now() - t);
process.exit(0);
