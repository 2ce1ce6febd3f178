// Named routes changed live (README "Routes"): the driver and router of the daemon with
// the reloader reading a real routes file, dockerd's frames through a FIFO, and Splunk HEC
// receivers on loopback. A changed route reopens its deliveries, which resume from their
// checkpoint (nothing lost, at most one batch twice); a refused file and an unchanged
// route touch nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { RoutesReloader } from '../../src/daemon/routes-reloader.js';
import { routesReport } from '../../src/daemon/routes-report.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { splunkSinkDefinition } from '../../src/sinks/splunk/index.js';
import { containerInfo } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

const T0 = 1795896100;
const REGISTRY = sinkRegistry([splunkSinkDefinition]);
/** Docker's default events per HEC request (SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE): the "one batch" sent twice at most. */
const BATCH = 1000;
const line = (c: string, i: number) => `${c} line ${String(i).padStart(7, '0')}`;

function frames(c: string, from: number, to: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < to; i++) out.push(encodeFrame({ source: 'stdout', sec: T0 + i, nsec: 5, line: Buffer.from(line(c, i)), partial: false, meta: undefined }));
  return Buffer.concat(out);
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const route = (url: string, extra: Record<string, string> = {}) => ({ 'splunk-url': url, 'splunk-token': 'route-secret-token', ...extra });

async function setup(receivers = 2) {
  const dir = tmpDir();
  const file = path.join(dir, 'routes.json');
  const write = (routes: unknown) => fs.writeFileSync(file, typeof routes === 'string' ? routes : JSON.stringify({ routes }), { mode: 0o600 });
  const logged = recordingLogger();
  const hec = await Promise.all(Array.from({ length: receivers }, () => HecReceiver.start()));
  const driver = new PluginDriver({ root: path.join(dir, 'store'), registry: REGISTRY, log: logged, hostname: 'vm' });
  const reloader = new RoutesReloader(file, driver, REGISTRY, logged);
  closers.push(() => driver.shutdown(), ...hec.map((h) => () => h.close()));
  const start = async (name: string, id: string, config: Record<string, string>) => {
    const fifo = new Fifo(dir, name);
    await driver.startLogging({ File: fifo.path, Info: containerInfo({ ContainerID: id, ContainerName: `/${name}`, Config: { 'sink-retry-min': '20ms', 'sink-retry-max': '200ms', ...config } }) });
    return fifo;
  };
  const delivery = (id: string) => driver.router.views().find((v) => v.containerId === id)!.delivery;
  return { file, write, logged, hec, driver, reloader, start, delivery };
}

/** Each line of `c` from 0 to n: how many never arrived at any receiver, and how many arrived more than once. */
function tally(receivers: HecReceiver[], c: string, n: number): { missing: number; duplicates: number } {
  const seen = new Map<string, number>();
  for (const r of receivers) {
    for (const e of r.accepted) {
      const l = (e as { event: { line: string } }).event.line;
      if (l.startsWith(`${c} `)) seen.set(l, (seen.get(l) ?? 0) + 1);
    }
  }
  let missing = 0;
  for (let i = 0; i < n; i++) if (!seen.has(line(c, i))) missing++;
  return { missing, duplicates: [...seen.values()].reduce((sum, k) => sum + k - 1, 0) };
}

const linesOf = (r: HecReceiver) => r.accepted.length;
const ID1 = 'a'.repeat(64);
const ID2 = 'b'.repeat(64);

