// Sidecar throughput against the plugin's own Splunk path, in the same run: each run is
// a container printing `seq 1 N`, timed from `docker run` until the HEC receiver on
// loopback has all N events.
//   sidecar: --log-driver json-file (max-size=1g, no rotation); the sidecar, running as
//            a container from the offline image (scripts/build-sidecar-image.sh) with
//            --network host, forwards Docker's json-file to the receiver.
//   plugin:  --log-driver tslogs --log-opt splunk-url=… : FIFO → store → router → HEC.
// Same Splunk settings on both (Docker's defaults: batches of 1000; N is a multiple of
// 1000 so no run waits for the 5 s flush of a partial batch). Runs alternate; median.
// The receiver only counts events (no parsing), so it costs both paths the same.
//
// Needs dockerd, the tslogs-bb image and the tslogs plugin (scripts/test-all.sh), and
// the sidecar image (built here if missing or stale). Usage from bench/run.ts:
//   import { runSidecarBench, sidecarTable } from './sidecar.js';
//   const sidecar = sidecarTable(await runSidecarBench(quick));
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BB_IMAGE, PLUGIN_NAME, docker, dockerOk, rm, uniqueName } from '../test/e2e/helpers/docker.js';

export interface SidecarBenchRow {
  path: 'sidecar (json-file → HEC)' | 'plugin (FIFO → store → HEC)';
  lines: number;
  /** Wall time of each run, seconds. */
  runs: number[];
  /** Median of runs. */
  seconds: number;
  linesPerSecond: number;
  /** sidecar row: sidecar lines/s ÷ plugin lines/s (< 1: the sidecar is slower). */
  ratioToPlugin?: number;
}

const TOKEN = '5d1c2b7a-0e4f-4a8b-9c3d-6f7e8a9b0c1d';
const IMAGE = process.env.TSLOGS_SIDECAR_IMAGE ?? 'tslogs-sidecar:latest';
const RUN_TIMEOUT_MS = 300_000;
const EVENT = Buffer.from('{"event":');

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A HEC endpoint that answers 200 and counts events (`{"event":` cannot occur inside an escaped line). */
class CountingHec {
  events = 0;
  url = '';
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<CountingHec> {
    const server = http.createServer();
    const hec = new CountingHec(server);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      let tail = Buffer.alloc(0);
      req.on('data', (chunk: Buffer) => {
        const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
        for (let i = data.indexOf(EVENT); i !== -1; i = data.indexOf(EVENT, i + EVENT.length)) hec.events++;
        tail = Buffer.from(data.subarray(Math.max(0, data.length - EVENT.length + 1)));
      });
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"text":"Success","code":0}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return hec;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One `seq 1 N` container; seconds until the receiver counted N more events. */
async function once(hec: CountingHec, driverArgs: string[], lines: number, what: string): Promise<number> {
  const name = uniqueName(`bench-sidecar-${what}`);
  const base = hec.events;
  try {
    const t0 = process.hrtime.bigint();
    await dockerOk(['run', '-d', '--name', name, '--network', 'none', ...driverArgs, BB_IMAGE, 'seq', '1', String(lines)]);
    await until(`${what}: ${lines} events`, () => hec.events >= base + lines);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await new Promise((r) => setTimeout(r, 200));
    if (hec.events !== base + lines) throw new Error(`${what}: ${hec.events - base} events for ${lines} lines`);
    return seconds;
  } finally {
    await docker(['wait', name]).catch(() => undefined);
    await rm(name).catch(() => undefined);
  }
}

/** Sidecar and plugin rows (plugin first); N = 20,000 lines (quick) or 200,000. */
export async function runSidecarBench(quick: boolean, repeats = 3): Promise<SidecarBenchRow[]> {
  const lines = quick ? 20_000 : 200_000;
  execFileSync('bash', [path.join(import.meta.dirname, '../scripts/build-sidecar-image.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const hec = await CountingHec.start();
  const label = `tslogs.bench=${uniqueName('sidecar')}`;
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-bench-sidecar-'));
  const sidecar = uniqueName('bench-sidecar-daemon');
  try {
    await dockerOk([
      'run', '-d', '--name', sidecar, '--network', 'host', '--log-driver', 'json-file',
      '-v', '/var/lib/docker/containers:/var/lib/docker/containers:ro', '-v', `${state}:/var/lib/tslogs-sidecar`,
      '-e', `TSLOGS_SPLUNK_URL=${hec.url}`, '-e', `TSLOGS_SPLUNK_TOKEN=${TOKEN}`,
      IMAGE, '--include-label', label,
    ]);
    await until('sidecar ready', async () => (await docker(['logs', sidecar])).stdout.toString().includes('tslogs sidecar: watching'));
    const sidecarArgs = ['--log-driver', 'json-file', '--log-opt', 'max-size=1g', '--label', label];
    // The managed plugin has the host's network; the container needs none.
    const pluginArgs = ['--log-driver', PLUGIN_NAME, '--log-opt', `splunk-url=${hec.url}`, '--log-opt', `splunk-token=${TOKEN}`];
    const times = { sidecar: [] as number[], plugin: [] as number[] };
    for (let i = 0; i < repeats; i++) {
      const order = i % 2 === 0 ? (['sidecar', 'plugin'] as const) : (['plugin', 'sidecar'] as const);
      for (const which of order) times[which].push(await once(hec, which === 'sidecar' ? sidecarArgs : pluginArgs, lines, which));
    }
    const p = median(times.plugin);
    const s = median(times.sidecar);
    return [
      { path: 'plugin (FIFO → store → HEC)', lines, runs: times.plugin, seconds: p, linesPerSecond: lines / p },
      { path: 'sidecar (json-file → HEC)', lines, runs: times.sidecar, seconds: s, linesPerSecond: lines / s, ratioToPlugin: p / s },
    ];
  } finally {
    await rm(sidecar).catch(() => undefined);
    await hec.close();
    fs.rmSync(state, { recursive: true, force: true });
  }
}

/** The rows as a markdown table. */
export function sidecarTable(rows: readonly SidecarBenchRow[]): string {
  const n = rows[0]?.runs.length ?? 0;
  const body = rows.map((r) =>
    `| ${r.path} | ${r.lines.toLocaleString('en')} | ${r.seconds.toFixed(2)} s (${r.runs.map((s) => s.toFixed(2)).join(' / ')}) | ${(r.linesPerSecond / 1e3).toFixed(1)} k lines/s | ${r.ratioToPlugin === undefined ? '–' : r.ratioToPlugin.toFixed(2)} |`,
  );
  return [
    `| path to the HEC receiver | lines | wall time, median of ${n} (runs) | rate | sidecar / plugin |`,
    '|---|---|---|---|---|',
    ...body,
  ].join('\n');
}
