// The NATS sink behind the real router, against a three-node JetStream cluster of
// Debian's nats-server on loopback with an R3 stream: dockerd's frames go through a
// FIFO into the store and the delivery publishes them; the checkpoint moves only over
// batches JetStream acknowledged. Each test counts what the stream holds at the end:
// every line at least once (0 lost); duplicates are allowed (a batch whose
// acknowledgements were lost is sent again) and reported.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { natsSinkDefinition } from '../../src/sinks/nats/index.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { NatsCluster } from '../helpers/nats-cluster.js';
import { TestDrivers } from '../helpers/test-drivers.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

const T0 = 1795896100;
const STREAM = 'LOGS';
/** These runs wait for elections and reconnections on a shared 2-core machine. */
const LONG = 240_000;
const line = (i: number) => `line ${String(i).padStart(7, '0')}`;

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: i % 7 === 0 ? 'stderr' : 'stdout', sec: T0 + i, nsec: 5, line: Buffer.from(line(i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

let cluster: NatsCluster;
const drivers = new TestDrivers();
beforeEach(async () => {
  cluster = await NatsCluster.start(tmpDir('tslogs-nats-'));
  await cluster.createStream({ name: STREAM, subjects: ['docker.>'] });
}, 60_000);
afterEach(async () => {
  await drivers.shutdown();
  await cluster.stop();
}, 60_000);

const setup = () => drivers.start([natsSinkDefinition]);

const FAST = { 'sink-retry-min': '20ms', 'sink-retry-max': '500ms', 'nats-timeout': '2s' };

async function start(driver: PluginDriver, dir: string, id: string, config: Record<string, string> = {}): Promise<Fifo> {
  const fifo = new Fifo(dir, id.slice(0, 8));
  const info = containerInfo({ ContainerID: id, ContainerName: '/n1', Config: { 'nats-url': cluster.url, 'nats-stream': STREAM, ...FAST, ...config } });
  await driver.startLogging({ File: fifo.path, Info: info });
  return fifo;
}

/** Writes lines [0, n) in chunks of `chunk`, pausing `pauseMs` between chunks. */
async function write(fifo: Fifo, n: number, chunk: number, pauseMs = 0): Promise<void> {
  for (let i = 0; i < n; i += chunk) {
    await fifo.write(frames(i, Math.min(n, i + chunk)));
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

const sentEntries = (driver: PluginDriver) => driver.router.views()[0]?.delivery.stats.sentEntries ?? 0;

/** What the stream holds: every expected line present (in order of first arrival) and the duplicates. */
async function stored(n: number): Promise<{ missing: number; duplicates: number; firstSeenInOrder: boolean }> {
  const { logs } = await cluster.storedLogs(STREAM);
  const seen = new Set<string>();
  const order: string[] = [];
  for (const l of logs) {
    if (!seen.has(l)) order.push(l);
    seen.add(l);
  }
  let missing = 0;
  for (let i = 0; i < n; i++) if (!seen.has(line(i))) missing++;
  const firstSeenInOrder = order.every((l, k) => l === line(k));
  return { missing, duplicates: logs.length - seen.size, firstSeenInOrder };
}

describe('nats sink behind the router, three-node JetStream cluster, R3 stream', () => {
  // `npm run test:nats-1m` runs it with a million lines (TSLOGS_NATS_LINES).
  const lines = Number(process.env.TSLOGS_NATS_LINES ?? 100_000);
  it(`delivers ${lines.toLocaleString('en')} lines with publish acknowledgements: 0 lost, in order, the checkpoint at the end`, async () => {
    const { dir, driver } = setup();
    const n = lines;
    const fifo = await start(driver, dir, 'a'.repeat(64));
    await write(fifo, n, 5000);
    await waitUntil(() => sentEntries(driver) >= n, `${n} acknowledged lines`, LONG + n / 2, 50);
    const result = await stored(n);
    expect(result).toEqual({ missing: 0, duplicates: 0, firstSeenInOrder: true });
    const stats = driver.router.views()[0]!.delivery.stats;
    expect(stats.retries).toBe(0);
    await fifo.close();
  }, LONG + lines);

  it('killing the node that leads the stream mid-run loses nothing and delivery continues on the other two', async () => {
    const { dir, driver, logged } = setup();
    const n = 30_000;
    const fifo = await start(driver, dir, 'b'.repeat(64));
    const writing = write(fifo, n, 500, 10);
    await waitUntil(() => sentEntries(driver) >= 5000, '5000 lines before the kill', 60_000, 20);
    const leader = await cluster.streamLeader(STREAM);
    await cluster.kill(leader);
    const atKill = sentEntries(driver);
    await writing;
    await waitUntil(() => sentEntries(driver) >= n, `all ${n} lines acknowledged after the kill`, 120_000, 50);
    expect(sentEntries(driver)).toBeGreaterThan(atKill);
    const newLeader = await cluster.streamLeader(STREAM);
    expect(newLeader).not.toBe(leader);
    const result = await stored(n);
    expect(result.missing).toBe(0);
    console.log(`nats leader kill: ${leader} -> ${newLeader}, ${result.duplicates} duplicates, ${driver.router.views()[0]!.delivery.stats.retries} retries, first-seen order kept: ${result.firstSeenInOrder}`);
    expect(logged.records.filter((r) => r.level === 'error')).toEqual([]);
    await fifo.close();
  }, LONG);

  it('all three nodes down for 10 s, then back: 0 lost, and ingest never waited for them', async () => {
    const { dir, driver, logged } = setup();
    const before = 5000;
    const during = 20_000;
    const fifo = await start(driver, dir, 'c'.repeat(64));
    await write(fifo, before, 1000);
    await waitUntil(() => sentEntries(driver) >= before, 'the first lines acknowledged', 60_000, 20);
    await cluster.killAll();
    // While no server runs, the container's output keeps going into the store.
    for (let i = before; i < before + during; i += 1000) await fifo.write(frames(i, i + 1000));
    await waitUntil(() => (driver.ingestViews()[0]?.entries ?? 0) >= before + during, 'every line ingested while the cluster is down', 30_000, 20);
    expect(sentEntries(driver)).toBe(before);
    await new Promise((r) => setTimeout(r, 10_000));
    expect(sentEntries(driver)).toBe(before);
    await cluster.startAll();
    await waitUntil(() => sentEntries(driver) >= before + during, 'every line acknowledged after the restart', 120_000, 50);
    const result = await stored(before + during);
    expect(result.missing).toBe(0);
    console.log(`nats all down 10 s: ${result.duplicates} duplicates, ${driver.router.views()[0]!.delivery.stats.retries} retries`);
    expect(logged.messages().some((m) => m.includes('nats: disconnected from'))).toBe(true);
    expect(logged.messages().some((m) => m.includes('nats: reconnected to'))).toBe(true);
    await fifo.close();
  }, LONG);
});
