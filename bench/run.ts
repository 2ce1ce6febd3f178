// npm run bench [-- --quick] : runs the benchmarks and writes BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import { makeFrames, runIngest, type IngestResult } from './ingest.js';
import { runRouter, type RouterResult } from './router.js';

const quick = process.argv.includes('--quick');
const frames = quick ? 200_000 : 1_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function table(results: IngestResult[]): string {
  const names = [...new Set(results.map((r) => r.name))];
  const rows = names.map((name) => {
    const runs = results.filter((r) => r.name === name);
    const s = median(runs.map((r) => r.seconds));
    const r = runs[0]!;
    return `| ${name} | ${r.frames.toLocaleString('en')} | ${(r.frames / s / 1e6).toFixed(2)} M frames/s | ${(r.frameBytes / s / 1e6).toFixed(0)} MB/s | ${s.toFixed(3)} s |`;
  });
  return ['| ingest path | frames | rate | frame bytes | median of 3 |', '|---|---|---|---|---|', ...rows].join('\n');
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
const ingest = table(await runIngest(frames));
const routerResults = await runRouter(makeFrames(frames), frames);

function routerTable(results: RouterResult[]): string {
  const names = [...new Set(results.map((r) => r.name))];
  const base = median(results.filter((r) => r.name === names[0]).map((r) => r.ingestSeconds));
  const rows = names.map((name) => {
    const runs = results.filter((r) => r.name === name);
    const ingestS = median(runs.map((r) => r.ingestSeconds));
    const delivered = median(runs.map((r) => r.deliveredSeconds));
    const n = runs[0]!.frames;
    return `| ${name} | ${(n / ingestS / 1e6).toFixed(2)} M frames/s | ${(ingestS / base).toFixed(2)} | ${name === '0 sinks' ? '–' : (n / delivered / 1e6).toFixed(2) + ' M entries/s'} |`;
  });
  return ['| sinks | ingest rate (FIFO → disk) | ingest time vs 0 sinks | delivery rate to each healthy sink |', '|---|---|---|---|', ...rows].join('\n');
}
const router = routerTable(routerResults);
const report = `# Benchmarks

Machine: ${machine}
Command: \`npm run bench${quick ? ' -- --quick' : ''}\` (${new Date().toISOString().slice(0, 10)})

## Ingest: LogEntry frames → json-file (\`seq\`-like lines)

${ingest}

## Router: ingest with sinks (fast in-process sinks; a down sink fails every send)

${router}

Frames are those dockerd would write for \`seq 1 ${frames}\`; the json-file output is byte-identical to Docker's driver.
The Docker-engine comparisons (docker json-file vs tslogs wall time, sinks vs built-in drivers) are tracked in the benchmarks issue.
`;
process.stdout.write(report);
fs.writeFileSync('BENCHMARKS.md', report);
