import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { TestDrivers } from '../helpers/test-drivers.js';
import { waitUntil } from '../helpers/wait.js';

// The transforms inside the driver: FIFO → store → delivery (rate limit, redaction) → sink.

const drivers = new TestDrivers();
afterEach(async () => {
  await drivers.shutdown();
});

function setup() {
  const a = scriptedDefinition('alpha', () => new ScriptedSink(1000));
  return { ...drivers.start([a]), a };
}

const info = (id: string, config: Record<string, string>) => containerInfo({ Config: config, ContainerID: id, ContainerName: '/t1' });

/** `count` frames captured at `ms` (Unix milliseconds), a microsecond apart. */
function frames(count: number, ms: number, text = (i: number) => `line ${i}`): Buffer {
  const sec = Math.floor(ms / 1000);
  return Buffer.concat(
    Array.from({ length: count }, (_, i) => encodeFrame({ source: 'stdout', sec, nsec: (ms % 1000) * 1e6 + i * 1000, line: Buffer.from(text(i)), partial: false, meta: undefined })),
  );
}

const storedLines = (dir: string, id: string) => fs.readFileSync(path.join(dir, 'store', 'containers', id, `${id}-json.log`), 'utf8').trimEnd().split('\n');

describe('rate-limit in the driver', () => {
  it('sends the marker of a recent window once nothing came for a second after it, while the container runs; metrics count it', async () => {
    const { dir, driver, a } = setup();
    const id = '1'.repeat(64);
    const fifo = new Fifo(dir, 'r1');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x', 'rate-limit': '1/h', 'rate-limit-burst': '10' }) });
    // Captured 10.5 s ago: the window of the first suppressed line ended half a second ago.
    await fifo.write(frames(50, Date.now() - 10_500));
    await waitUntil(() => a.instances[0]?.received.length === 11, 'the burst and the marker', 10_000);
    const received = a.instances[0]!.received.map((r) => r.line);
    expect(received).toEqual([...Array.from({ length: 10 }, (_, i) => `line ${i}`), '[tslogs: 40 lines suppressed in 10s]']);
    expect(storedLines(dir, id)).toHaveLength(50);
    const stats = driver.router.views()[0]!.delivery.stats;
    // The marker moved the checkpoint over the suppressed lines: the whole file is handled.
    await waitUntil(() => stats.checkpoint.offset === fs.statSync(path.join(dir, 'store', 'containers', id, `${id}-json.log`)).size, 'checkpoint at the end');
    const text = await createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => c }).metrics();
    expect(text).toContain('tslogs_sink_suppressed_entries_total{container="111111111111",container_name="t1",sink="alpha"} 40');
    expect(text).toContain('tslogs_sink_sent_entries_total{container="111111111111",container_name="t1",sink="alpha"} 11');
    await fifo.close();
  });

  it('leaves an old window (a backlog) to be closed by entries only, then by the container stopping', async () => {
    const { dir, driver, a } = setup();
    const id = '2'.repeat(64);
    const fifo = new Fifo(dir, 'r2');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x', 'rate-limit': '1/h', 'rate-limit-burst': '10' }) });
    await fifo.write(frames(50, Date.now() - 60_000));
    await waitUntil(() => a.instances[0]?.received.length === 10, 'the burst');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(a.instances[0]!.received).toHaveLength(10);
    await fifo.close();
    driver.stopLogging(fifo.path);
    await waitUntil(() => a.instances[0]!.received.length === 11, 'the marker at the end');
    expect(a.instances[0]!.received[10]!.line).toBe('[tslogs: 40 lines suppressed in 1s]');
  });
});

describe('redaction in the driver', () => {
  it('masks for the sink and keeps the store as it was; with redact-store=true the store is masked too', async () => {
    const { dir, driver, a } = setup();
    const plain = '3'.repeat(64);
    const masked = '4'.repeat(64);
    const text = (i: number) => (i % 2 === 0 ? `user ${i} token=secret-${i}` : `user ${i} ok`);
    for (const [id, extra] of [[plain, {}], [masked, { 'redact-store': 'true' }]] as const) {
      const fifo = new Fifo(dir, id.slice(0, 4));
      await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x', redact: String.raw`token=\S+`, ...extra }) });
      await fifo.write(frames(4, Date.now(), text));
      await fifo.close();
    }
    await waitUntil(() => a.instances.length === 2 && a.instances.every((s) => s.received.length === 4), 'both containers');
    for (const sink of a.instances) expect(sink.received.map((r) => r.line)).toEqual(['user 0 [REDACTED]', 'user 1 ok', 'user 2 [REDACTED]', 'user 3 ok']);
    expect(storedLines(dir, plain).join('\n')).toContain('token=secret-2');
    expect(storedLines(dir, masked).map((l) => (JSON.parse(l) as { log: string }).log)).toEqual(['user 0 [REDACTED]\n', 'user 1 ok\n', 'user 2 [REDACTED]\n', 'user 3 ok\n']);
    const metrics = await createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => c }).metrics();
    expect(metrics).toContain('tslogs_ingested_redacted_entries_total{container="444444444444",container_name="t1"} 2');
    expect(metrics).toContain('tslogs_ingested_redacted_entries_total{container="333333333333",container_name="t1"} 0');
  });
});
