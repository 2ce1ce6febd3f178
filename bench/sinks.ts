// Sink throughput through the real engine: `docker run … seq 1 N` under Docker's own
// driver and under tslogs with the same options, to the same counting receiver, each
// receiver in its own process (bench/receivers/). Time runs from `docker run` until
// the last line reached the receiver (every receiver, for several sinks); the
// container's own exit is recorded too, and for tslogs the plugin's CPU seconds.
// Rounds alternate the two drivers; figures are medians.
import { BB_IMAGE, PLUGIN_NAME, docker, dockerOk, rm, uniqueName } from '../test/e2e/helpers/docker.js';
import { cpuSeconds, pluginPid } from './plugin-process.js';
import type { ReceiverKind } from './receivers/counting.js';
import { RemoteReceiver } from './receivers/remote.js';
import { freePort } from '../test/helpers/ports.js';

const ADDRESS_KEYS = ['splunk-url=', 'syslog-address=', 'gelf-address='];

/** The receivers' options with a closed loopback port listed after the address (tslogs' failover). */
async function withSecondEndpoint(opts: string[]): Promise<string[]> {
  const port = await freePort();
  return opts.map((o) => {
    const key = ADDRESS_KEYS.find((k) => o.startsWith(k));
    if (key === undefined) return o;
    const scheme = /^[a-z+]+:\/\//.exec(o.slice(key.length))?.[0] ?? 'tcp://';
    return `${o},${scheme}127.0.0.1:${port}`;
  });
}

export interface SinkCase {
  name: string;
  /** Receivers, one per sink. */
  kinds: ReceiverKind[];
  /** Docker's driver for the same receiver, or json-file for several sinks at once. */
  docker: string;
  opts?: string[];
  /** Options only tslogs has (Docker's driver keeps `opts` alone). */
  tslogsOpts?: string[];
  /** At most this many lines (Docker's GELF over UDP takes a minute and a half for a million). */
  maxLines?: number;
  /**
   * tslogs only: the address option lists a second endpoint after the receiver's (a closed
   * loopback port, never needed while the first is healthy), to show what failover costs then.
   */
  secondEndpoint?: boolean;
}

export const SINK_CASES: SinkCase[] = [
  { name: 'Splunk HEC, inline', kinds: ['hec'], docker: 'splunk' },
  { name: 'Splunk HEC, inline, splunk-max-in-flight=4', kinds: ['hec'], docker: 'splunk', tslogsOpts: ['splunk-max-in-flight=4'] },
  { name: 'Splunk HEC, inline, gzip', kinds: ['hec'], docker: 'splunk', opts: ['splunk-gzip=true'] },
  { name: 'Splunk HEC, inline, splunk-url listing a second endpoint (never needed)', kinds: ['hec'], docker: 'splunk', secondEndpoint: true },
  { name: 'syslog UDP, rfc5424micro', kinds: ['syslog-udp'], docker: 'syslog' },
  { name: 'syslog TCP, rfc5424micro', kinds: ['syslog-tcp'], docker: 'syslog' },
  { name: 'GELF TCP', kinds: ['gelf-tcp'], docker: 'gelf' },
  { name: 'GELF UDP (gzip)', kinds: ['gelf-udp'], docker: 'gelf', maxLines: 200_000 },
  { name: 'fluentd', kinds: ['fluentd'], docker: 'fluentd' },
  // Docker has no OTLP driver: its column is json-file alone, as for the four sinks at once.
  { name: 'OTLP/HTTP protobuf (vs Docker\'s json-file)', kinds: ['otlp'], docker: 'json-file' },
  { name: 'OTLP/HTTP protobuf, otlp-max-in-flight=4 (vs Docker\'s json-file)', kinds: ['otlp'], docker: 'json-file', tslogsOpts: ['otlp-max-in-flight=4'] },
  { name: 'OTLP/HTTP JSON, gzip (vs Docker\'s json-file)', kinds: ['otlp-json'], docker: 'json-file', tslogsOpts: ['otlp-compression=gzip'] },
  // Grafana's Loki driver is a plugin of its own, not in Docker: json-file alone again.
  { name: 'Loki push, protobuf + snappy (vs Docker\'s json-file)', kinds: ['loki'], docker: 'json-file' },
];

export const FOUR_SINKS: SinkCase = {
  name: 'Splunk + syslog TCP + GELF TCP + fluentd at once (vs Docker\'s json-file)',
  kinds: ['hec', 'syslog-tcp', 'gelf-tcp', 'fluentd'],
  docker: 'json-file',
};

