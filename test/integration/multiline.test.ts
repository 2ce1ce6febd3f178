import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { silentLogger } from '../../src/util/log.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { tmpDir } from '../helpers/tmp.js';
import { JAVA_TRACE, PYTHON_TRACE } from '../helpers/traces.js';
import { waitUntil } from '../helpers/wait.js';

// Multiline inside the driver: FIFO → store → delivery (reassembly, multiline) → sink.

const drivers: PluginDriver[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const d of drivers.splice(0)) await d.shutdown();
});

function driverAt(root: string, make = () => new ScriptedSink(1000)) {
  const alpha = scriptedDefinition('alpha', make);
  const driver = new PluginDriver({ root, registry: sinkRegistry([alpha]), log: silentLogger, hostname: 'vm' });
  drivers.push(driver);
  return { driver, alpha };
}

const info = (id: string, config: Record<string, string>) => containerInfo({ Config: { 'alpha-address': 'x', ...config }, ContainerID: id, ContainerName: '/ml' });

let clock = Date.now();
/** Frames of `lines` on `source`, captured a millisecond apart. */
function frames(lines: readonly string[], source = 'stdout'): Buffer {
  return Buffer.concat(
    lines.map((l) => {
      clock++;
      return encodeFrame({ source, sec: Math.floor(clock / 1000), nsec: (clock % 1000) * 1e6, line: Buffer.from(l), partial: false, meta: undefined });
    }),
  );
}

const joined = (lines: readonly string[]) => lines.join('\n');
const logFile = (root: string, id: string) => path.join(root, 'containers', id, `${id}-json.log`);

describe('multiline in the driver', () => {
  it('sends a Java and a Python trace among plain lines as one event each; the store keeps every line; metrics count them', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const { driver, alpha } = driverAt(root);
    const id = '5'.repeat(64);
    const fifo = new Fifo(dir, 'm1');
    await driver.startLogging({ File: fifo.path, Info: info(id, { multiline: 'python,java' }) });
    await fifo.write(frames(['boot', ...JAVA_TRACE, 'between']));
    await fifo.write(frames(PYTHON_TRACE, 'stderr'));
    await fifo.write(frames(['done']));
    // The last events go out once nothing came for multiline-flush (1 s), the container still running.
    await waitUntil(() => alpha.instances[0]?.received.length === 5, 'five events');
    // Each stream in its order; the streams are joined apart, so an event waits only for its own stream.
    const of = (source: string) => alpha.instances[0]!.received.filter((r) => r.source === source).map((r) => r.line);
    expect(of('stdout')).toEqual(['boot', joined(JAVA_TRACE), 'between', 'done']);
    expect(of('stderr')).toEqual([joined(PYTHON_TRACE)]);
    expect(fs.readFileSync(logFile(root, id), 'utf8').trimEnd().split('\n')).toHaveLength(3 + JAVA_TRACE.length + PYTHON_TRACE.length);
    const text = await createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => c }).metrics();
    expect(text).toContain('tslogs_sink_multiline_events_total{container="555555555555",container_name="ml",sink="alpha"} 2');
    expect(text).toContain(`tslogs_sink_multiline_lines_total{container="555555555555",container_name="ml",sink="alpha"} ${JAVA_TRACE.length + PYTHON_TRACE.length}`);
    await fifo.close();
  });

  it('sends an open event once nothing came for multiline-flush, by the delivery’s timer (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = tmpDir();
    const { driver, alpha } = driverAt(path.join(dir, 'store'));
    const id = '6'.repeat(64);
    const fifo = new Fifo(dir, 'm2');
    await driver.startLogging({ File: fifo.path, Info: info(id, { multiline: 'java', 'multiline-flush': '3s' }) });
    await fifo.write(frames(['first', ...JAVA_TRACE]));
    // Real I/O with the timers stopped: poll on the event loop, give up by the real clock.
    const received = () => alpha.instances[0]?.received.map((r) => r.line) ?? [];
    const deadline = Date.now() + 15_000;
    while (received().length < 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(received()).toEqual(['first']);
    // Let the delivery settle the send and arm its wait; the trace is held meanwhile.
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(2_999);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(received()).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1);
    while (received().length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(received()).toEqual(['first', joined(JAVA_TRACE)]);
    vi.useRealTimers();
    await fifo.close();
  });

  it('after a stop mid-trace, the resumed delivery sends the trace whole, once', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const id = '7'.repeat(64);
    const fifo = new Fifo(dir, 'm3');
    // No flush by the clock: only lines and the container's stop close events here.
    const config = { multiline: 'python,java', 'multiline-flush': '1h' };
    // Batches of one entry: every event is acknowledged, and checkpointed, on its own.
    const first = driverAt(root, () => new ScriptedSink(1));
    await first.driver.startLogging({ File: fifo.path, Info: info(id, config) });
    // A Java trace on stdout, then a Python traceback on stderr that stops after its frames.
    await fifo.write(frames(['one', ...JAVA_TRACE.slice(0, 4)]));
    await fifo.write(frames(['err one', ...PYTHON_TRACE.slice(0, 5)], 'stderr'));
    await fifo.write(frames(['two']));
    const sent = () => first.alpha.instances[0]!.received.map((r) => r.line);
    await waitUntil(() => sent().length === 3, 'the events before the open traceback');
    expect(sent()).toEqual(['one', 'err one', joined(JAVA_TRACE.slice(0, 4))]);
    // The stop writes the checkpoint of what was acknowledged: before the traceback's first line, not inside it.
    await first.driver.shutdown();
    drivers.splice(drivers.indexOf(first.driver), 1);
    const stored = fs.readFileSync(logFile(root, id), 'utf8').split('\n');
    const tracebackAt = stored.slice(0, stored.findIndex((l) => l.includes('Traceback'))).reduce((n, l) => n + l.length + 1, 0);
    const checkpoint = JSON.parse(fs.readFileSync(path.join(root, 'containers', id, 'checkpoints', 'alpha.json'), 'utf8')) as { offset: number };
    expect(checkpoint.offset).toBeGreaterThan(0);
    expect(checkpoint.offset).toBeLessThanOrEqual(tracebackAt);

    const second = driverAt(root, () => new ScriptedSink(1));
    await second.driver.resume();
    await fifo.write(frames(PYTHON_TRACE.slice(5), 'stderr'));
    await fifo.write(frames(['three']));
    await fifo.close();
    second.driver.stopLogging(fifo.path);
    const resent = () => second.alpha.instances[0]?.received.map((r) => r.line) ?? [];
    await waitUntil(() => resent().includes('three') && resent().some((l) => l.startsWith('Traceback')), 'the rest');
    // Whatever comes again comes whole: the traceback in one piece, once; nothing else but whole lines.
    expect(resent().filter((l) => l.includes('Traceback'))).toEqual([joined(PYTHON_TRACE)]);
    expect(resent().filter((l) => l !== joined(PYTHON_TRACE) && l !== 'three').every((l) => ['err one', 'two'].includes(l))).toBe(true);
    expect(resent()).toContain('two');
  });
});
