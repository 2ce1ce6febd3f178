// NATS JetStream sink throughput: the plugin driver in process, dockerd's frames for
// `seq 1 N` through a FIFO, the real nats sink publishing to an R3 stream on a
// three-node nats-server cluster on loopback. Time runs from StartLogging until the
// checkpoint covers every line, i.e. until JetStream acknowledged them all; the stream
// is then counted (every line stored, duplicates reported). No Docker driver exists
// for NATS, so there is no ratio: the rows compare nats-max-in-flight settings.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PluginDriver } from '../src/daemon/plugin-driver.js';
import { natsSinkDefinition } from '../src/sinks/nats/index.js';
import { sinkRegistry } from '../src/sinks/registry.js';
import { silentLogger } from '../src/util/log.js';
import { NatsCluster } from '../test/helpers/nats-cluster.js';

export interface NatsResult {
  name: string;
  lines: number;
  seconds: number;
  stored: number;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

async function once(cluster: NatsCluster, stream: string, framesFile: string, lines: number, inFlight: number): Promise<NatsResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-bench-nats-'));
  const driver = new PluginDriver({ root: path.join(dir, 'store'), registry: sinkRegistry([natsSinkDefinition]), log: silentLogger, hostname: 'bench' });
  const id = 'c'.repeat(64);
  try {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `exec cat "${framesFile}" > "${fifo}"`], { stdio: 'ignore' });
    const config = { 'nats-url': cluster.url, 'nats-stream': stream, 'nats-max-in-flight': String(inFlight), 'nats-subject': `bench.${inFlight}`, 'max-size': '1g' };
    const start = process.hrtime.bigint();
    await driver.startLogging({ File: fifo, Info: { Config: config, ContainerID: id, ContainerName: '/bench', ContainerEntrypoint: 'seq', ContainerArgs: [], ContainerImageID: '', ContainerImageName: 'bb', ContainerCreated: '', ContainerEnv: null, ContainerLabels: {}, LogPath: '', DaemonName: 'docker' } });
    await until(() => (driver.router.views()[0]?.delivery.stats.sentEntries ?? 0) >= lines);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    writer.kill();
    const nc = await cluster.client();
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(stream, { subjects_filter: `bench.${inFlight}` });
      return { name: `nats-max-in-flight=${inFlight}`, lines, seconds, stored: info.state.subjects?.[`bench.${inFlight}`] ?? 0 };
    } finally {
      await nc.close();
    }
  } finally {
    await driver.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One run per setting, each to its own subject of one R3 stream. */
export async function runNatsBench(frames: Buffer, lines: number, inFlights: readonly number[] = [1, 4, 16]): Promise<NatsResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-bench-nats-cluster-'));
  const framesFile = path.join(dir, 'frames.bin');
  fs.writeFileSync(framesFile, frames);
  const cluster = await NatsCluster.start(dir);
  const stream = 'BENCH';
  try {
    await cluster.createStream({ name: stream, subjects: ['bench.>'] });
    const results: NatsResult[] = [];
    for (const n of inFlights) results.push(await once(cluster, stream, framesFile, lines, n));
    return results;
  } finally {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function natsTable(results: readonly NatsResult[]): string {
  const rows = results.map((r) => {
    const lost = r.stored >= r.lines ? `0 lost, ${(r.stored - r.lines).toLocaleString('en')} duplicates` : `**${(r.lines - r.stored).toLocaleString('en')} missing**`;
    return `| ${r.name} | ${r.lines.toLocaleString('en')} | ${r.seconds.toFixed(2)} s | ${(r.lines / r.seconds / 1e3).toFixed(1)} k lines/s | ${lost} |`;
  });
  return ['| setting | lines | until all acknowledged | rate | stream count |', '|---|---|---|---|---|', ...rows].join('\n');
}
