// The pruning of removed containers on a real driver and store: containers log through
// FIFOs, a temporary directory plays dockerd's <data-root>/containers, and removing a
// container's directory there is `docker rm`. Checks are called directly (no timer).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { RemovedContainersPruner } from '../../src/daemon/removed-pruner.js';
import { SessionFiles } from '../../src/daemon/session-file.js';
import { fluentdSinkDefinition } from '../../src/sinks/fluentd/index.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';

import { TestDrivers } from '../helpers/test-drivers.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const drivers = new TestDrivers();
afterEach(async () => {
  await drivers.shutdown();
});

function frames(n: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, i) => encodeFrame({ source: 'stdout', sec: 1795896100 + i, nsec: 0, line: Buffer.from(`line ${i}`), partial: false, meta: undefined })));
}

function setup(retainMs = 0) {
  const { dir, root, driver, logged } = drivers.start([fluentdSinkDefinition]);
  const dockerDir = path.join(dir, 'docker-containers');
  const pruner = new RemovedContainersPruner(driver, { retainMs, dockerContainers: dockerDir, intervalMs: 60_000 }, logged);
  const metrics = createMetrics({ ingest: () => [], deliveries: () => [], logPath: () => '', pruner: () => pruner.view });
  const created = (id: string) => fs.mkdirSync(path.join(dockerDir, id), { recursive: true });
  const removed = (id: string) => fs.rmSync(path.join(dockerDir, id), { recursive: true });
  const store = (id: string) => path.join(root, 'containers', id);
  return { dir, root, driver, pruner, metrics, logged, created, removed, store };
}

/** A container that logged `n` lines and stopped (its FIFO drained and closed). */
async function loggedAndStopped(s: ReturnType<typeof setup>, id: string, config: Record<string, string> = {}): Promise<void> {
  s.created(id);
  const fifo = new Fifo(s.dir, `fifo-${id.slice(0, 4)}`);
  await s.driver.startLogging({ File: fifo.path, Info: containerInfo({ ContainerID: id, ContainerName: `/c${id.slice(0, 4)}`, Config: config }) });
  await fifo.write(frames(10));
  await waitUntil(() => fs.existsSync(path.join(s.store(id), `${id}-json.log`)), 'the stored log');
  s.driver.stopLogging(fifo.path);
  await fifo.close();
  await waitUntil(() => !s.driver.liveContainers().has(id), 'the session drained');
}

async function metric(s: ReturnType<typeof setup>, name: string): Promise<number> {
  const m = (await s.metrics.getMetricsAsJSON()).find((x) => x.name === name);
  return Number((m?.values[0] as { value: number } | undefined)?.value);
}

