// Sink throughput: Docker's built-in syslog, gelf and fluentd drivers vs tslogs with the
// same options, each to the same kind of receiver on loopback. A container prints
// `seq 1 N`; the time runs from `docker run` until the receiver has every line (UDP
// receivers may lose datagrams under a burst: then until no more arrive for 2 s, and the
// row says how many were received). Median of 3, the two drivers alternating.
import fs from 'node:fs';
import { FluentdReceiver } from '../test/helpers/fluentd-receiver.js';
import { GelfTcpReceiver, GelfUdpReceiver } from '../test/helpers/gelf-receiver.js';
import { CaptureServer, UdpCapture } from '../test/helpers/syslog-servers.js';
import { BB_IMAGE, PLUGIN_NAME, docker, dockerOk, rm, uniqueName } from '../test/e2e/helpers/docker.js';

interface Receiver {
  count(): number;
  close(): Promise<void>;
  opts: string[];
}

interface Case {
  name: string;
  /** Docker's driver name. */
  driver: string;
  start(): Promise<Receiver>;
}

function newlines(chunks: Buffer[]): number {
  let n = 0;
  for (const c of chunks) for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) n++;
  return n;
}

const CASES: Case[] = [
  {
    name: 'syslog udp',
    driver: 'syslog',
    async start() {
      const r = await UdpCapture.start();
      return { count: () => r.datagrams.length, close: () => r.close(), opts: [`syslog-address=udp://127.0.0.1:${r.port}`] };
    },
  },
  {
    name: 'syslog tcp',
    driver: 'syslog',
    async start() {
      const r = await CaptureServer.tcp();
      return { count: () => newlines(r.connections.flatMap((c) => c.data)), close: () => r.close(), opts: [`syslog-address=tcp://127.0.0.1:${r.port}`] };
    },
  },
  {
    name: 'gelf udp (gzip)',
    driver: 'gelf',
    async start() {
      const r = await GelfUdpReceiver.start();
      return { count: () => r.messages.length, close: () => r.close(), opts: [`gelf-address=udp://127.0.0.1:${r.port}`] };
    },
  },
  {
    name: 'gelf tcp',
    driver: 'gelf',
    async start() {
      const r = await GelfTcpReceiver.start();
      return { count: () => r.messages.length, close: () => r.close(), opts: [`gelf-address=${r.address}`] };
    },
  },
  {
    name: 'fluentd',
    driver: 'fluentd',
    async start() {
      const r = await FluentdReceiver.start({ countOnly: true });
      return { count: () => r.count, close: () => r.close(), opts: [`fluentd-address=${r.address}`] };
    },
  },
];

export interface SinkBenchRow {
  sink: string;
  driver: string;
  lines: number;
  received: number;
  seconds: number;
  linesPerSecond: number;
  ratioToDocker?: number;
}

async function once(c: Case, driver: string, lines: number): Promise<{ seconds: number; received: number }> {
  const receiver = await c.start();
  const name = uniqueName(`bench-${c.driver}`);
  try {
    const t0 = process.hrtime.bigint();
    let last = t0;
    let seen = 0;
    await dockerOk(['run', '-d', '--name', name, '--network', 'host', '--log-driver', driver, ...receiver.opts.flatMap((o) => ['--log-opt', o]), BB_IMAGE, 'seq', '1', String(lines)]);
    for (;;) {
      const n = receiver.count();
      const now = process.hrtime.bigint();
      if (n !== seen) {
        seen = n;
        last = now;
      }
      if (n >= lines || Number(now - last) / 1e9 > 2 || Number(now - t0) / 1e9 > 300) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    return { seconds: Number(last - t0) / 1e9, received: seen };
  } finally {
    await docker(['wait', name]).catch(() => undefined);
    await rm(name).catch(() => undefined);
    await receiver.close();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runSinks(quick: boolean, repeats = 3): Promise<SinkBenchRow[]> {
  const lines = quick ? 20_000 : 100_000;
  // Room for UDP bursts in the receivers' buffers (they ask for 4-8 MiB).
  try {
    fs.writeFileSync('/proc/sys/net/core/rmem_max', String(16 * 1024 * 1024));
  } catch {
    // not root: the kernel default applies
  }
  const rows: SinkBenchRow[] = [];
  // GELF over UDP measures the receiver's losses more than either driver (see BENCHMARKS.md);
  // --quick leaves it out to stay within its time.
  for (const c of quick ? CASES.filter((k) => k.name !== 'gelf udp (gzip)') : CASES) {
    const runs: Record<string, { seconds: number; received: number }[]> = { docker: [], tslogs: [] };
    for (let round = 0; round < repeats; round++) {
      for (const who of round % 2 === 0 ? ['docker', 'tslogs'] : ['tslogs', 'docker']) {
        runs[who]!.push(await once(c, who === 'docker' ? c.driver : PLUGIN_NAME, lines));
      }
    }
    const row = (who: string, label: string): SinkBenchRow => {
      const r = runs[who]!;
      const seconds = median(r.map((x) => x.seconds));
      const received = Math.min(...r.map((x) => x.received));
      return { sink: c.name, driver: label, lines, received, seconds, linesPerSecond: median(r.map((x) => x.received / x.seconds)) };
    };
    const d = row('docker', `Docker's ${c.driver}`);
    const t = row('tslogs', 'tslogs');
    t.ratioToDocker = t.linesPerSecond / d.linesPerSecond;
    rows.push(d, t);
  }
  return rows;
}

export function sinksTable(rows: readonly SinkBenchRow[]): string {
  const body = rows.map(
    (r) =>
      `| ${r.sink} | ${r.driver} | ${r.received.toLocaleString('en')} of ${r.lines.toLocaleString('en')} | ${r.seconds.toFixed(2)} s | ${(r.linesPerSecond / 1e3).toFixed(1)} k lines/s | ${r.ratioToDocker === undefined ? '–' : r.ratioToDocker.toFixed(2)} |`,
  );
  return ['| sink | driver | received (worst run) | wall time (median of 3) | rate | tslogs / Docker |', '|---|---|---|---|---|---|', ...body].join('\n');
}
