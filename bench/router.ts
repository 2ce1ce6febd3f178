// Router benchmark: ingest rate through the plugin driver with 0, 1 and 4 fast
// in-process sinks, and with one sink down; plus the time until sinks have it all.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PluginDriver } from '../src/daemon/plugin-driver.js';
import { sinkRegistry } from '../src/sinks/registry.js';
import type { Sink, SinkDefinition, SinkEntry } from '../src/sinks/sink.js';
import { SinkError } from '../src/sinks/sink.js';
import { silentLogger } from '../src/util/log.js';

class CountingSink implements Sink {
  readonly maxBatchEntries = 1000;
  readonly maxBatchBytes = 4 << 20;
  readonly lingerMs = 0;
  received = 0;
  constructor(private readonly down: boolean) {}
  async open(): Promise<void> {}
  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (this.down) throw new SinkError('down for the benchmark');
    this.received += batch.length;
  }
  async close(): Promise<void> {}
}

function definition(name: string, down: boolean, instances: CountingSink[]): SinkDefinition<null> {
  return { name, addressKey: `${name}-address`, keys: new Set(), parse: () => null, create: () => {
    const s = new CountingSink(down);
    instances.push(s);
    return s;
  } };
}

export interface RouterResult {
  name: string;
  frames: number;
  ingestSeconds: number;
  deliveredSeconds: number;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
}

async function once(name: string, framesFile: string, count: number, sinks: number, downSinks: number, options: Record<string, string>): Promise<RouterResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-bench-router-'));
  const instances: CountingSink[] = [];
  const defs = [
    ...Array.from({ length: sinks }, (_, i) => definition(`up${i}`, false, instances)),
    ...Array.from({ length: downSinks }, (_, i) => definition(`down${i}`, true, [])),
  ];
  const driver = new PluginDriver({ root: path.join(dir, 'store'), registry: sinkRegistry(defs), log: silentLogger, hostname: 'bench' });
  try {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `exec cat "${framesFile}" > "${fifo}"`], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 50));
    const config: Record<string, string> = { 'sink-retry-min': '50ms', 'sink-retry-max': '1s', ...options };
    if (defs.length > 0) config.sinks = defs.map((d) => d.name).join(',');
    const start = process.hrtime.bigint();
    await driver.startLogging({ File: fifo, Info: { Config: config, ContainerID: 'b'.repeat(64), ContainerName: '/bench', ContainerEntrypoint: 'seq', ContainerArgs: [], ContainerImageID: '', ContainerImageName: 'bb', ContainerCreated: '', ContainerEnv: null, ContainerLabels: {}, LogPath: '', DaemonName: 'docker' } });
    await until(() => (driver.ingestViews()[0]?.entries ?? 0) >= count);
    const ingestSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    await until(() => instances.every((s) => s.received >= count));
    const deliveredSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    writer.kill();
    return { name, frames: count, ingestSeconds, deliveredSeconds };
  } finally {
    await driver.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRouter(frames: Buffer, count: number): Promise<RouterResult[]> {
  const framesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-frames-')), 'frames.bin');
  fs.writeFileSync(framesFile, frames);
  const cases: [string, number, number, Record<string, string>][] = [
    ['0 sinks', 0, 0, {}],
    ['1 sink', 1, 0, {}],
    ['4 sinks', 4, 0, {}],
    ['1 sink up + 1 sink down', 1, 1, {}],
    // The joining's worst case: with java every line opens an event the next one closes. A
    // short flush so the last line is not held for the default second, which the time to
    // deliver would count.
    ['1 sink, multiline=java (multiline-flush=10ms)', 1, 0, { multiline: 'java', 'multiline-flush': '10ms' }],
  ];
  const results: RouterResult[] = [];
  for (let round = 0; round < 3; round++) {
    for (const [name, up, down, options] of cases) results.push(await once(name, framesFile, count, up, down, options));
  }
  fs.rmSync(path.dirname(framesFile), { recursive: true, force: true });
  return results;
}
