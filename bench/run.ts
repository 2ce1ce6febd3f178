// npm run bench [-- --quick] : runs the benchmarks and writes BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import { runIngest, type IngestResult } from './ingest.js';

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
const report = `# Benchmarks

Machine: ${machine}
Command: \`npm run bench${quick ? ' -- --quick' : ''}\` (${new Date().toISOString().slice(0, 10)})

## Ingest: LogEntry frames → json-file (\`seq\`-like lines)

${ingest}

Frames are those dockerd would write for \`seq 1 ${frames}\`; the json-file output is byte-identical to Docker's driver.
The Docker-engine comparisons (docker json-file vs tslogs wall time, sinks vs built-in drivers) are tracked in the benchmarks issue.
`;
process.stdout.write(report);
fs.writeFileSync('BENCHMARKS.md', report);
