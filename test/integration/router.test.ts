import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { ScriptedSink, scriptedDefinition, WindowSink } from '../helpers/test-sinks.js';
import { SinkError } from '../../src/sinks/sink.js';
import { waitUntil } from '../helpers/wait.js';
import { TestDrivers } from '../helpers/test-drivers.js';

const T0 = 1795896100;

const info = (id: string, config: Record<string, string>) => containerInfo({ Config: config, ContainerID: id, ContainerName: '/r1' });

function frames(from: number, to: number, line = (i: number) => `line ${String(i).padStart(5, '0')}`): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: i % 7 === 0 ? 'stderr' : 'stdout', sec: T0 + i, nsec: 0, line: Buffer.from(line(i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

const expected = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `line ${String(from + k).padStart(5, '0')}`);

const drivers = new TestDrivers();
afterEach(async () => {
  await drivers.shutdown();
});

const setup = (definitions: ReturnType<typeof scriptedDefinition>[]) => drivers.start(definitions);

/** A driver with two sink kinds: `up` delivers, every `down` sink refuses. */
function setupUpAndDown() {
  const up = scriptedDefinition('up');
  const down = scriptedDefinition('down', () => Object.assign(new ScriptedSink(), { down: true }));
  return { ...setup([up, down]), up, down };
}

describe('router', () => {
  it('delivers every entry exactly once, in order, to a sink that fails 3 times first', async () => {
    const a = scriptedDefinition('alpha', () => Object.assign(new ScriptedSink(50), { failuresLeft: 3 }));
    const { dir, driver, logged } = setup([a]);
    const id = 'a'.repeat(64);
    const fifo = new Fifo(dir, 'f1');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x', 'sink-retry-min': '1ms', 'sink-retry-max': '5ms' }) });
    await fifo.write(frames(0, 500));
    const sink = a.instances[0]!;
    await waitUntil(() => sink.received.length >= 500, '500 entries');
    expect(sink.received.map((r) => r.line)).toEqual(expected(0, 500));
    expect(sink.received[7]).toEqual({ line: 'line 00007', source: 'stderr', sec: T0 + 7, nsec: 0, partial: undefined });
    expect(Math.max(...sink.batches)).toBeLessThanOrEqual(50);
    const view = driver.router.views()[0]!;
    expect(view.delivery.stats.retries).toBe(3);
    expect(view.delivery.stats.sentEntries).toBe(500);
    // Once at warn; the two retries after it only at debug.
    expect(logged.records.filter((r) => r.level !== 'debug')).toEqual([
      { level: 'warn', msg: 'container aaaaaaaaaaaa sink alpha: send failed, retrying with backoff: scripted failure', fields: { container: 'aaaaaaaaaaaa', sink: 'alpha' } },
    ]);
    expect(logged.records.filter((r) => r.level === 'debug')).toHaveLength(2);
    await fifo.close();
  });

  it('exposes per-container and per-sink figures as Prometheus metrics, with no option values in labels', async () => {
    const { dir, driver } = setupUpAndDown();
    const id = 'f'.repeat(64);
    const fifo = new Fifo(dir, 'fm');
    const secret = 'super-secret-token-value';
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'up-address': secret, sinks: 'down', 'sink-retry-min': '1ms', 'sink-retry-max': '5ms' }) });
    await fifo.write(frames(0, 300));
    const upStats = () => driver.router.views().find((v) => v.sink === 'up')!.delivery.stats;
    // The checkpoint moves after the sink acknowledged: wait for it, not just for the sink.
    await waitUntil(() => upStats().sentEntries >= 300 && upStats().checkpoint.offset > 0 && fs.statSync(path.join(dir, 'store', 'containers', id, `${id}-json.log`)).size === upStats().checkpoint.offset, 'delivery');
    await waitUntil(() => (driver.router.views().find((v) => v.sink === 'down')?.delivery.stats.retries ?? 0) > 0, 'retries');
    const registry = createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => path.join(dir, 'store', 'containers', c, `${c}-json.log`) });
    const text = await registry.metrics();
    const labels = 'container="ffffffffffff",container_name="r1"';
    expect(text).toContain(`tslogs_ingested_entries_total{${labels}} 300`);
    expect(text).toContain(`tslogs_sink_sent_entries_total{${labels},sink="up"} 300`);
    expect(text).toContain(`tslogs_sink_sent_entries_total{${labels},sink="down"} 0`);
    expect(text).toMatch(new RegExp(`tslogs_sink_retries_total\\{${labels},sink="down"\\} [1-9]`));
    expect(text).toContain(`tslogs_sink_lag_bytes{${labels},sink="up"} 0`);
    expect(text).toMatch(new RegExp(`tslogs_sink_lag_bytes\\{${labels},sink="down"\\} [1-9]\\d+`));
    expect(text).toContain(`tslogs_sink_dropped_entries_total{${labels},sink="up",reason="rotated"} 0`);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds [\d.e-]+/);
    expect(text).not.toContain(secret);
    await fifo.close();
  });

  it('fails StartLogging when a sink that must be reachable first cannot open, and starts nothing', async () => {
    const strict = scriptedDefinition('strict', () => Object.assign(new ScriptedSink(), { openBeforeStart: true, openError: 'endpoint unreachable' }));
    const lax = scriptedDefinition('lax', () => Object.assign(new ScriptedSink(), { openError: 'endpoint unreachable' }));
    const { dir, driver } = setup([strict, lax]);
    const fifo = new Fifo(dir, 'fv');
    await expect(driver.startLogging({ File: fifo.path, Info: info('1'.repeat(64), { sinks: 'strict' }) })).rejects.toThrow('endpoint unreachable');
    await waitUntil(() => driver.router.views().length === 0, 'deliveries to stop');
    expect(driver.ingestViews()).toEqual([]);
    // Without the explicit check the container starts and the sink is retried in the background.
    await driver.startLogging({ File: fifo.path, Info: info('2'.repeat(64), { sinks: 'lax', 'sink-retry-min': '1ms', 'sink-retry-max': '2ms' }) });
    await waitUntil(() => lax.instances[0]!.opened > 2, 'open retries');
    await fifo.close();
  });

  it('keeps a healthy sink and ingest going while another sink is down', async () => {
    const { dir, driver, up, down } = setupUpAndDown();
    const id = 'b'.repeat(64);
    const fifo = new Fifo(dir, 'f2');
    await driver.startLogging({ File: fifo.path, Info: info(id, { sinks: 'up,down', 'sink-retry-min': '1ms', 'sink-retry-max': '20ms' }) });
    for (let i = 0; i < 5000; i += 500) await fifo.write(frames(i, i + 500));
    await waitUntil(() => up.instances[0]!.received.length >= 5000, 'the healthy sink');
    expect(up.instances[0]!.received.map((r) => r.line)).toEqual(expected(0, 5000));
    expect(down.instances[0]!.received).toEqual([]);
    const views = Object.fromEntries(driver.router.views().map((v) => [v.sink, v.delivery.stats]));
    // The healthy sink may be done before the down one saw its first failure.
    await waitUntil(() => views.down!.retries > 0, 'a retry of the down sink');
    expect(views.down!.sentEntries).toBe(0);
    // The down sink recovers and catches up from its checkpoint.
    down.instances[0]!.down = false;
    await waitUntil(() => down.instances[0]!.received.length >= 5000, 'the recovered sink');
    expect(down.instances[0]!.received.map((r) => r.line)).toEqual(expected(0, 5000));
    await fifo.close();
  });

  it('a receiver back after an outage gets the backlog at its next probe, not after the rest of a 30 s backoff; one that answers but fails waits for the backoff', async () => {
    /** A scripted sink whose probe says whether it is reachable (`down` means unreachable; `failing` answers but fails). */
    class ProbedSink extends ScriptedSink {
      probes = 0;
      failing = false;
      async probe(): Promise<boolean> {
        this.probes++;
        return !this.down;
      }
      override async send(batch: Parameters<ScriptedSink['send']>[0]): Promise<void> {
        if (this.failing) throw new SinkError('scripted 503');
        return super.send(batch);
      }
    }
    const flaky = scriptedDefinition('flaky', () => Object.assign(new ProbedSink(), { down: true }));
    const { dir, driver } = setup([flaky]);
    const fifo = new Fifo(dir, 'fp');
    // The first wait alone is 30 s: only the probe can end it early.
    await driver.startLogging({ File: fifo.path, Info: info('d'.repeat(64), { 'flaky-address': 'x', 'sink-retry-min': '30s', 'sink-retry-max': '30s' }) });
    await fifo.write(frames(0, 100));
    const sink = flaky.instances[0]! as ProbedSink;
    const stats = () => driver.router.views()[0]!.delivery.stats;
    await waitUntil(() => stats().retries === 1 && sink.probes >= 2, 'a retry waiting, probed while down');
    sink.down = false;
    // The liveness bound is far below the 30 s backoff.
    await waitUntil(() => sink.received.length >= 100, 'the backlog after recovery', 5_000);
    expect(sink.received.map((r) => r.line)).toEqual(expected(0, 100));
    // Reachable but failing: probed once after the failure, then the backoff alone paces it.
    sink.failing = true;
    await fifo.write(frames(100, 110));
    await waitUntil(() => stats().retries === 2, 'the second failure');
    const probes = sink.probes;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(sink.probes - probes).toBeLessThanOrEqual(1);
    expect(stats().retries).toBe(2);
    await fifo.close();
  });

  it('counts exactly what rotation deleted before a down sink could send it', async () => {
    const a = scriptedDefinition('alpha', () => Object.assign(new ScriptedSink(20), { down: true }));
    const { dir, driver, logged } = setup([a]);
    const id = 'c'.repeat(64);
    const fifo = new Fifo(dir, 'f3');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x', 'max-size': '1k', 'max-file': '2', 'sink-retry-min': '1ms', 'sink-retry-max': '10ms' }) });
    for (let i = 0; i < 400; i += 10) await fifo.write(frames(i, i + 10));
    const sink = a.instances[0]!;
    await waitUntil(() => sink.opened > 0, 'open');
    await new Promise((r) => setTimeout(r, 100));
    sink.down = false;
    await fifo.close(); // container stops: delivery ends after the backlog
    driver.stopLogging(fifo.path);
    const stats = driver.router.views()[0]!.delivery.stats;
    await waitUntil(() => driver.router.views().length === 0, 'delivery to finish');
    const got = sink.received.map((r) => Number(r.line.slice(5)));
    expect(got).toEqual([...got].sort((x, y) => x - y));
    expect(new Set(got).size).toBe(got.length);
    expect(stats.dropped.rotated).toBeGreaterThan(0);
    expect(got.length + stats.dropped.rotated).toBe(400);
    expect(got.at(-1)).toBe(399);
    expect(logged.records.find((r) => /entries rotated away before they were sent/.test(r.msg))).toMatchObject({ level: 'error', fields: { sink: 'alpha' } });
  });

  it('skips and logs a line that is not a json-file entry, delivering the rest', async () => {
    const a = scriptedDefinition('alpha');
    const { dir, driver, logged } = setup([a]);
    const id = '4'.repeat(64);
    const fifo = new Fifo(dir, 'fc');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x' }) });
    await fifo.write(frames(0, 10));
    const file = path.join(dir, 'store', 'containers', id, `${id}-json.log`);
    await waitUntil(() => fs.existsSync(file) && fs.statSync(file).size > 0, 'first lines');
    const offset = fs.statSync(file).size;
    fs.appendFileSync(file, 'this is not json\n');
    await fifo.write(frames(10, 20));
    await waitUntil(() => a.instances[0]!.received.length >= 20, 'all lines');
    expect(a.instances[0]!.received.map((r) => r.line)).toEqual(expected(0, 20));
    expect(driver.router.views()[0]!.delivery.stats.dropped.corrupt).toBe(1);
    expect(logged.messages()).toContain(`container 444444444444 sink alpha: skipped a line that is not a json-file entry in ${file} at byte ${offset}`);
    await fifo.close();
  });

  it('gives up the backlog of a stopped container after sink-drain-timeout, counting what it never sent', async () => {
    const a = scriptedDefinition('alpha', () => Object.assign(new ScriptedSink(), { down: true }));
    const { dir, driver, logged } = setup([a]);
    const id = '5'.repeat(64);
    const fifo = new Fifo(dir, 'fd');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x', 'sink-drain-timeout': '200ms', 'sink-retry-min': '5ms', 'sink-retry-max': '10ms' }) });
    await fifo.write(frames(0, 50));
    const file = path.join(dir, 'store', 'containers', id, `${id}-json.log`);
    await waitUntil(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').length === 51, 'stored');
    const stats = driver.router.views()[0]!.delivery.stats;
    await fifo.close();
    driver.stopLogging(fifo.path);
    await waitUntil(() => driver.router.views().length === 0 && stats.dropped.drain_timeout > 0, 'the drain deadline');
    expect(stats.dropped.drain_timeout).toBe(50);
    expect(a.instances[0]!.received).toEqual([]);
    expect(logged.records).toContainEqual({
      level: 'error',
      msg: 'container 555555555555 sink alpha: gave up delivering the backlog of a stopped container after 200 ms: 50 entries not sent',
      fields: { container: '555555555555', sink: 'alpha' },
    });
  });

  it('reassembles long lines split by Docker into 16 KiB chunks before sending', async () => {
    const a = scriptedDefinition('alpha');
    const { dir, driver } = setup([a]);
    const id = 'd'.repeat(64);
    const fifo = new Fifo(dir, 'f4');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'alpha-address': 'x' }) });
    const pid = 'e'.repeat(64);
    const chunk = (n: number, ordinal: number, last: boolean, ch: string) =>
      encodeFrame({ source: 'stdout', sec: T0, nsec: 5, line: Buffer.alloc(n, ch), partial: true, meta: { id: pid, ordinal, last } });
    // A stderr line between two stdout chunks: groups are per stream.
    await fifo.write(Buffer.concat([chunk(16384, 1, false, 'a'), frames(7, 8), chunk(16384, 2, false, 'a'), chunk(7232, 3, true, 'a'), frames(14, 15)]));
    const sink = a.instances[0]!;
    await waitUntil(() => sink.received.length >= 3, 'three lines');
    expect(sink.received.map((r) => [r.line.length, r.line[0]])).toEqual([
      [10, 'l'],
      [40000, 'a'],
      [10, 'l'],
    ]);
    expect(sink.received[1]).toMatchObject({ sec: T0, nsec: 5, source: 'stdout' });
    await fifo.close();
  });

  it('opens a sink that must be reachable before the container starts once, not again for its delivery', async () => {
    // Docker's splunk driver makes one OPTIONS request for splunk-verify-connection=true; the
    // delivery's own connect used to race the check and open a second time.
    const a = scriptedDefinition('checked', () => Object.assign(new ScriptedSink(), { openBeforeStart: true }));
    const { dir, driver } = setup([a]);
    const fifo = new Fifo(dir, 'fo');
    await driver.startLogging({ File: fifo.path, Info: info('f'.repeat(64), { 'checked-address': 'x' }) });
    await fifo.write(frames(0, 10));
    const sink = a.instances[0]!;
    await waitUntil(() => sink.received.length === 10, '10 entries');
    expect(sink.opened).toBe(1);
    await fifo.close();
  });

  it('sends a batch that is not full lingerMs after its first entry, however often lines keep coming', async () => {
    // Before, each arrival restarted the wait: a container logging every 50 ms held a
    // 200 ms linger's partial batch until 1,000 lines filled it.
    const a = scriptedDefinition('steady', () => Object.assign(new ScriptedSink(1000), { lingerMs: 200 }));
    const { dir, driver } = setup([a]);
    const fifo = new Fifo(dir, 'fs');
    await driver.startLogging({ File: fifo.path, Info: info('e'.repeat(64), { 'steady-address': 'x' }) });
    for (let i = 0; i < 40; i++) {
      await fifo.write(frames(i, i + 1));
      await new Promise((r) => setTimeout(r, 50));
    }
    const sink = a.instances[0]!;
    expect(sink.batches.length, 'partial batches sent while lines kept coming').toBeGreaterThanOrEqual(3);
    await waitUntil(() => sink.received.length === 40, '40 entries');
    expect(sink.received.map((r) => r.line)).toEqual(expected(0, 40));
    await fifo.close();
  });

  it('keeps up to maxInFlight batches in flight; the checkpoint moves over them in order, and only a failed one is sent again', async () => {
    const sink = new WindowSink(3, 50);
    const def = { ...scriptedDefinition('win'), create: () => sink };
    const { dir, driver } = setup([def]);
    const id = 'd'.repeat(64);
    const fifo = new Fifo(dir, 'fw');
    await driver.startLogging({ File: fifo.path, Info: info(id, { 'win-address': 'x', 'sink-retry-min': '1ms', 'sink-retry-max': '2ms' }) });
    await fifo.write(frames(0, 300));
    await waitUntil(() => sink.sends.length === 3, 'three batches in flight');
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.sends.length, 'no fourth batch while three are in flight').toBe(3);
    const stats = () => driver.router.views()[0]!.delivery.stats;
    const start = stats().checkpoint.offset;
    // The third is acknowledged first: the checkpoint may not move over the first two.
    sink.sends[2]!.settle();
    await new Promise((r) => setTimeout(r, 50));
    expect(stats().checkpoint.offset).toBe(start);
    sink.sends[0]!.settle();
    await waitUntil(() => stats().checkpoint.offset > start, 'the checkpoint after the first batch');
    const afterFirst = stats().checkpoint.offset;
    // Room in the window again: the fourth batch goes out.
    await waitUntil(() => sink.sends.length === 4, 'a fourth batch');
    // The second fails: once every batch in flight settled, it alone is sent again (not the
    // third and fourth, already acknowledged), and only then does anything new go out.
    sink.sends[1]!.settle(new SinkError('scripted failure'));
    sink.sends[3]!.settle();
    await waitUntil(() => sink.sends.length === 5, 'the failed batch sent again');
    expect(sink.sends[4]!.lines).toEqual(sink.sends[1]!.lines);
    expect(stats().checkpoint.offset).toBe(afterFirst);
    sink.sends[4]!.settle();
    for (let settled = 5; settled < 7; settled++) {
      await waitUntil(() => sink.sends.length > settled, `send ${settled}`);
      sink.sends[settled]!.settle();
    }
    await waitUntil(() => stats().sentEntries === 300, 'every entry acknowledged');
    expect(sink.maxOutstanding).toBe(3);
    expect([...sink.acknowledged].sort()).toEqual(expected(0, 300));
    expect(sink.acknowledged.length, 'nothing acknowledged twice').toBe(300);
    expect(stats().retries).toBe(1);
    await waitUntil(() => stats().checkpoint.offset === fs.statSync(path.join(dir, 'store', 'containers', id, `${id}-json.log`)).size, 'the checkpoint at the end');
    await fifo.close();
  });
});
