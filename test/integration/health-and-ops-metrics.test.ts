// GET /healthz and the operational metrics (build, latency, bad frames, store write
// failures, checkpoint writes) of a driver fed through real FIFOs, over the plugin's
// unix socket and the TCP listener on IPv6 loopback.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { checkHealth, type HealthReport } from '../../src/daemon/health.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { serveMetrics } from '../../src/daemon/metrics-listener.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { buildServer, listenOnSocket } from '../../src/protocol/server.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { packageVersion } from '../../src/util/package-version.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

const nowSec = () => Math.floor(Date.now() / 1000);
const frames = (n: number, sec: number) =>
  Buffer.concat(Array.from({ length: n }, (_, i) => encodeFrame({ source: 'stdout', sec, nsec: 0, line: Buffer.from(`line ${i}`), partial: false, meta: undefined })));
const info = (id: string, name: string, config: Record<string, string>) => containerInfo({ Config: config, ContainerID: id, ContainerName: `/${name}` });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const dir = tmpDir();
  const root = path.join(dir, 'store');
  fs.mkdirSync(root);
  const up = scriptedDefinition('up');
  const down = scriptedDefinition('down', () => Object.assign(new ScriptedSink(), { down: true }));
  const driver = new PluginDriver({ root, registry: sinkRegistry([up, down]), log: recordingLogger(), hostname: 'vm' });
  cleanups.push(() => driver.shutdown());
  const metrics = createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => path.join(root, 'containers', c, `${c}-json.log`) });
  const health = () => checkHealth({ store: root, deliveries: () => driver.router.views(), blockedWrites: () => driver.blockedWrites() });
  return { dir, root, driver, metrics, health };
}

/**
 * Makes a container's store refuse writes, as a full disk does, by swapping its file's
 * descriptor for a read-only one (the unit test of ContainerLog does the same); the
 * returned function gives the writable one back so the driver can shut down.
 */
function refuseWrites(driver: PluginDriver, id: string): () => void {
  const log = (driver as unknown as { logs: Map<string, { path: string; file: { fd: number } }> }).logs.get(id)!;
  const writable = log.file.fd;
  log.file.fd = fs.openSync(log.path, 'r');
  return () => {
    fs.closeSync(log.file.fd);
    log.file.fd = writable;
  };
}

/** A container named full that logged one line, then three its store refuses. */
async function loggingWithRefusedWrites(driver: PluginDriver, dir: string, root: string, id: string): Promise<{ fifo: Fifo; restore: () => void }> {
  const fifo = new Fifo(dir, 'full');
  await driver.startLogging({ File: fifo.path, Info: info(id, 'full', {}) });
  await fifo.write(frames(1, nowSec()));
  await waitUntil(() => fs.existsSync(path.join(root, 'containers', id, `${id}-json.log`)), 'the first line');
  const restore = refuseWrites(driver, id);
  await fifo.write(frames(3, nowSec()));
  return { fifo, restore };
}

function get(target: { socketPath: string } | { host: string; port: number }, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ ...target, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('operational metrics', () => {
  it('count the build, per-entry latency, checkpoint writes, bad frames and refused store writes', async () => {
    const { dir, root, driver, metrics } = setup();
    const good = 'a'.repeat(64);
    const fifo = new Fifo(dir, 'good');
    await driver.startLogging({ File: fifo.path, Info: info(good, 'web', { sinks: 'up' }) });
    // Captured 40 s ago: every entry's latency is at least that.
    await fifo.write(frames(200, nowSec() - 40));
    const stats = () => driver.router.views().find((v) => v.sink === 'up')!.delivery.stats;
    await waitUntil(() => stats().sentEntries === 200 && driver.router.views()[0]!.delivery.checkpointWrites > 0, 'delivery and a checkpoint');

    const bad = 'b'.repeat(64);
    const badFifo = new Fifo(dir, 'bad');
    await driver.startLogging({ File: badFifo.path, Info: info(bad, 'bad', {}) });
    await badFifo.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0]));

    const { fifo: fullFifo, restore } = await loggingWithRefusedWrites(driver, dir, root, 'c'.repeat(64));
    await waitUntil(() => driver.ingestViews().some((v) => v.badFrames === 1) && driver.ingestViews().some((v) => v.writeFailures > 0), 'a bad frame and a refused write');

    const text = await metrics.metrics();
    expect(text).toContain(`tslogs_build_info{version="${packageVersion()}",node_version="${process.version}"} 1`);
    const web = 'container="aaaaaaaaaaaa",container_name="web",sink="up"';
    expect(text).toContain(`# TYPE tslogs_sink_delivery_latency_seconds histogram`);
    expect(text).toContain(`tslogs_sink_delivery_latency_seconds_bucket{${web},le="30"} 0`);
    expect(text).toContain(`tslogs_sink_delivery_latency_seconds_bucket{${web},le="60"} 200`);
    expect(text).toContain(`tslogs_sink_delivery_latency_seconds_bucket{${web},le="+Inf"} 200`);
    expect(text).toContain(`tslogs_sink_delivery_latency_seconds_count{${web}} 200`);
    const sum = Number(/tslogs_sink_delivery_latency_seconds_sum\{[^}]*\} ([\d.e+]+)/.exec(text)![1]);
    expect(sum).toBeGreaterThanOrEqual(200 * 40);
    expect(text).toMatch(new RegExp(`tslogs_sink_checkpoint_writes_total\\{${web}\\} [1-9]`));
    expect(text).toContain('tslogs_bad_frames_total{container="bbbbbbbbbbbb",container_name="bad"} 1');
    expect(text).toContain('tslogs_bad_frames_total{container="aaaaaaaaaaaa",container_name="web"} 0');
    expect(text).toMatch(/tslogs_store_write_failures_total\{container="cccccccccccc",container_name="full"\} [1-9]/);
    expect(text).toContain('tslogs_store_write_failures_total{container="aaaaaaaaaaaa",container_name="web"} 0');
    restore();
    for (const f of [fifo, badFifo, fullFifo]) await f.close();
  });
});

