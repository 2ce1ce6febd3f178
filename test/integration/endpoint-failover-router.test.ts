// splunk-url, syslog-address and gelf-address listing two loopback receivers, behind the
// real router (FIFO → store → delivery → sink): the first dies mid-run and nothing is
// lost; round-robin reaches both; in failover mode the first is used again once it is back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import type { EndpointsView } from '../../src/sinks/sink.js';
import { containerInfo } from '../helpers/container-info.js';
import { FAILOVER_SINKS, type FailoverReceiver } from '../helpers/failover-receivers.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { UdpCapture } from '../helpers/syslog-servers.js';
import { GelfUdpReceiver } from '../helpers/gelf-receiver.js';
import { gelfSinkDefinition } from '../../src/sinks/gelf/index.js';
import { syslogSinkDefinition } from '../../src/sinks/syslog/index.js';
import { TestDrivers } from '../helpers/test-drivers.js';
import { waitUntil } from '../helpers/wait.js';

const T0 = 1795896100;
const line = (i: number) => `line ${String(i).padStart(6, '0')}`;
const expected = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k));

function frames(from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: 'stdout', sec: T0 + i, nsec: 5, line: Buffer.from(line(i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

const FAST = { 'sink-retry-min': '5ms', 'sink-retry-max': '50ms' };
const SPLUNK_ENV = 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY';
const savedFrequency = process.env[SPLUNK_ENV];
beforeAll(() => {
  // Docker's 5 s linger would only slow the last batch of each test.
  process.env[SPLUNK_ENV] = '20ms';
});
afterAll(() => {
  if (savedFrequency === undefined) delete process.env[SPLUNK_ENV];
  else process.env[SPLUNK_ENV] = savedFrequency;
});

const drivers = new TestDrivers();
const receivers: FailoverReceiver[] = [];
const fifos: Fifo[] = [];
afterEach(async () => {
  await Promise.all(fifos.splice(0).map((f) => f.close()));
  await drivers.shutdown();
  await Promise.all(receivers.splice(0).map((r) => r.stop().catch(() => undefined)));
});

let ids = 0;
const nextId = () => (++ids).toString(16).padStart(64, 'f');

/** Entries re-sent on failover, as the sink reported them (the duplicates it may cause). */
function resent(messages: string[]): number {
  return messages.reduce((n, m) => n + Number(/re-sent the (\d+) entries/.exec(m)?.[1] ?? 0), 0);
}

describe.each(FAILOVER_SINKS)('$name with two endpoints behind the router', (kind) => {
  async function start(count: number, options: Record<string, string> = {}) {
    const rs: FailoverReceiver[] = [];
    for (let i = 0; i < count; i++) rs.push(await kind.start());
    receivers.push(...rs);
    const test = drivers.start([kind.definition]);
    const fifo = new Fifo(test.dir, 'f1');
    fifos.push(fifo);
    const config = { ...kind.options, ...FAST, [kind.addressKey]: rs.map((r) => r.address).join(','), ...options };
    await test.driver.startLogging({ File: fifo.path, Info: containerInfo({ Config: config, ContainerID: nextId(), ContainerName: '/f1' }) });
    const view = () => test.driver.router.views()[0]!;
    return { rs, fifo, logged: test.logged, endpoints: (): EndpointsView => view().endpoints!(), stats: () => view().delivery.stats };
  }

  it('the first dies mid-run (100,000 lines): the second gets the rest, none lost, duplicates bounded', async () => {
    const { rs, fifo, logged, endpoints, stats } = await start(2);
    const [first, second] = rs as [FailoverReceiver, FailoverReceiver];
    const N = 100_000;
    const writing = (async () => {
      for (let i = 0; i < N; i += 1000) {
        await fifo.write(frames(i, i + 1000));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await waitUntil(() => first.lines().length >= 20_000, '20000 lines at the first endpoint', 60_000);
    await first.stop();
    await writing;
    const all = () => [...first.lines(), ...second.lines()];
    await waitUntil(() => new Set(all()).size >= N, `all ${N} lines (have ${new Set(all()).size})`, 120_000);
    expect([...new Set(all())].sort()).toEqual(expected(0, N));
    expect(second.lines().length).toBeGreaterThan(0);
    const duplicates = all().length - N;
    // HEC answers each request: at most the batch whose answer the dying receiver never sent.
    // Syslog and GELF cannot tell: at most what the sink reported re-sending, plus that batch.
    const bound = 1000 + (kind.name === 'splunk' ? 0 : resent(logged.messages()));
    expect(duplicates).toBeLessThanOrEqual(bound);
    expect(endpoints()).toMatchObject({ inUse: 1, healthy: [false, true] });
    expect(endpoints().switches).toBeGreaterThanOrEqual(1);
    await waitUntil(() => stats().sentEntries >= N, 'the checkpoint to pass every line', 30_000);
    // 100,000 lines over GELF take about 10 s alone, longer beside other test files on a shared machine.
  }, 180_000);

  it('round-robin sends to both endpoints, each line once', async () => {
    const { rs, fifo } = await start(2, { [kind.balanceKey]: 'round-robin' });
    for (let i = 0; i < 4000; i += 200) {
      await fifo.write(frames(i, i + 200));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const all = () => rs.flatMap((r) => r.lines());
    await waitUntil(() => all().length >= 4000, 'all 4000 lines', 30_000);
    expect(all().sort()).toEqual(expected(0, 4000));
    for (const r of rs) expect(r.lines().length).toBeGreaterThan(0);
  });

  it('in failover mode, the first endpoint is used again once it is back', async () => {
    const { rs, fifo, endpoints } = await start(2);
    const [first, second] = rs as [FailoverReceiver, FailoverReceiver];
    await first.stop();
    await fifo.write(frames(0, 100));
    await waitUntil(() => new Set(second.lines()).size >= 100, '100 lines at the second endpoint', 30_000);
    expect(endpoints()).toMatchObject({ inUse: 1, healthy: [false, true] });
    await first.restart();
    await waitUntil(() => endpoints().healthy[0] === true, 'a probe to find the first endpoint back', 30_000);
    await fifo.write(frames(100, 200));
    await waitUntil(() => first.lines().some((l) => l >= line(100)), 'new lines at the first endpoint', 30_000);
    const all = () => new Set([...first.lines(), ...second.lines()]);
    await waitUntil(() => all().size >= 200, 'all 200 lines', 30_000);
    expect([...all()].sort()).toEqual(expected(0, 200));
    expect(endpoints()).toMatchObject({ inUse: 0, healthy: [true, true] });
    expect(endpoints().switches).toBeGreaterThanOrEqual(2);
  });
});

describe('syslog-address listing a tcp and a udp server behind the router', () => {
  it('each element keeps its own scheme: with the tcp server gone, the lines go over udp', async () => {
    const tcp = await FAILOVER_SINKS.find((k) => k.name === 'syslog')!.start();
    receivers.push(tcp);
    const udp = await UdpCapture.start();
    const test = drivers.start([syslogSinkDefinition]);
    const fifo = new Fifo(test.dir, 'f1');
    fifos.push(fifo);
    const config = { ...FAST, 'syslog-address': `${tcp.address},udp://127.0.0.1:${udp.port}` };
    await test.driver.startLogging({ File: fifo.path, Info: containerInfo({ Config: config, ContainerID: nextId(), ContainerName: '/f1' }) });
    try {
      await fifo.write(frames(0, 500));
      await waitUntil(() => tcp.lines().length >= 500, '500 lines over tcp', 30_000);
      expect(udp.datagrams).toEqual([]);
      await tcp.stop();
      // Paced: a loopback udp socket takes bursts, but 2,000 datagrams at once need not fit.
      for (let i = 500; i < 2500; i += 100) {
        await fifo.write(frames(i, i + 100));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const overUdp = () => udp.datagrams.map((d) => d.toString('latin1').match(/line \d{6}/)?.[0] ?? '');
      await waitUntil(() => new Set([...tcp.lines(), ...overUdp()]).size >= 2500, 'the lines after the tcp server went', 30_000);
      expect([...new Set([...tcp.lines(), ...overUdp()])].sort()).toEqual(expected(0, 2500));
      expect(test.driver.router.views()[0]!.endpoints!()).toMatchObject({ inUse: 1, healthy: [false, true] });
    } finally {
      await udp.close();
    }
  });
});

describe('gelf-address listing two udp receivers behind the router', () => {
  it('the first closed: its refusals move the lines to the second, none lost', async () => {
    const first = await GelfUdpReceiver.start();
    const second = await GelfUdpReceiver.start();
    const test = drivers.start([gelfSinkDefinition]);
    const fifo = new Fifo(test.dir, 'f1');
    fifos.push(fifo);
    const config = { ...FAST, 'gelf-address': `${first.address},${second.address}`, 'gelf-compression-type': 'none' };
    await test.driver.startLogging({ File: fifo.path, Info: containerInfo({ Config: config, ContainerID: nextId(), ContainerName: '/f1' }) });
    const linesOf = (r: GelfUdpReceiver) => r.messages.map((m) => String(m.fields.short_message));
    try {
      await fifo.write(frames(0, 500));
      await waitUntil(() => linesOf(first).length >= 500, '500 lines at the first receiver', 30_000);
      await first.close();
      // Paced, as a loopback udp socket need not take thousands of datagrams at once.
      for (let i = 500; i < 2500; i += 100) {
        await fifo.write(frames(i, i + 100));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const all = () => new Set([...linesOf(first), ...linesOf(second)]);
      await waitUntil(() => all().size >= 2500, 'every line at one receiver or the other', 30_000);
      expect([...all()].sort()).toEqual(expected(0, 2500));
      expect(test.driver.router.views()[0]!.endpoints!()).toMatchObject({ inUse: 1, healthy: [false, true] });
    } finally {
      await second.close();
    }
  });
});
