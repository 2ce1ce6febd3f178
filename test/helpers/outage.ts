// One scenario the sink tests share: a receiver goes down while a container logs.
import { expect } from 'vitest';
import { waitUntil } from './wait.js';

export interface OutageRig {
  /** Writes the frames of lines [from, to) into the container's FIFO. */
  write: (from: number, to: number) => Promise<void>;
  /** The delivery's figures: entries acknowledged, retries, failing now. */
  stats: () => { sentEntries: number; retries: number; failing: boolean };
  /** Entries the daemon stored. */
  ingested: () => number;
  receiver: { stop(): Promise<void>; restart(): Promise<void> };
}

/**
 * `before` lines acknowledged; the receiver stopped; `during` more lines logged, all
 * stored while the sink fails (ingest never waits) and none acknowledged; the receiver
 * back, and every line acknowledged. What arrived is the caller's to check.
 */
export async function logThroughOutage(rig: OutageRig, before: number, during: number): Promise<void> {
  await rig.write(0, before);
  await waitUntil(() => rig.stats().sentEntries >= before, 'the first lines acknowledged', 60_000, 20);
  await rig.receiver.stop();
  for (let i = before; i < before + during; i += 1000) await rig.write(i, Math.min(i + 1000, before + during));
  await waitUntil(() => rig.ingested() >= before + during, 'every line ingested while the receiver is down', 30_000, 20);
  await waitUntil(() => rig.stats().retries >= 3, 'three failed sends', 30_000, 20);
  expect(rig.stats().sentEntries).toBe(before);
  expect(rig.stats().failing).toBe(true);
  await rig.receiver.restart();
  await waitUntil(() => rig.stats().sentEntries >= before + during, 'every line acknowledged after the restart', 60_000, 20);
}
