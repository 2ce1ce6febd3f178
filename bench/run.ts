// npm run bench [-- --quick] [-- --no-docker] [-- --only sinks,docker,…] [-- --cases splunk,gelf]: runs the
// benchmarks and writes the measured part of BENCHMARKS.md (everything above the
// history marker; the hand-kept history below it stays). With --only, the report goes
// to .tmp/bench-<sections>.md instead. The Docker sections need dockerd, the busybox
// image and the plugin (`bash scripts/test-all.sh` or `npm run plugin:install`).
import fs from 'node:fs';
import os from 'node:os';
import { makeFrames, runIngest, type IngestResult } from './ingest.js';
import { runRouter, type RouterResult } from './router.js';
import { runDockerDrivers, runDockerLogsReads, runResources, type DockerRunResult, type ResourceResult } from './docker.js';
import { cpuPerMillion, FOUR_SINKS, median, runSinkCases, SINK_CASES, sinksTable, type SinkRow } from './sinks.js';
import { cliBenchTable, runCliBench } from './cli.js';
import { runSidecarBench, sidecarTable } from './sidecar.js';
import { natsTable, runNatsBench } from './nats.js';

const SECTIONS = ['ingest', 'router', 'nats', 'docker', 'sinks', 'reads', 'resources', 'sidecar', 'cli'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const withDocker = !args.includes('--no-docker');
const onlyArg = args.indexOf('--only');
const only = onlyArg === -1 ? undefined : new Set(args[onlyArg + 1]!.split(',') as Section[]);
for (const s of only ?? []) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; sections: ${SECTIONS.join(', ')}`);
// --cases a,b: only the sink rows whose name contains one of these (case-insensitive).
const casesArg = args.indexOf('--cases');
const cases = casesArg === -1 ? undefined : args[casesArg + 1]!.toLowerCase().split(',');
const frames = quick ? 200_000 : 1_000_000;
const dockerLines = quick ? 200_000 : 1_000_000;
const sinkLines = quick ? 100_000 : 1_000_000;

const wanted = (s: Section): boolean => (only === undefined || only.has(s)) && (withDocker || s === 'ingest' || s === 'router' || s === 'nats');

function ingestTable(results: IngestResult[]): string {
  const names = [...new Set(results.map((r) => r.name))];
  const rows = names.map((name) => {
    const runs = results.filter((r) => r.name === name);
    const s = median(runs.map((r) => r.seconds));
    const r = runs[0]!;
    return `| ${name} | ${r.frames.toLocaleString('en')} | ${(r.frames / s / 1e6).toFixed(2)} M frames/s | ${(r.frameBytes / s / 1e6).toFixed(0)} MB/s | ${s.toFixed(3)} s |`;
  });
  return ['| ingest path | frames | rate | frame bytes | median of 3 |', '|---|---|---|---|---|', ...rows].join('\n');
}

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

function dockerTable(results: DockerRunResult[]): string {
  const names = [...new Set(results.map((r) => r.name))];
  const base = median(results.filter((r) => r.name === "Docker's json-file").map((r) => r.seconds));
  const rows = names.map((name) => {
    const runs = results.filter((r) => r.name === name);
    const s = median(runs.map((r) => r.seconds));
    const cpu = runs[0]!.cpu === undefined ? '–' : `${(median(runs.map((r) => r.cpu!)) / (runs[0]!.lines / 1e6)).toFixed(2)} s`;
    return `| ${name} | ${s.toFixed(2)} s | ${(runs[0]!.lines / s / 1e3).toFixed(0)} k lines/s | ${(s / base).toFixed(2)} | ${cpu} |`;
  });
  return [`| driver | wall time (median of ${results.length / names.length}) | rate | vs Docker's json-file | plugin CPU per M lines |`, '|---|---|---|---|---|', ...rows].join('\n');
}

function resourceTable(results: ResourceResult[]): string {
  const rows = results.map((r) => `| ${r.containers}${r.setup ? `, ${r.setup}` : ''} | ${r.lines.toLocaleString('en')} | ${r.cpuSecondsPerMillion.toFixed(2)} s | ${r.peakRssMiB.toFixed(0)} MiB |`);
  return ['| containers at once | lines in all | plugin CPU per million lines | plugin peak RSS |', '|---|---|---|---|', ...rows].join('\n');
}

/** Plugin CPU per million lines: the store alone, each sink added, four sinks added. */
function cpuTable(store: DockerRunResult[], sinks: SinkRow[]): string {
  const storeRuns = store.filter((r) => r.cpu !== undefined);
  const base = storeRuns.length === 0 ? Number.NaN : median(storeRuns.map((r) => r.cpu!)) / (storeRuns[0]!.lines / 1e6);
  const rows = [`| json-file store only | ${base.toFixed(2)} s | – |`];
  for (const r of sinks) {
    const c = cpuPerMillion(r.tslogs, r.lines);
    rows.push(`| + ${r.name.replace(/ at once.*/, '')} | ${c.toFixed(2)} s | ${(c - base).toFixed(2)} s |`);
  }
  return ['| configuration | plugin CPU per million lines | added to the store alone |', '|---|---|---|', ...rows].join('\n');
}

