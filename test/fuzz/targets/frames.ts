// Target 1: frame streams into a real FIFO handed over by StartLogging. Whatever the
// bytes, the daemon stays up, drains the FIFO, and every entry its decoder accepted
// before the stream broke is in the container's store (counted with the same decoder
// here: the property is that ingest loses nothing, not how the codec reads).
import fs from 'node:fs';
import path from 'node:path';
import { FrameDecoder } from '../../../src/codec/frame-decoder.js';
import { containerInfo } from '../../helpers/container-info.js';
import { bounded, call, errOf, HANG_MS } from '../client.js';
import { openFifo } from '../fifos.js';
import { Finding, type Target, type TargetContext } from '../harness.js';
import { StoreTail } from '../store-tail.js';
import type { Prng } from '../prng.js';
import { frameStream, splits } from './frame-streams.js';

/** A worker's container changes every this many inputs, and the old store is removed. */
const INPUTS_PER_CONTAINER = 500;

function accepted(bytes: Buffer): number {
  let n = 0;
  const decoder = new FrameDecoder(() => n++);
  try {
    decoder.push(bytes);
  } catch {
    // the stream is discarded from here on
  }
  return n;
}

/**
 * Two workers in three also deliver to a sink, so the router reads what was stored
 * (partial chunks reassembled or not, absurd times, invalid UTF-8) and formats it: UDP
 * to a loopback port nothing listens on, which loses nothing of the daemon's.
 */
function sinksOf(slot: number, prng: Prng): Record<string, string> {
  const router = { 'partial-reassembly': prng.pick(['true', 'false']), 'partial-max-size': prng.pick(['1k', '1m']), 'sink-drain-timeout': '2s' };
  if (slot % 3 === 0) return { 'gelf-address': 'udp://127.0.0.1:9', ...router };
  if (slot % 3 === 1) return { 'syslog-address': 'udp://127.0.0.1:9', 'syslog-format': prng.pick(['rfc5424', 'rfc3164', 'rfc5424micro']), ...router };
  return {};
}

interface Worker {
  id: string;
  tail: StoreTail;
  lines: number;
}

export function framesTarget(group = 12): Target {
  const workers = new Map<number, Worker>();

  const containerOf = (ctx: TargetContext, index: number, slot: number): Worker => {
    const generation = Math.floor(index / (INPUTS_PER_CONTAINER * group));
    const id = (slot.toString(16).padStart(2, '0') + generation.toString(16).padStart(8, '0')).padEnd(64, 'a');
    let w = workers.get(slot);
    if (w?.id !== id) {
      if (w !== undefined) {
        w.tail.close();
        fs.rmSync(path.join(ctx.root, 'containers', w.id), { recursive: true, force: true });
      }
      w = { id, tail: new StoreTail(path.join(ctx.root, 'containers', id, `${id}-json.log`)), lines: 0 };
      workers.set(slot, w);
    }
    return w;
  };

  return {
    name: 'frames',
    group,
    async run(ctx, prng: Prng, index, slot) {
      const w = containerOf(ctx, index, slot);
      const bytes = frameStream(prng);
      const cuts = splits(prng, bytes.length);
      const fifo = openFifo(ctx.fifos.next());
      try {
        const start = await call(ctx.socket, 'LogDriver.StartLogging', { File: fifo.path, Info: containerInfo({ ContainerID: w.id, ContainerName: `/fuzz${slot}`, Config: sinksOf(slot, prng) }) });
        if (errOf(start) !== '') throw new Finding(`StartLogging failed: ${errOf(start)}`);
        let at = 0;
        for (const cut of cuts) {
          await bounded(fifo.write(bytes.subarray(at, cut)), `writing ${cut - at} bytes into the FIFO`);
          at = cut;
        }
        await call(ctx.socket, 'LogDriver.StopLogging', { File: fifo.path });
      } finally {
        await fifo.close();
      }
      const expected = w.lines + accepted(bytes);
      await waitForLines(w, expected, bytes.length);
    },
  };
}

async function waitForLines(w: Worker, expected: number, inputBytes: number): Promise<void> {
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    const fresh = w.tail.read();
    for (let i = fresh.indexOf(0x0a); i >= 0; i = fresh.indexOf(0x0a, i + 1)) w.lines++;
    if (w.lines >= expected) break;
    if (Date.now() > deadline) {
      const missing = expected - w.lines;
      w.lines = expected;
      throw new Finding(`${missing} of the entries of a ${inputBytes}-byte stream are not in the store`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  if (w.lines > expected) {
    const extra = w.lines - expected;
    w.lines = expected;
    throw new Finding(`${extra} more lines in the store than entries in a ${inputBytes}-byte stream`);
  }
}
