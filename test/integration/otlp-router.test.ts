// The otlp sink behind the real router: dockerd's frames go through a FIFO into the
// store, and the delivery exports them to the OTLP/HTTP receiver of
// test/helpers/otlp-receiver.ts (protobufjs decoding every request). The checkpoint moves
// only over requests answered 2xx: an outage loses nothing, a 503 is retried, a 400 and
// a partial success's rejected records are counted as dropped.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { otlpSinkDefinition } from '../../src/sinks/otlp/index.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { tmpDir } from '../helpers/tmp.js';
import { logThroughOutage } from '../helpers/outage.js';
import { waitUntil } from '../helpers/wait.js';

const T0 = 1795896100;
const ID = 'a'.repeat(64);
const line = (i: number) => `line ${String(i).padStart(7, '0')}`;

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: i % 7 === 0 ? 'stderr' : 'stdout', sec: T0 + i, nsec: 5, line: Buffer.from(line(i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(config: Record<string, string> = {}) {
  const dir = tmpDir();
  const logged = recordingLogger();
  const receiver = await OtlpReceiver.start();
  const driver = new PluginDriver({ root: path.join(dir, 'store'), registry: sinkRegistry([otlpSinkDefinition]), log: logged, hostname: 'vm' });
  closers.push(() => driver.shutdown(), () => receiver.close());
  const fifo = new Fifo(dir, 'fifo');
  const info = containerInfo({
    ContainerID: ID, ContainerName: '/o1', ContainerImageName: 'bb:latest',
    Config: { 'otlp-endpoint': receiver.url, 'sink-retry-min': '20ms', 'sink-retry-max': '500ms', ...config },
  });
  await driver.startLogging({ File: fifo.path, Info: info });
  const stats = () => driver.router.views()[0]!.delivery.stats;
  return { driver, receiver, fifo, logged, stats, info };
}

/** The lines received: each expected one present, in order of first arrival, and the duplicates. */
function tally(receiver: OtlpReceiver, n: number): { missing: number; duplicates: number; firstSeenInOrder: boolean } {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const b of receiver.bodies()) {
    if (!seen.has(b as string)) order.push(b as string);
    seen.add(b as string);
  }
  let missing = 0;
  for (let i = 0; i < n; i++) if (!seen.has(line(i))) missing++;
  return { missing, duplicates: receiver.accepted.length - seen.size, firstSeenInOrder: order.every((l, k) => l === line(k)) };
}

describe('otlp sink behind the router', () => {
  it('delivers 50,000 lines in order with their resource, stream and capture time; the checkpoint at the end', async () => {
    const { receiver, fifo, stats, info } = await setup({ 'otlp-compression': 'gzip' });
    const n = 50_000;
    for (let i = 0; i < n; i += 5000) await fifo.write(frames(i, i + 5000));
    await waitUntil(() => stats().sentEntries >= n, `${n} acknowledged lines`, 120_000, 20);
    expect(tally(receiver, n)).toEqual({ missing: 0, duplicates: 0, firstSeenInOrder: true });
    expect(receiver.requests.every((r) => r.headers['content-encoding'] === 'gzip' && r.resourceLogs.length === 1)).toBe(true);
    expect(Math.max(...receiver.requests.map((r) => r.resourceLogs[0]!.scopeLogs[0]!.logRecords.length))).toBeLessThanOrEqual(1000);
    const first = receiver.accepted[0]!;
    expect(first.resource).toEqual({
      'container.id': ID, 'container.name': 'o1', 'container.image.name': 'bb', 'container.image.tags': ['latest'],
      'container.image.id': info.ContainerImageID, 'host.name': 'vm', 'service.name': 'o1',
    });
    expect([first.record.timeUnixNano, first.record.attributes]).toEqual([`${T0}000000005`, { 'log.iostream': 'stderr' }]);
    expect(receiver.accepted[1]!.record.attributes).toEqual({ 'log.iostream': 'stdout' });
    expect(stats()).toMatchObject({ retries: 0, failing: false });
    await fifo.close();
  });

  it('receiver down while the container logs: ingest goes on, the lines arrive once it is back, 0 lost', async () => {
    const { driver, receiver, fifo, stats, logged } = await setup();
    const before = 2000;
    const during = 20_000;
    await logThroughOutage({ write: (from, to) => fifo.write(frames(from, to)), stats, ingested: () => driver.ingestViews()[0]?.entries ?? 0, receiver }, before, during);
    const result = tally(receiver, before + during);
    expect(result.missing).toBe(0);
    expect(result.firstSeenInOrder).toBe(true);
    expect(stats().dropped.rejected).toBe(0);
    expect(logged.messages().some((m) => /sink otlp: send failed, retrying with backoff: otlp: POST http:\/\/127\.0\.0\.1:\d+\/v1\/logs: .*ECONNREFUSED/.test(m))).toBe(true);
    await fifo.close();
  });

  it('retries a 503, drops a batch answered 400 and the records a partial success rejected, counting them', async () => {
    const { receiver, fifo, stats, logged } = await setup({ 'otlp-batch-size': '10' });
    receiver.failNext(2, 503, 'overloaded');
    await fifo.write(frames(0, 10));
    await waitUntil(() => stats().sentEntries >= 10, 'the first batch after two 503s', 30_000, 20);
    expect(stats().retries).toBe(2);
    receiver.failNext(1, 400, 'malformed');
    await fifo.write(frames(10, 20));
    await waitUntil(() => stats().dropped.rejected >= 10, 'the batch refused with 400', 30_000, 20);
    receiver.partialNext(4, 'too old');
    await fifo.write(frames(20, 30));
    await waitUntil(() => stats().dropped.rejected >= 14, 'the partial success', 30_000, 20);
    await fifo.write(frames(30, 40));
    await waitUntil(() => stats().sentEntries >= 26, 'the last batch', 30_000, 20);
    expect(stats()).toMatchObject({ sentEntries: 26, dropped: { rejected: 14 }, retries: 2 });
    expect(receiver.bodies()).toEqual([...Array.from({ length: 10 }, (_, i) => line(i)), ...Array.from({ length: 6 }, (_, i) => line(20 + i)), ...Array.from({ length: 10 }, (_, i) => line(30 + i))]);
    expect(logged.records.filter((r) => r.level !== 'debug').map((r) => [r.level, r.msg.replace(/127\.0\.0\.1:\d+/, 'R')])).toEqual([
      ['warn', 'container aaaaaaaaaaaa sink otlp: send failed, retrying with backoff: otlp: POST http://R/v1/logs: 503 Service Unavailable: overloaded; the batch will be sent again'],
      ['error', 'container aaaaaaaaaaaa sink otlp: send rejected, 10 entries dropped: otlp: POST http://R/v1/logs: 400 Bad Request: malformed'],
      ['warn', 'container aaaaaaaaaaaa sink otlp: otlp: the receiver refused 4 of 10 log records (partial success, not sent again): too old'],
    ]);
    await fifo.close();
  });
});
