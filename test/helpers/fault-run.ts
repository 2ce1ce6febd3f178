// Receivers killed with SIGKILL and started again while a container logs: the
// host-daemon harness of the fault tests (the daemon's driver in this process, fed
// through a real FIFO as dockerd feeds it, each sink's receiver a process of its own).
// Shared by the CI test and `npm run faults`.
import path from 'node:path';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { type Logger, silentLogger } from '../../src/util/log.js';
import { containerInfo } from './container-info.js';
import { Fifo } from './fake-dockerd.js';
import { ReceiverProcess, tally } from './receiver-process.js';
import type { ReceiverKind } from './receiver-child.js';

import { waitUntil } from './wait.js';
import { freePort } from './ports.js';

export interface FaultCase {
  name: string;
  kind: ReceiverKind;
  /** The sink's options, besides its address. */
  options: Record<string, string>;
  /** The sink's protocol confirms delivery: nothing may be lost. */
  acknowledged: boolean;
}

/** Every sink, and with fluentd both with and without acknowledgements. */
export const FAULT_CASES: readonly FaultCase[] = [
  { name: 'splunk (splunk-ack=true)', kind: 'splunk-ack', options: { 'splunk-token': 't0k3n', 'splunk-ack': 'true' }, acknowledged: true },
  { name: 'fluentd (fluentd-request-ack=true)', kind: 'fluentd', options: { 'fluentd-request-ack': 'true' }, acknowledged: true },
  { name: 'fluentd (no ack)', kind: 'fluentd', options: {}, acknowledged: false },
  { name: 'syslog udp', kind: 'syslog-udp', options: {}, acknowledged: false },
  { name: 'syslog tcp', kind: 'syslog-tcp', options: {}, acknowledged: false },
  { name: 'gelf udp', kind: 'gelf-udp', options: {}, acknowledged: false },
  { name: 'gelf tcp', kind: 'gelf-tcp', options: {}, acknowledged: false },
];

/** The option that names the receiver, per kind. */
function addressOption(kind: ReceiverKind): string {
  if (kind.startsWith('splunk')) return 'splunk-url';
  if (kind === 'fluentd') return 'fluentd-address';
  return kind.startsWith('syslog') ? 'syslog-address' : 'gelf-address';
}

/** Line `i` as the containers of the fault tests log it. */
export const faultLine = (i: number): string => `L${String(i).padStart(7, '0')}`;

export interface FaultRunOptions {
  dir: string;
  cases?: readonly FaultCase[];
  /** Lines 1..lines are logged. */
  lines: number;
  linesPerSecond: number;
  /** Each receiver is killed this many times, evenly spaced while the lines are logged. */
  kills: number;
  /** How long each receiver stays dead. */
  outageMs: number;
  /** How long to wait for every line after the last one was logged. */
  drainMs?: number;
  log?: Logger;
}

export interface FaultResult {
  name: string;
  acknowledged: boolean;
  sent: number;
  lost: number[];
  duplicates: number;
  /** Per restart: from the receiver listening again to the first line it got. */
  recoveryMs: (number | undefined)[];
  /** Per restart: whether lines were still being logged then (after that, a sink that lost nothing has nothing to send). */
  whileLogging: boolean[];
}

/** Writes lines 1..n into every FIFO, paced, in steps of 10 ms. */
async function pace(fifos: readonly Fifo[], n: number, perSecond: number): Promise<void> {
  const started = Date.now();
  let next = 1;
  while (next <= n) {
    const due = Math.min(n, Math.floor(((Date.now() - started) / 1000) * perSecond) + 1);
    if (due >= next) {
      const frames: Buffer[] = [];
      const sec = Math.floor(Date.now() / 1000);
      for (; next <= due; next++) frames.push(encodeFrame({ source: 'stdout', sec, nsec: next, line: Buffer.from(faultLine(next)), partial: false, meta: undefined }));
      const batch = Buffer.concat(frames);
      await Promise.all(fifos.map((f) => f.write(batch)));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Kills `receiver` at evenly spaced times while the lines are logged (each time once
 * its current life got a line), and starts it again after the outage.
 */
async function flap(receiver: ReceiverProcess, o: FaultRunOptions, started: number): Promise<void> {
  const duration = (o.lines / o.linesPerSecond) * 1000;
  for (let k = 1; k <= o.kills; k++) {
    const due = started + (k * duration) / (o.kills + 1);
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const life = receiver.readyAt.length - 1;
    await waitUntil(() => receiver.arrivals(life).length > 0, `${receiver.name} to receive a line before kill ${k}`, 60_000, 20);
    if (process.env.FAULTS_TRACE) process.stderr.write(`kill ${receiver.name} ${Date.now()}\n`);
    await receiver.kill();
    await new Promise((r) => setTimeout(r, o.outageMs));
    await receiver.start();
  }
}

export async function runFaults(o: FaultRunOptions): Promise<FaultResult[]> {
  const cases = o.cases ?? FAULT_CASES;
  const receivers = await Promise.all(cases.map(async (c) => new ReceiverProcess(c.kind, await freePort(), o.dir, c.name)));
  await Promise.all(receivers.map((r) => r.start()));
  const driver = new PluginDriver({ root: path.join(o.dir, 'store'), log: o.log ?? silentLogger, hostname: 'faults' });
  const fifos = cases.map((_, i) => new Fifo(o.dir, `fifo-${i}`));
  try {
    for (const [i, c] of cases.entries()) {
      const id = String(i + 1).repeat(64);
      const Config = { [addressOption(c.kind)]: receivers[i]!.address, ...c.options };
      await driver.startLogging({ File: fifos[i]!.path, Info: containerInfo({ Config, ContainerID: id, ContainerName: `/faults-${i}` }) });
    }
    const started = Date.now();
    let loggedUntil = Infinity;
    const paced = pace(fifos, o.lines, o.linesPerSecond).then(() => (loggedUntil = Date.now()));
    await Promise.all([paced, ...receivers.map((r) => flap(r, o, started))]);
    const complete = (r: ReceiverProcess) => tally(r.lines(), o.lines).lost.length === 0;
    await waitUntil(() => receivers.every(complete), 'every line at every receiver', o.drainMs ?? 30_000, 500).catch(() => undefined);
    if (process.env.FAULTS_TRACE) for (const v of driver.router.views()) process.stderr.write(`${v.sink} ${JSON.stringify(v.delivery.stats)}\n`);
    return cases.map((c, i) => {
      const r = receivers[i]!;
      const { lost, duplicates } = tally(r.lines(), o.lines);
      const restarts = r.readyAt.slice(1);
      return {
        name: c.name, acknowledged: c.acknowledged, sent: o.lines, lost, duplicates,
        recoveryMs: restarts.map((_, life) => r.recoveryMs(life + 1)),
        whileLogging: restarts.map((at) => at < loggedUntil),
      };
    });
  } finally {
    for (const f of fifos) driver.stopLogging(f.path);
    await driver.shutdown();
    for (const f of fifos) await f.close();
    for (const r of receivers) await r.kill();
  }
}

/** A table of the results, for the report and RELIABILITY.md. */
export function faultTable(results: readonly FaultResult[]): string {
  const rows = results.map((r) => {
    const times = r.recoveryMs.map((ms, i) => `${ms === undefined ? '–' : ms}${r.whileLogging[i] ? '' : ' (after the last line)'}`).join(', ');
    return `| ${r.name} | ${r.sent} | ${r.lost.length} | ${r.duplicates} | ${times} |`;
  });
  return ['| sink | lines sent | lost | duplicates | recovery to first line (ms) |', '|---|---|---|---|---|', ...rows].join('\n');
}
