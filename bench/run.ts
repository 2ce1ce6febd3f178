// npm run bench [-- --quick] [-- --no-docker]: runs the benchmarks and writes BENCHMARKS.md.
// The Docker sections need dockerd, the tslogs-bb image and the tslogs plugin
// (`bash scripts/test-all.sh` sets all of them up).
import fs from 'node:fs';
import os from 'node:os';
import { makeFrames, runIngest, type IngestResult } from './ingest.js';
import { runRouter, type RouterResult } from './router.js';
import { runDockerDrivers, runDockerLogsReads, runResources, type DockerRunResult, type ResourceResult } from './docker.js';
import { runWithSinks } from './docker-sinks.js';
import { runSplunk, splunkTable } from './splunk.js';
import { runSinks, sinksTable } from './sinks.js';
import { cliBenchTable, runCliBench } from './cli.js';
import { runSidecarBench, sidecarTable } from './sidecar.js';

const quick = process.argv.includes('--quick');
const withDocker = !process.argv.includes('--no-docker');
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

function dockerTable(results: DockerRunResult[]): string {
  const names = [...new Set(results.map((r) => r.name))];
  const base = median(results.filter((r) => r.name === "Docker's json-file").map((r) => r.seconds));
  const rows = names.map((name) => {
    const runs = results.filter((r) => r.name === name);
    const s = median(runs.map((r) => r.seconds));
    return `| ${name} | ${s.toFixed(2)} s | ${(runs[0]!.lines / s / 1e3).toFixed(0)} k lines/s | ${(s / base).toFixed(2)} |`;
  });
  return [`| driver | wall time (median of ${results.length / names.length}) | rate | vs Docker's json-file |`, '|---|---|---|---|', ...rows].join('\n');
}

function resourceTable(results: ResourceResult[]): string {
  const rows = results.map((r) => `| ${r.containers}${r.setup ? `, ${r.setup}` : ''} | ${r.lines.toLocaleString('en')} | ${r.cpuSecondsPerMillion.toFixed(2)} s | ${r.peakRssMiB.toFixed(0)} MiB |`);
  return ['| containers at once | lines in all | plugin CPU per million lines | plugin peak RSS |', '|---|---|---|---|', ...rows].join('\n');
}

const dockerLines = quick ? 200_000 : 1_000_000;
const dockerSection = withDocker
  ? `## Docker engine: \`docker run … seq 1 ${dockerLines}\` until the last line is stored (or at every receiver)

${dockerTable([...(await runDockerDrivers(dockerLines, 3)), ...(await runWithSinks(dockerLines, 3))])}

Sinks run to receivers on loopback in this process; the sink rows include the time until
the last line reached every receiver.

## Docker engine: \`docker logs\` of a ${dockerLines.toLocaleString('en')}-line container

${(await runDockerLogsReads(dockerLines)).map((r) => `| ${r.driver} | ${r.seconds.toFixed(2)} s |`).reduce((t, row) => t + '\n' + row, '| driver | docker logs, median of 3 |\n|---|---|')}

The drain-only plugin reads the FIFO with \`cat > /dev/null\`: its rate is how fast dockerd
itself emits frames, the ceiling for any plugin. tslogs' in-process ingest rate above,
divided by that rate, is its headroom.

## Docker engine: the plugin's resources with many containers

${resourceTable(await runResources(quick ? [1, 10] : [1, 10, 100], quick ? 200_000 : 1_000_000))}

## Splunk HEC: Docker's splunk driver vs tslogs' splunk sink, same options, same receiver

${splunkTable(await runSplunk(quick))}

Both post to a HEC receiver on 127.0.0.1 (HTTP); wall time from \`docker run\` until the
receiver has every event; tslogs / Docker is the ratio of rates (> 1: tslogs is faster).

## syslog, GELF, fluentd: Docker's drivers vs tslogs' sinks, same options, same receiver

${sinksTable(await runSinks(quick))}

## Sidecar: Docker's json-file logs → Splunk, against the plugin's own Splunk path

${sidecarTable(await runSidecarBench(quick))}

## Reads: \`tslogs\` against \`docker logs\` for the same container (needs \`npm run build\`)

${cliBenchTable(await runCliBench({ quick }))}
`
  : '(Docker sections skipped: --no-docker)\n';
const report = `# Benchmarks

Machine: ${machine}
Command: \`npm run bench${quick ? ' -- --quick' : ''}${withDocker ? '' : ' -- --no-docker'}\` (${new Date().toISOString().slice(0, 10)})

## Ingest: LogEntry frames → json-file (\`seq\`-like lines)

${ingest}

## Router: ingest with sinks (fast in-process sinks; a down sink fails every send)

${router}

${dockerSection}
Frames are those dockerd would write for \`seq 1 ${frames}\`; the json-file output is byte-identical to Docker's driver.
Figures come from a shared 2-core machine: compare ratios within one run, not absolute times across runs.
`;
process.stdout.write(report);
fs.writeFileSync('BENCHMARKS.md', report);
