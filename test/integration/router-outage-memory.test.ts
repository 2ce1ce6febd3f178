// While a sink is down, the delivery keeps what waits for it compactly: nothing of it
// may pin the buffers the store read, or a long outage across many containers holds
// every read (the 100-containers-one-sink-down probe of BENCHMARKS.md). The check is
// the garbage collector's: the buffer under the first batch's lines must be freed.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { SinkError, type SinkEntry } from '../../src/sinks/sink.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { TestDrivers } from '../helpers/test-drivers.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { waitUntil } from '../helpers/wait.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Down for good; remembers, weakly, the buffer under the first line it was given. */
class DownSink extends ScriptedSink {
  firstRead: WeakRef<ArrayBufferLike> | undefined;
  sends = 0;
  override async send(batch: readonly SinkEntry[]): Promise<void> {
    this.sends++;
    this.firstRead ??= new WeakRef(batch[0]!.line.buffer);
    throw new SinkError('scripted outage');
  }
}

const drivers = new TestDrivers();
afterEach(() => drivers.shutdown());

it('a batch waiting for a sink that is down pins none of the store reads its lines came from', async () => {
  const down = scriptedDefinition('down', () => new DownSink(100));
  const { dir, driver } = drivers.start([down]);
  const fifo = new Fifo(dir, 'f1');
  const id = 'd'.repeat(64);
  await driver.startLogging({ File: fifo.path, Info: containerInfo({ ContainerID: id, ContainerName: '/d1', Config: { 'down-address': 'x', 'sink-retry-min': '50ms', 'sink-retry-max': '50ms' } }) });
  await fifo.write(Buffer.concat(Array.from({ length: 2000 }, (_, i) => encodeFrame({ source: 'stdout', sec: 1795896100 + i, nsec: 0, line: Buffer.from(`line ${i}`), partial: false, meta: undefined }))));
  const sink = () => down.instances[0] as DownSink;
  await waitUntil(() => sink()?.sends >= 3, 'three failed sends');
  // The writer's recent entries (for caught-up readers) expire within 500 ms.
  await new Promise((r) => setTimeout(r, 800));
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  expect(sink().firstRead!.deref()).toBeUndefined();
  expect(driver.router.views()[0]!.delivery.stats.sentEntries).toBe(0);
  await fifo.close();
});
