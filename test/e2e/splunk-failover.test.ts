// splunk-url listing two loopback HEC receivers, through the real engine and the managed
// plugin (host network namespace): the first receiver is killed while the container is
// still logging, and every line reaches the second; none lost, duplicates at most the
// one batch whose answer the dying receiver never sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { waitUntil } from '../helpers/wait.js';
import { PLUGIN_NAME, cleanupContainers, runContainerFull, uniqueName, waitContainer } from './helpers/docker.js';

const N = 100_000;
let first: HecReceiver;
let second: HecReceiver;
let firstStopped = false;
beforeAll(async () => {
  first = await HecReceiver.start();
  second = await HecReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  if (!firstStopped) await first?.close();
  await second?.close();
});

/** The `line` of each accepted inline event of the container (its tag is the short ID). */
function lines(r: HecReceiver, tag: string): string[] {
  return r.accepted.flatMap((e) => {
    const event = (e as { event?: { line?: unknown; tag?: unknown } }).event;
    return event?.tag === tag && typeof event.line === 'string' ? [event.line] : [];
  });
}

describe('splunk sink with two endpoints through dockerd and the managed plugin', () => {
  it(`the first HEC killed mid-run: all ${N} lines arrive, at most one batch twice`, async () => {
    // 100 bursts of 1000 lines, 50 ms apart: the container is still logging when the first dies.
    const cmd = 'i=0; while [ $i -lt 100 ]; do seq $((i*1000+1)) $((i*1000+1000)); i=$((i+1)); usleep 50000; done';
    const run = await runContainerFull({
      driver: PLUGIN_NAME, name: uniqueName('splunk-failover-e2e'), detach: true, cmd,
      logOpts: { 'splunk-url': `${first.url},${second.url}`, 'splunk-token': 't0ken', 'sink-retry-max': '1s' },
    });
    const tag = run.id.slice(0, 12);
    await waitUntil(() => lines(first, tag).length >= 20_000, '20000 lines at the first receiver', 120_000, 20);
    await first.close();
    firstStopped = true;
    expect(await waitContainer(run.id)).toBe(0);
    const all = () => [...lines(first, tag), ...lines(second, tag)];
    await waitUntil(() => new Set(all()).size >= N, `all ${N} lines`, 120_000, 200);
    const distinct = new Set(all());
    expect(distinct.size).toBe(N);
    for (let i = 1; i <= N; i++) if (!distinct.has(String(i))) throw new Error(`line ${i} lost`);
    expect(lines(second, tag).length).toBeGreaterThan(0);
    // Docker's batch size (SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE) is 1000 events.
    expect(all().length - N).toBeLessThanOrEqual(1000);
  });
});
