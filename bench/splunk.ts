// Splunk HEC throughput: Docker's built-in splunk driver vs tslogs with the same options,
// to a HecReceiver on loopback (HTTP), with and without splunk-gzip. Each run is a
// container printing `seq 1 N`; the time is from `docker run` until the receiver has
// accepted all N events. Runs are sequential, the two drivers alternating; median of 3.
//
// Needs dockerd, the tslogs-bb image and the tslogs plugin (scripts/test-all.sh), and the
// plugin must reach 127.0.0.1 (it is installed with network host).
import { HecReceiver } from '../test/helpers/hec-receiver.js';
import { BB_IMAGE, PLUGIN_NAME, docker, dockerOk, rm, uniqueName } from '../test/e2e/helpers/docker.js';

export interface SplunkBenchRow {
  driver: "Docker's splunk" | 'tslogs';
  gzip: boolean;
  lines: number;
  /** Wall time of each run, seconds. */
  runs: number[];
  /** Median of runs. */
  seconds: number;
  linesPerSecond: number;
  /** tslogs rows: tslogs lines/s ÷ Docker's lines/s for the same gzip setting (> 1: tslogs is faster). */
  ratioToDocker?: number;
}

const TOKEN = '6e2b7f1c-93a4-4d0e-8c5b-2f1a0d9e7c34';
const RUN_TIMEOUT_MS = 300_000;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One container, one fresh receiver; resolves to the seconds until all `lines` events arrived. */
async function once(driver: 'splunk' | 'tslogs', gzip: boolean, lines: number): Promise<number> {
  const receiver = await HecReceiver.start();
  const name = uniqueName(`bench-splunk-${driver}${gzip ? '-gz' : ''}`);
  try {
    const t0 = process.hrtime.bigint();
    await dockerOk([
      'run', '-d', '--name', name, '--network', 'host',
      '--log-driver', driver === 'splunk' ? 'splunk' : PLUGIN_NAME,
      '--log-opt', `splunk-url=${receiver.url}`,
      '--log-opt', `splunk-token=${TOKEN}`,
      '--log-opt', `splunk-gzip=${gzip}`,
      BB_IMAGE, 'seq', '1', String(lines),
    ]);
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    while (receiver.accepted.length < lines) {
      if (Date.now() > deadline) {
        throw new Error(`${driver}${gzip ? ' gzip' : ''}: ${receiver.accepted.length} of ${lines} events after ${RUN_TIMEOUT_MS / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (receiver.accepted.length !== lines) throw new Error(`${driver}: ${receiver.accepted.length} events for ${lines} lines`);
    return seconds;
  } finally {
    await docker(['wait', name]).catch(() => undefined);
    await rm(name).catch(() => undefined);
    await receiver.close();
  }
}

/** Rows for gzip off and on: Docker's driver, then tslogs with its ratio to Docker. */
export async function runSplunk(quick: boolean, repeats = 3): Promise<SplunkBenchRow[]> {
  const lines = quick ? 20_000 : 100_000;
  const rows: SplunkBenchRow[] = [];
  for (const gzip of [false, true]) {
    const times: Record<'splunk' | 'tslogs', number[]> = { splunk: [], tslogs: [] };
    for (let i = 0; i < repeats; i++) {
      for (const driver of ['splunk', 'tslogs'] as const) times[driver].push(await once(driver, gzip, lines));
    }
    const d = median(times.splunk);
    const t = median(times.tslogs);
    rows.push({ driver: "Docker's splunk", gzip, lines, runs: times.splunk, seconds: d, linesPerSecond: lines / d });
    rows.push({ driver: 'tslogs', gzip, lines, runs: times.tslogs, seconds: t, linesPerSecond: lines / t, ratioToDocker: d / t });
  }
  return rows;
}

/** The rows as a markdown table. */
export function splunkTable(rows: readonly SplunkBenchRow[]): string {
  const n = rows[0]?.runs.length ?? 0;
  const body = rows.map((r) =>
    `| ${r.driver} | ${r.gzip ? 'on' : 'off'} | ${r.lines.toLocaleString('en')} | ${r.seconds.toFixed(2)} s (${r.runs.map((s) => s.toFixed(2)).join(' / ')}) | ${(r.linesPerSecond / 1e3).toFixed(1)} k lines/s | ${r.ratioToDocker === undefined ? '–' : r.ratioToDocker.toFixed(2)} |`,
  );
  return [
    `| driver | splunk-gzip | lines | wall time, median of ${n} (runs) | rate | tslogs / Docker |`,
    '|---|---|---|---|---|---|',
    ...body,
  ].join('\n');
}