describe('routes changed live', () => {
  it('moves a delivery to the route\'s new URL while 100,000 lines flow: 0 lost across both receivers, duplicates within one batch', async () => {
    const { write, hec, reloader, start, delivery, logged } = await setup();
    write({ r1: route(hec[0]!.url) });
    expect(reloader.reload('start')).toMatchObject({ ok: true, routes: ['r1'] });
    const fifo = await start('c1', ID1, { sinks: 'r1' });
    const n = 100_000;
    const half = 40_000;
    for (let i = 0; i < half; i += 5000) await fifo.write(frames('c1', i, i + 5000));
    await waitUntil(() => linesOf(hec[0]!) >= 10_000, 'lines at the first receiver', 60_000, 5);
    const stats = delivery(ID1).stats;

    write({ r1: route(hec[1]!.url) });
    const result = reloader.reload('test');
    expect(result).toMatchObject({ ok: true, changes: { reopened: [{ containerId: ID1, route: 'r1' }], unchanged: [], kept: [] } });
    for (let i = half; i < n; i += 5000) await fifo.write(frames('c1', i, i + 5000));
    await waitUntil(() => tally(hec, 'c1', n).missing === 0, 'every line at one receiver or the other', 120_000, 20);

    const { duplicates } = tally(hec, 'c1', n);
    expect(duplicates).toBeLessThanOrEqual(BATCH);
    expect(linesOf(hec[1]!)).toBeGreaterThan(0);
    // The successor carries the counters on: metrics never go back.
    expect(delivery(ID1).stats).toBe(stats);
    await waitUntil(() => stats.sentEntries >= n, 'every line acknowledged', 30_000, 20);
    // Nothing arrives at the old receiver any more: its last line is before the new one's first.
    const lastOld = (hec[0]!.accepted.at(-1) as { event: { line: string } }).event.line;
    const firstNew = (hec[1]!.accepted[0] as { event: { line: string } }).event.line;
    expect(lastOld <= firstNew || hec[1]!.accepted.some((e) => (e as { event: { line: string } }).event.line === lastOld)).toBe(true);
    expect(logged.messages()).toContain(`container ${ID1.slice(0, 12)} sink splunk: route 'r1' changed: reopened with its new settings, resuming from the checkpoint`);
    expect(logged.messages().join('\n')).not.toContain('route-secret-token');
    await fifo.close();
  });

  it('keeps the routes in force when the file is refused, saying what is wrong; delivery untouched', async () => {
    const { file, write, hec, reloader, start, delivery, driver, logged } = await setup();
    write({ r1: route(hec[0]!.url) });
    reloader.reload('start');
    const fifo = await start('c1', ID1, { sinks: 'r1' });
    const before = delivery(ID1);
    const routes = driver.routes;

    write('{"routes": {"r1": {"splunk-url": "' + hec[1]!.url + '"}}}');
    const refused = reloader.reload('test');
    const error = `routes file ${file}: route "r1": splunk: splunk-token is expected`;
    expect(refused).toEqual({ ok: false, file, error, routes: ['r1'] });
    write('{"routes": ');
    expect(reloader.reload('test')).toMatchObject({ ok: false, error: expect.stringContaining(`routes file ${file}: not valid JSON: `) });
    expect(reloader.view).toMatchObject({ failures: 2, reloads: 1, lastOk: false, routes: 1 });
    expect(logged.messages()).toContain(`routes not reloaded (test), the routes in force are kept: ${error}`);
    expect(driver.routes).toBe(routes);
    expect(delivery(ID1)).toBe(before);

    await fifo.write(frames('c1', 0, 50));
    await waitUntil(() => tally([hec[0]!], 'c1', 50).missing === 0, 'lines at the route\'s first receiver', 30_000, 20);
    expect(linesOf(hec[1]!)).toBe(0);
    await fifo.close();
  });

  it('reopens only the deliveries whose route changed; a removed route keeps its last settings and a new container cannot use it', async () => {
    const { write, hec, reloader, start, delivery, driver, logged } = await setup(3);
    write({ r1: route(hec[0]!.url), r2: route(hec[1]!.url) });
    reloader.reload('start');
    const f1 = await start('c1', ID1, { sinks: 'r1' });
    const f2 = await start('c2', ID2, { sinks: 'r2' });
    const [d1, d2] = [delivery(ID1), delivery(ID2)];

    // The same options in another order, and another route added: nothing to reopen.
    write({ r2: route(hec[1]!.url), r1: { 'splunk-token': 'route-secret-token', 'splunk-url': hec[0]!.url }, r3: route(hec[2]!.url) });
    expect(reloader.reload('test').changes).toEqual({ reopened: [], unchanged: [{ containerId: ID1, route: 'r1' }, { containerId: ID2, route: 'r2' }], kept: [] });
    expect([delivery(ID1), delivery(ID2)]).toEqual([d1, d2]);

    write({ r1: route(hec[0]!.url), r2: route(hec[2]!.url, { 'splunk-format': 'raw' }) });
    expect(reloader.reload('test').changes).toMatchObject({ reopened: [{ containerId: ID2, route: 'r2' }], unchanged: [{ containerId: ID1 }] });
    expect(delivery(ID1)).toBe(d1);
    expect(delivery(ID2)).not.toBe(d2);

    write({ r2: route(hec[2]!.url, { 'splunk-format': 'raw' }) });
    expect(reloader.reload('test').changes).toMatchObject({ kept: [{ containerId: ID1, route: 'r1' }] });
    expect(delivery(ID1)).toBe(d1);
    expect(logged.messages()).toContain(`container ${ID1.slice(0, 12)} sink splunk: route 'r1' is no longer in the routes file: the container keeps the route's last settings until it is recreated, and cannot start again with log opt sinks=r1`);
    await f1.write(frames('c1', 0, 20));
    await f2.write(frames('c2', 0, 20));
    await waitUntil(() => tally([hec[0]!], 'c1', 20).missing === 0, 'c1 at its route\'s last receiver', 30_000, 20);
    await waitUntil(() => hec[2]!.requests.length > 0 && hec[2]!.accepted.length >= 20, 'c2 at its new receiver', 30_000, 20);

    const report = routesReport('/f', driver.routes, driver.router.views(), REGISTRY, reloader.last);
    expect(report.routes).toEqual([
      { name: 'r2', sink: 'splunk', options: { 'splunk-url': hec[2]!.url, 'splunk-token': '<redacted>', 'splunk-format': 'raw' }, inFile: true, containers: [{ id: ID2.slice(0, 12), name: 'c2' }] },
      { name: 'r1', sink: undefined, options: {}, inFile: false, containers: [{ id: ID1.slice(0, 12), name: 'c1' }] },
    ]);
    const f3 = new Fifo(tmpDir(), 'c3');
    await expect(driver.startLogging({ File: f3.path, Info: containerInfo({ ContainerID: 'c'.repeat(64), ContainerName: '/c3', Config: { sinks: 'r1' } }) }))
      .rejects.toThrow("unknown sink or route 'r1' in log opt 'sinks' (sinks: splunk; routes: r2)");
    await f3.close();
    await f1.close();
    await f2.close();
  });
});