const parts: string[] = [];
/** Adds a section to the report and prints it at once, so an interrupted run keeps what it measured. */
function section(part: string): void {
  parts.push(part);
  process.stdout.write(part + '\n\n');
}
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
const command = `npm run bench${args.length > 0 ? ' -- ' + args.join(' ') : ''}`;
section(`# Benchmarks\n\nMachine: ${machine}\nCommand: \`${command}\` (${new Date().toISOString().slice(0, 10)})`);

if (wanted('ingest')) {
  section(`## Ingest: LogEntry frames → json-file (\`seq\`-like lines)\n\n${ingestTable(await runIngest(frames))}`);
}
if (wanted('router')) {
  section(`## Router: ingest with sinks (fast in-process sinks; a down sink fails every send)\n\n${routerTable(await runRouter(makeFrames(frames), frames))}`);
}
let storeRuns: DockerRunResult[] = [];
if (wanted('nats')) {
  section(`## NATS JetStream sink: the router to an R3 stream on a three-node nats-server cluster (loopback), until every line is acknowledged\n\n${natsTable(await runNatsBench(makeFrames(sinkLines), sinkLines))}`);
}
if (wanted('docker')) {
  storeRuns = await runDockerDrivers(dockerLines, 3);
  section(`## Docker engine: \`docker run … seq 1 ${dockerLines}\` until the last line is stored

${dockerTable(storeRuns)}

The drain-only plugin reads the FIFO with \`cat > /dev/null\`: its rate is how fast dockerd
itself emits frames, the ceiling for any plugin.`);
}
if (wanted('sinks')) {
  const picked = (c: { name: string }): boolean => cases === undefined || cases.some((k) => c.name.toLowerCase().includes(k));
  const single = await runSinkCases(SINK_CASES.filter(picked), sinkLines);
  const four = picked(FOUR_SINKS) ? await runSinkCases([FOUR_SINKS], sinkLines) : [];
  section(`## Sinks: Docker's own driver against tslogs, same options, same receiver

${sinksTable([...single, ...four])}

Each receiver runs in its own process and only counts (bench/receivers/). Times run from
\`docker run\` until the last line reached every receiver; "container exit" is when the
container itself finished (Docker's drivers hold it until they have sent everything;
tslogs lets it finish at json-file speed and delivers from the store). A ratio below 1
means tslogs is faster. UDP rows stop counting 2 s after the last datagram arrived.

### Plugin CPU per million lines

${cpuTable(storeRuns, [...single, ...four])}`);
}
if (wanted('reads')) {
  const reads = await runDockerLogsReads(dockerLines);
  section(`## Docker engine: \`docker logs\` of a ${dockerLines.toLocaleString('en')}-line container\n\n${reads.map((r) => `| ${r.driver} | ${r.seconds.toFixed(2)} s |`).reduce((t, row) => t + '\n' + row, '| driver | docker logs, median of 3 |\n|---|---|')}`);
}
if (wanted('resources')) {
  section(`## Docker engine: the plugin's resources with many containers\n\n${resourceTable(await runResources(quick ? [1, 10] : [1, 10, 100], quick ? 200_000 : 1_000_000))}`);
}
if (wanted('sidecar')) {
  section(`## Sidecar: Docker's json-file logs → Splunk, against the plugin's own Splunk path\n\n${sidecarTable(await runSidecarBench(quick))}`);
}
if (wanted('cli')) {
  section(`## Reads: \`tslogs\` against \`docker logs\` for the same container (needs \`npm run build\`)\n\n${cliBenchTable(await runCliBench({ quick }))}`);
}
section(`Frames are those dockerd would write for \`seq 1 N\`; the json-file output is byte-identical to Docker's driver.
Figures come from a shared 2-core machine: compare ratios within one run, not absolute times across runs.`);

const report = parts.join('\n\n') + '\n';
const HISTORY = '<!-- history: everything below is kept by npm run bench -->';
if (only === undefined) {
  const old = fs.existsSync('BENCHMARKS.md') ? fs.readFileSync('BENCHMARKS.md', 'utf8') : '';
  const at = old.indexOf(HISTORY);
  fs.writeFileSync('BENCHMARKS.md', report + '\n' + (at === -1 ? HISTORY + '\n' : old.slice(at)));
} else {
  fs.mkdirSync('.tmp', { recursive: true });
  fs.writeFileSync(`.tmp/bench-${[...only].join('-')}.md`, report);
}
