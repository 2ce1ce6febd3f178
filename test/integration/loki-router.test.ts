// The loki sink behind the real router: dockerd's frames go through a FIFO into the
// store, and the delivery pushes them to the Loki receiver of
// test/helpers/loki-receiver.ts (native snappy and protobufjs decoding every push). The
// checkpoint moves only over pushes answered 2xx: an outage loses nothing, 429 and 503
// are retried, a 400 is counted as dropped with a line that says Loki refused it.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { lokiSinkDefinition } from '../../src/sinks/loki/index.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { LokiReceiver } from '../helpers/loki-receiver.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { tmpDir } from '../helpers/tmp.js';
import { logThroughOutage } from '../helpers/outage.js';
import { waitUntil } from '../helpers/wait.js';

const T0 = 1795896100;
const ID = 'a'.repeat(64);
const line = (i: number) => `line ${String(i).padStart(7, '0')}`;
const sourceOf = (i: number) => (i % 7 === 0 ? 'stderr' : 'stdout');

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: sourceOf(i), sec: T0 + i, nsec: 5, line: Buffer.from(line(i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(config: Record<string, string> = {}, url?: (r: LokiReceiver) => string) {
  const dir = tmpDir();
  const logged = recordingLogger();
  const receiver = await LokiReceiver.start();
  const driver = new PluginDriver({ root: path.join(dir, 'store'), registry: sinkRegistry([lokiSinkDefinition]), log: logged, hostname: 'vm' });
  closers.push(() => driver.shutdown(), () => receiver.close());
  const fifo = new Fifo(dir, 'fifo');
  const info = containerInfo({
    ContainerID: ID, ContainerName: '/l1', ContainerImageName: 'bb:latest', LogPath: '/var/lib/docker/l1-json.log',
    ContainerLabels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api', team: 'core' },
    Config: { 'loki-url': url?.(receiver) ?? receiver.url, 'loki-batch-wait': '20ms', 'sink-retry-min': '20ms', 'sink-retry-max': '500ms', ...config },
  });
  await driver.startLogging({ File: fifo.path, Info: info });
  const stats = () => driver.router.views()[0]!.delivery.stats;
  return { driver, receiver, fifo, logged, stats, info };
}

/** Each expected line present, per stream in order of first arrival, and the duplicates. */
function tally(receiver: LokiReceiver, n: number): { missing: number; duplicates: number; inOrderPerStream: boolean } {
  const seen = new Set<string>();
  const order: Record<string, string[]> = { stdout: [], stderr: [] };
  for (const e of receiver.accepted) {
    if (!seen.has(e.line)) order[e.labels.source!]!.push(e.line);
    seen.add(e.line);
  }
  let missing = 0;
  for (let i = 0; i < n; i++) if (!seen.has(line(i))) missing++;
  const expected = (source: string) => Array.from({ length: n }, (_, i) => i).filter((i) => sourceOf(i) === source).map(line);
  return { missing, duplicates: receiver.accepted.length - seen.size, inOrderPerStream: ['stdout', 'stderr'].every((s) => order[s]!.join() === expected(s).join()) };
}

describe('loki sink behind the router', () => {
  it('delivers 50,000 lines with their labels, streams, capture times, basic auth and tenant', async () => {
    const { receiver, fifo, stats } = await setup({ 'loki-tenant-id': 'tenant-1', labels: 'team', 'loki-external-labels': 'job=docker,container_name={{.Name}}' }, (r) => r.url.replace('//', '//ann:s3cr%3At@'));
    const n = 50_000;
    for (let i = 0; i < n; i += 5000) await fifo.write(frames(i, i + 5000));
    await waitUntil(() => stats().sentEntries >= n, `${n} acknowledged lines`, 120_000, 20);
    expect(tally(receiver, n)).toEqual({ missing: 0, duplicates: 0, inOrderPerStream: true });
    expect([receiver.invalid.length, receiver.outOfOrder]).toEqual([0, 0]);
    const base = { compose_project: 'shop', compose_service: 'api', container_name: 'l1', filename: '/var/lib/docker/l1-json.log', host: 'vm', job: 'docker', team: 'core' };
    const labelTexts = new Set(receiver.accepted.map((e) => e.labelText));
    expect([...labelTexts].sort()).toEqual([
      '{compose_project="shop", compose_service="api", container_name="l1", filename="/var/lib/docker/l1-json.log", host="vm", job="docker", source="stderr", team="core"}',
      '{compose_project="shop", compose_service="api", container_name="l1", filename="/var/lib/docker/l1-json.log", host="vm", job="docker", source="stdout", team="core"}',
    ]);
    const first = receiver.accepted.find((e) => e.line === line(0))!;
    expect(first).toMatchObject({ labels: { ...base, source: 'stderr' }, sec: T0, nsec: 5 });
    expect(receiver.accepted.find((e) => e.line === line(1))).toMatchObject({ labels: { ...base, source: 'stdout' }, sec: T0 + 1, nsec: 5 });
    for (const r of receiver.requests) {
      expect([r.method, r.path, r.headers['content-type'], r.headers['x-scope-orgid']]).toEqual(['POST', '/loki/api/v1/push', 'application/x-protobuf', 'tenant-1']);
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('ann:s3cr:t').toString('base64')}`);
      expect(r.streams.length).toBeLessThanOrEqual(2);
    }
    // 1 MiB of line bytes per push at most (loki-batch-size), 12-byte lines.
    expect(Math.max(...receiver.requests.map((r) => r.streams.reduce((k, s) => k + s.entries.length, 0)))).toBeLessThanOrEqual(20_000);
    expect(stats()).toMatchObject({ retries: 0, failing: false });
    await fifo.close();
  });

  it('Loki down while the container logs: ingest goes on, the lines arrive once it is back, 0 lost, duplicates within one batch', async () => {
    const { driver, receiver, fifo, stats, logged } = await setup({ 'loki-batch-size': '12000', 'loki-retries': '2' });
    const before = 2000;
    const during = 20_000;
    await logThroughOutage({ write: (from, to) => fifo.write(frames(from, to)), stats, ingested: () => driver.ingestViews()[0]?.entries ?? 0, receiver }, before, during);
    const result = tally(receiver, before + during);
    expect(result.missing).toBe(0);
    // A push cut by the outage may have reached Loki: at most that one batch (1000 lines of 12 bytes) comes twice.
    expect(result.duplicates).toBeLessThanOrEqual(1000);
    expect(result.inOrderPerStream).toBe(true);
    expect(stats().dropped.rejected).toBe(0);
    expect(logged.messages().some((m) => /sink loki: send failed, retrying with backoff: loki: POST http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/push: .*ECONNREFUSED/.test(m))).toBe(true);
    // Past loki-retries (2), where the driver would have dropped the batch, tslogs said once that it keeps it.
    expect(logged.messages().filter((m) => m.includes('(loki-retries)'))).toHaveLength(1);
    await fifo.close();
  });

  it('retries 429 and 503 then delivers; drops a batch answered 400, saying Loki refused it; warns once past loki-retries', async () => {
    const { receiver, fifo, stats, logged } = await setup({ 'loki-batch-size': '120', 'loki-retries': '2' });
    receiver.failNext(1, 429, 'Ingestion rate limit exceeded');
    receiver.failNext(2, 503, 'overloaded');
    await fifo.write(frames(0, 10));
    await waitUntil(() => stats().sentEntries >= 10, 'the first batch after a 429 and two 503s', 30_000, 20);
    expect(stats().retries).toBe(3);
    receiver.failNext(1, 400, 'entry for stream has timestamp too old');
    await fifo.write(frames(10, 20));
    await waitUntil(() => stats().dropped.rejected >= 10, 'the batch refused with 400', 30_000, 20);
    await fifo.write(frames(20, 30));
    await waitUntil(() => stats().sentEntries >= 20, 'the last batch', 30_000, 20);
    expect(stats()).toMatchObject({ sentEntries: 20, dropped: { rejected: 10, rotated: 0 }, retries: 3 });
    expect(receiver.lines().sort()).toEqual([...Array.from({ length: 10 }, (_, i) => line(i)), ...Array.from({ length: 10 }, (_, i) => line(20 + i))].sort());
    expect(logged.records.filter((r) => r.level !== 'debug').map((r) => [r.level, r.msg.replace(/127\.0\.0\.1:\d+/, 'R')])).toEqual([
      ['warn', 'container aaaaaaaaaaaa sink loki: send failed, retrying with backoff: loki: POST http://R/loki/api/v1/push: 429 Too Many Requests: Ingestion rate limit exceeded; the batch will be sent again'],
      ['warn', 'container aaaaaaaaaaaa sink loki: send failed, retrying with backoff: loki: POST http://R/loki/api/v1/push: 503 Service Unavailable: overloaded; the batch will be sent again'],
      ['warn', 'container aaaaaaaaaaaa sink loki: loki: 3 pushes of one batch failed (loki-retries); the Loki driver would drop the batch now, tslogs keeps it and goes on retrying until Loki accepts it'],
      ['error', 'container aaaaaaaaaaaa sink loki: send rejected, 10 entries dropped: loki: POST http://R/loki/api/v1/push: 400 Bad Request: entry for stream has timestamp too old; Loki refused the batch, which is not sent again'],
    ]);
    expect(receiver.invalid).toEqual([]);
    await fifo.close();
  });

  it('loki-min-backoff replaces sink-retry-min for this sink: after a 503 the next push waits for it', async () => {
    // sink-retry-min is 20 ms in setup(); with an hour's loki-min-backoff the retry is not due before the test ends.
    const { receiver, fifo, stats } = await setup({ 'loki-min-backoff': '1h' });
    receiver.failNext(1, 503, 'overloaded');
    await fifo.write(frames(0, 10));
    await waitUntil(() => stats().retries >= 1, 'the failed push', 30_000, 20);
    // Loki answers (it is reachable), so no probe cuts the wait short; 20 ms would have retried many times by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([receiver.requests.length, stats().sentEntries, stats().retries]).toEqual([1, 0, 1]);
    await fifo.close();
  });

  it('without loki-min-backoff, the same 503 is retried after sink-retry-min', async () => {
    const { receiver, fifo, stats } = await setup();
    receiver.failNext(1, 503, 'overloaded');
    await fifo.write(frames(0, 10));
    await waitUntil(() => stats().sentEntries >= 10, 'the retried push', 30_000, 20);
    expect(receiver.requests.length).toBe(2);
    await fifo.close();
  });
});