describe('GET /healthz', () => {
  it('answers 200 with the store and each sink\'s state, then 503 naming a container whose writes fail', async () => {
    const { dir, root, driver, metrics, health } = setup();
    const socket = path.join(dir, 'p.sock');
    const app = buildServer({ driver, logger: pino({ level: 'silent' }), metrics, health });
    await listenOnSocket(app, socket);
    cleanups.push(() => app.close());
    const id = 'd'.repeat(64);
    const fifo = new Fifo(dir, 'f');
    await driver.startLogging({ File: fifo.path, Info: info(id, 'web', { sinks: 'up,down', 'sink-retry-min': '1ms', 'sink-retry-max': '5ms' }) });
    await fifo.write(frames(10, nowSec()));
    await waitUntil(() => driver.router.views().find((v) => v.sink === 'down')?.delivery.stats.failing === true, 'the down sink failing');
    await waitUntil(() => driver.router.views().find((v) => v.sink === 'up')?.delivery.stats.sentEntries === 10, 'the up sink');

    const ok = await get({ socketPath: socket }, '/healthz');
    expect(ok.status).toBe(200);
    const report = JSON.parse(ok.body) as HealthReport;
    expect(report).toMatchObject({ status: 'ok', reasons: [], version: packageVersion(), store: { path: root, writable: true } });
    expect(report.store.free_bytes).toBeGreaterThan(0);
    expect(report.store.total_bytes).toBeGreaterThanOrEqual(report.store.free_bytes);
    expect(report.containers).toHaveLength(1);
    expect(report.containers[0]!.container).toBe('dddddddddddd');
    expect(report.containers[0]!.sinks.map((s) => [s.sink, s.state])).toEqual(expect.arrayContaining([['up', 'connected'], ['down', 'failing']]));
    expect(report.containers[0]!.sinks.find((s) => s.sink === 'down')!.last_error).toBe('scripted outage');

    const { fifo: fullFifo, restore } = await loggingWithRefusedWrites(driver, dir, root, 'e'.repeat(64));
    await waitUntil(() => driver.blockedWrites().length === 1, 'the refused write');
    const bad = await get({ socketPath: socket }, '/healthz');
    expect(bad.status).toBe(503);
    const badReport = JSON.parse(bad.body) as HealthReport;
    expect(badReport.status).toBe('unhealthy');
    expect(badReport.reasons).toEqual([expect.stringMatching(/^container eeeeeeeeeeee: writes fail, ingest paused: cannot write .*-json\.log: /)]);
    restore();
    await waitUntil(async () => (await get({ socketPath: socket }, '/healthz')).status === 200, 'healthy again once writes succeed', 15_000, 100);
    for (const f of [fifo, fullFifo]) await f.close();
  });

  it('answers 503 when the store cannot be written', async () => {
    const dir = tmpDir();
    const notADir = path.join(dir, 'file');
    fs.writeFileSync(notADir, '');
    const report = await checkHealth({ store: notADir, deliveries: () => [] });
    expect(report.status).toBe('unhealthy');
    expect(report.store.writable).toBe(false);
    expect(report.reasons).toEqual([`the store ${notADir} cannot be written: ENOTDIR`]);
  });

  it('is served with /metrics on the TCP listener, IPv6 loopback included', async () => {
    const { metrics, health } = setup();
    const app: FastifyInstance = await serveMetrics({ host: '::1', port: 0, display: '[::1]:0' }, metrics, health);
    cleanups.push(() => app.close());
    const port = (app.server.address() as { port: number }).port;
    const h = await get({ host: '::1', port }, '/healthz');
    expect([h.status, (JSON.parse(h.body) as HealthReport).status]).toEqual([200, 'ok']);
    const m = await get({ host: '::1', port }, '/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toContain('tslogs_build_info{');
    expect((await get({ host: '::1', port }, '/tslogs/containers')).status).toBe(404);
  });
});