export interface SinkRun {
  /** Until the last line reached every receiver (json-file: until the container exited). */
  seconds: number;
  exitSeconds: number;
  /** The fewest lines any receiver got. */
  received: number;
  /** Plugin CPU seconds during the run (tslogs only). */
  cpu: number | undefined;
}

export interface SinkRow {
  name: string;
  lines: number;
  docker: SinkRun[];
  tslogs: SinkRun[];
}

const seconds = (from: bigint, to: bigint): number => Number(to - from) / 1e9;

/** One run of a case under one driver (exported for one-off comparisons of a few cases). */
export async function runSinkOnce(driver: string, c: SinkCase, lines: number): Promise<SinkRun> {
  const receivers = driver === 'json-file' ? [] : await Promise.all(c.kinds.map((k) => RemoteReceiver.start(k)));
  const name = uniqueName('bench-sink');
  const pid = driver === PLUGIN_NAME ? pluginPid() : undefined;
  try {
    const given = receivers.flatMap((r) => r.opts);
    const addressOpts = driver === PLUGIN_NAME && c.secondEndpoint === true ? await withSecondEndpoint(given) : given;
    const opts = [...addressOpts, ...(c.opts ?? []), ...(driver === PLUGIN_NAME ? c.tslogsOpts ?? [] : []),
      ...(driver === PLUGIN_NAME || driver === 'json-file' ? ['max-size=1g'] : [])];
    const cpu0 = pid === undefined ? 0 : cpuSeconds(pid);
    const t0 = process.hrtime.bigint();
    await dockerOk(['run', '-d', '--name', name, '--network', 'host', '--log-driver', driver, ...opts.flatMap((o) => ['--log-opt', o]), BB_IMAGE, 'seq', '1', String(lines)]);
    const exited = dockerOk(['wait', name]).then(() => process.hrtime.bigint());
    const arrivals = await Promise.all(receivers.map((r) => r.until(lines)));
    const exitAt = await exited;
    const cpu = pid === undefined ? undefined : cpuSeconds(pid) - cpu0;
    const lastAt = arrivals.reduce((t, a) => (a.lastAt > t ? a.lastAt : t), exitAt);
    const received = arrivals.length === 0 ? lines : Math.min(...arrivals.map((a) => a.received));
    return { seconds: seconds(t0, receivers.length === 0 ? exitAt : lastAt), exitSeconds: seconds(t0, exitAt), received, cpu };
  } finally {
    await rm(name).catch(() => undefined);
    await Promise.all(receivers.map((r) => r.close()));
  }
}

export async function runSinkCases(cases: readonly SinkCase[], lines: number, rounds = 3): Promise<SinkRow[]> {
  const rows: SinkRow[] = [];
  for (const c of cases) {
    const n = Math.min(lines, c.maxLines ?? lines);
    const row: SinkRow = { name: c.name, lines: n, docker: [], tslogs: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['docker', 'tslogs'] : ['tslogs', 'docker'];
      for (const who of order) {
        if (who === 'docker') row.docker.push(await runSinkOnce(c.docker, c, n));
        else row.tslogs.push(await runSinkOnce(PLUGIN_NAME, c, n));
      }
    }
    rows.push(row);
    await docker(['container', 'prune', '-f']).catch(() => undefined);
  }
  return rows;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Plugin CPU seconds per million lines, median over the runs. */
export function cpuPerMillion(runs: readonly SinkRun[], lines: number): number {
  return median(runs.map((r) => r.cpu ?? Number.NaN)) / (lines / 1e6);
}

export function sinksTable(rows: readonly SinkRow[]): string {
  const body = rows.map((r) => {
    const d = median(r.docker.map((x) => x.seconds));
    const t = median(r.tslogs.map((x) => x.seconds));
    const exit = median(r.tslogs.map((x) => x.exitSeconds));
    const worst = (runs: SinkRun[]): string => Math.min(...runs.map((x) => x.received)).toLocaleString('en');
    return `| ${r.name} | ${r.lines.toLocaleString('en')} | ${d.toFixed(2)} s | ${t.toFixed(2)} s | ${exit.toFixed(2)} s | **${(t / d).toFixed(2)}** | ${worst(r.docker)} / ${worst(r.tslogs)} | ${cpuPerMillion(r.tslogs, r.lines).toFixed(2)} s |`;
  });
  return [
    `| configuration (median of ${rows[0]?.docker.length ?? 0}) | lines | Docker's driver | tslogs | tslogs container exit | tslogs / Docker (time) | received, worst run (Docker / tslogs) | plugin CPU per M lines |`,
    '|---|---|---|---|---|---|---|---|',
    ...body,
  ].join('\n');
}