describe('pruning removed containers', () => {
  it('deletes a removed container store, checkpoints and session on the second check after its directory went, and keeps a stopped one', async () => {
    const s = setup();
    await loggedAndStopped(s, A);
    await loggedAndStopped(s, B);
    // A session a shutdown left before its FIFO's end, and a checkpoint: both belong to B.
    new SessionFiles(s.root).save({ File: path.join(s.dir, 'fifo-gone'), Info: containerInfo({ ContainerID: B }) });
    fs.mkdirSync(path.join(s.store(B), 'checkpoints'));
    fs.writeFileSync(path.join(s.store(B), 'checkpoints', 'splunk.json'), '{"file":"x","offset":0}\n');

    await s.pruner.check();
    s.removed(B);
    await s.pruner.check();
    expect(fs.existsSync(s.store(B)), 'one miss is not enough').toBe(true);
    await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(false);
    expect(fs.readdirSync(path.join(s.root, 'sessions'))).toEqual([]);
    expect(fs.readdirSync(path.join(s.root, 'containers'))).toEqual([A]);
    expect(fs.existsSync(path.join(s.store(A), `${A}-json.log`))).toBe(true);
    expect(await metric(s, 'tslogs_removed_containers_pruned_total')).toBe(1);
    expect(await metric(s, 'tslogs_removed_containers_pruning')).toBe(1);
    expect(s.logged.messages()).toContain(`container ${B.slice(0, 12)} was removed: deleted its logs, checkpoints and session`);
  });

  it('prunes a container that logged and was removed between two checks, with no other container there to verify the directory', async () => {
    const s = setup();
    s.driver.onStart((id) => s.pruner.containerStarted(id));
    await loggedAndStopped(s, B);
    s.removed(B);
    await s.pruner.check();
    await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(false);
  });

  it('with a directory that lists none of the live containers, deletes nothing and warns once, naming the setting', async () => {
    const s = setup();
    await loggedAndStopped(s, B);
    s.removed(B);
    s.created(A);
    const fifo = new Fifo(s.dir, 'fifo-live');
    await s.driver.startLogging({ File: fifo.path, Info: containerInfo({ ContainerID: A }) });
    s.removed(A); // as if TSLOGS_DOCKER_CONTAINERS named another data-root's directory
    for (let i = 0; i < 4; i++) await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(true);
    const warnings = s.logged.records.filter((r) => r.level === 'warn').map((r) => r.msg);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('containers logging now have no directory in');
    expect(warnings[0]).toContain('TSLOGS_DOCKER_CONTAINERS');
    expect(warnings[0]).toContain('docker-containers.source');
    expect(await metric(s, 'tslogs_removed_containers_pruning')).toBe(0);
    s.driver.stopLogging(fifo.path);
    await fifo.close();
  });

  it('with an unreadable directory, deletes nothing and warns once with the error', async () => {
    const s = setup();
    await loggedAndStopped(s, B);
    await s.pruner.check();
    s.removed(B);
    fs.rmSync(path.join(s.dir, 'docker-containers'), { recursive: true });
    for (let i = 0; i < 3; i++) await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(true);
    const warnings = s.logged.records.filter((r) => r.level === 'warn').map((r) => r.msg);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^cannot read dockerd's containers directory .*: ENOENT/);
  });

  it('keeps a removed container for the retention, with a marker that gives the time it was found removed', async () => {
    const s = setup(3_600_000);
    await loggedAndStopped(s, B);
    await s.pruner.check();
    s.removed(B);
    const before = Date.now();
    await s.pruner.check(); // the first miss: the removal is dated from it
    const after = Date.now();
    await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(true);
    const marker = JSON.parse(fs.readFileSync(path.join(s.store(B), 'tslogs-removed.json'), 'utf8')) as { since: string };
    expect(Date.parse(marker.since)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(marker.since)).toBeLessThanOrEqual(after);
    expect(await metric(s, 'tslogs_removed_containers_kept')).toBe(1);
    // Found removed long ago (a marker from an earlier run): the retention is over.
    fs.writeFileSync(path.join(s.store(B), 'tslogs-removed.json'), JSON.stringify({ since: new Date(Date.now() - 3_600_001).toISOString() }));
    await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(false);
  });

  it('keeps a removed container while a sink still has its backlog to receive, then deletes it once the delivery gave up', async () => {
    const s = setup();
    const port = await closedPort();
    await loggedAndStopped(s, B, { 'fluentd-address': `127.0.0.1:${port}`, 'sink-retry-min': '5ms', 'sink-retry-max': '20ms', 'sink-drain-timeout': '500ms' });
    await s.pruner.check();
    s.removed(B);
    await s.pruner.check();
    await s.pruner.check();
    expect(fs.existsSync(s.store(B)), 'kept while delivering').toBe(true);
    expect(s.logged.messages()).toContain(`container ${B.slice(0, 12)} was removed: its logs are kept until its sinks have received them`);
    await waitUntil(() => !s.driver.deliveringContainers().has(B), 'the delivery to give up (sink-drain-timeout)');
    await s.pruner.check();
    expect(fs.existsSync(s.store(B))).toBe(false);
  });
});
