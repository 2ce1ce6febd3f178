// The fluentd sink behind the real router: dockerd's frames go through a FIFO into the
// store, and the delivery sends them to a receiver on loopback. The checkpoint moves
// only after send() resolved, so with acks a receiver restart loses nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import type { LogEntry } from '../../src/codec/log-entry.js';
import { fluentdSinkDefinition } from '../../src/sinks/fluentd/index.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { FluentdReceiver } from '../helpers/fluentd-receiver.js';
import { waitUntil } from '../helpers/wait.js';
import { TestDrivers } from '../helpers/test-drivers.js';
import { closedPort } from '../helpers/ports.js';

const T0 = 1795896100;

const info = (id: string, config: Record<string, string>) => containerInfo({ Config: config, ContainerID: id, ContainerName: '/r1' });

const line = (i: number) => `line ${String(i).padStart(5, '0')}`;

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: i % 7 === 0 ? 'stderr' : 'stdout', sec: T0 + i, nsec: 5, line: Buffer.from(line(i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

const drivers = new TestDrivers();
const receivers: FluentdReceiver[] = [];
afterEach(async () => {
  await drivers.shutdown();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const setup = () => drivers.start([fluentdSinkDefinition]);

async function receiver(options: Parameters<typeof FluentdReceiver.start>[0] = {}): Promise<FluentdReceiver> {
  const r = await FluentdReceiver.start(options);
  receivers.push(r);
  return r;
}

/** Lines in the order they first arrived (a resent batch repeats some). */
function firstSeen(r: FluentdReceiver): string[] {
  const seen = new Set<string>();
  for (const m of r.messages) seen.add(m.record.log!);
  return [...seen];
}

const FAST = { 'sink-retry-min': '5ms', 'sink-retry-max': '50ms', 'fluentd-retry-wait': '10ms' };

describe('fluentd sink behind the router', () => {
  it('with acks, a receiver that goes down mid-run and comes back gets every record, in order', async () => {
    const r = await receiver();
    const { dir, driver } = setup();
    const id = 'a'.repeat(64);
    const fifo = new Fifo(dir, 'f1');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'fluentd-address': r.address, 'fluentd-request-ack': 'true', 'fluentd-buffer-limit': '100', ...FAST }) });
    const writing = (async () => {
      for (let i = 0; i < 5000; i += 250) {
        await fifo.write(frames(i, i + 250));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await waitUntil(() => r.messages.length >= 1000, '1000 records before the restart', 20_000);
    await r.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await r.restart();
    await writing;
    await waitUntil(() => firstSeen(r).length >= 5000, 'all 5000 records', 20_000);
    expect(firstSeen(r)).toEqual(Array.from({ length: 5000 }, (_, i) => line(i)));
    expect(r.connections).toBeGreaterThanOrEqual(2);
    expect(Math.max(...r.messages.map((m) => m.connection))).toBe(r.connections - 1);
    const m7 = r.messages.find((m) => m.record.log === line(7))!;
    expect(m7.record).toEqual({ container_id: id, container_name: '/r1', source: 'stderr', log: line(7) });
    expect([m7.tag, m7.timeKind, m7.sec]).toEqual(['aaaaaaaaaaaa', 'int32', T0 + 7]);
    const stats = driver.router.views()[0]!.delivery.stats;
    await waitUntil(() => stats.sentEntries >= 5000, 'the checkpoint to reach the end', 20_000);
    await fifo.close();
  });

  it('records written while no receiver listens wait in the store and arrive when it starts', async () => {
    const port = await closedPort();
    const { dir, driver, logged } = setup();
    const fifo = new Fifo(dir, 'f2');
    await driver.startLogging({ File: fifo.path, Info: info('b'.repeat(64), { 'fluentd-address': `127.0.0.1:${port}`, ...FAST }) });
    await fifo.write(frames(0, 300));
    await waitUntil(() => (driver.router.views()[0]?.delivery.stats.retries ?? 0) >= 3, 'retries', 20_000);
    expect(logged.messages().some((m) => m.includes(`connect: connection refused`))).toBe(true);
    const r = await receiver({ port });
    await waitUntil(() => r.messages.length >= 300, '300 records', 20_000);
    expect(r.messages.map((m) => m.record.log)).toEqual(Array.from({ length: 300 }, (_, i) => line(i)));
    await fifo.close();
  });

  function longLineFrames(id: string): Buffer {
    // dockerd's split of a 40000-byte line: 16384 + 16384 + 7232, all with the first chunk's time.
    const sizes = [16384, 16384, 7232];
    return Buffer.concat(sizes.map((n, i) => {
      const entry: LogEntry = { source: 'stdout', sec: T0, nsec: 7, line: Buffer.alloc(n, 0x61 + i), partial: true, meta: { id, ordinal: i + 1, last: i === 2 } };
      return encodeFrame(entry);
    }).concat([encodeFrame({ source: 'stdout', sec: T0 + 1, nsec: 0, line: Buffer.from('after'), partial: false, meta: undefined })]));
  }

  it('by default a 40000-byte line Docker split into 16 KiB chunks arrives whole, as one record', async () => {
    const r = await receiver();
    const { dir, driver } = setup();
    const fifo = new Fifo(dir, 'f3');
    await driver.startLogging({ File: fifo.path, Info: info('c'.repeat(64), { 'fluentd-address': r.address, ...FAST }) });
    await fifo.write(longLineFrames('9'.repeat(64)));
    const [whole, after] = await r.waitForMessages(2);
    expect(whole!.rawRecord.log).toHaveLength(40000);
    expect(whole!.rawRecord.log).toEqual(Buffer.concat([Buffer.alloc(16384, 0x61), Buffer.alloc(16384, 0x62), Buffer.alloc(7232, 0x63)]));
    expect(whole!.keys).toEqual(['container_id', 'container_name', 'source', 'log']);
    expect(whole!.sec).toBe(T0);
    expect(after!.record.log).toBe('after');
    await fifo.close();
  });

  it('with partial-reassembly=false each chunk is a record with Docker\'s partial_* keys', async () => {
    const r = await receiver();
    const { dir, driver } = setup();
    const fifo = new Fifo(dir, 'f4');
    await driver.startLogging({ File: fifo.path, Info: info('d'.repeat(64), { 'fluentd-address': r.address, 'partial-reassembly': 'false', ...FAST }) });
    await fifo.write(longLineFrames('9'.repeat(64)));
    const got = await r.waitForMessages(4);
    expect(got.map((m) => [m.rawRecord.log!.length, m.record.partial_message, m.record.partial_ordinal, m.record.partial_last, m.sec])).toEqual([
      [16384, 'true', '1', 'false', T0],
      [16384, 'true', '2', 'false', T0],
      [7232, 'true', '3', 'true', T0],
      [5, undefined, undefined, undefined, T0 + 1],
    ]);
    // json-file keeps no partial ids: the router makes one per group, the same for all its chunks.
    const ids = new Set(got.slice(0, 3).map((m) => m.record.partial_id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{64}$/);
    await fifo.close();
  });

  it('fluentd-async=false with nothing listening fails StartLogging with Docker\'s dial error', async () => {
    const port = await closedPort();
    const { dir, driver } = setup();
    const fifo = new Fifo(dir, 'f5');
    await expect(driver.startLogging({ File: fifo.path, Info: info('e'.repeat(64), { 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-async': 'false' }) })).rejects.toThrow(
      `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    await fifo.close();
  });
});
