// `npm run faults`: the long version of test/integration/receiver-faults.test.ts.
// Every sink's receiver (a process of its own) is killed with SIGKILL and started
// again FAULTS_KILLS times while FAULTS_LINES lines are logged through the host
// daemon's driver and a real FIFO; prints, per sink, the lines lost, the duplicates
// and each time from the receiver listening again to its first line (RELIABILITY.md).
// Settings (environment): FAULTS_LINES (1000000), FAULTS_RATE lines/s (10000),
// FAULTS_KILLS (5), FAULTS_OUTAGE_MS (1000), FAULTS_TRACE=1 for kill times and stats.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { faultTable, runFaults } from '../helpers/fault-run.js';

const setting = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
};

const lines = setting('FAULTS_LINES', 1_000_000);
const linesPerSecond = setting('FAULTS_RATE', 10_000);
const kills = setting('FAULTS_KILLS', 5);
const outageMs = setting('FAULTS_OUTAGE_MS', 1_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-faults-'));
process.stdout.write(`${lines} lines at ${linesPerSecond}/s, every receiver killed ${kills} times for ${outageMs} ms (${dir})\n`);
const results = await runFaults({ dir, lines, linesPerSecond, kills, outageMs, drainMs: 120_000 });
process.stdout.write(`${faultTable(results)}\n`);
fs.rmSync(dir, { recursive: true, force: true });
const failed = results.filter((r) => r.acknowledged && r.lost.length > 0);
process.exit(failed.length > 0 ? 1 : 0);
