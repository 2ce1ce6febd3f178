// Debian's real `prometheus` (installed by the scripts' package step) scrapes the tslogs
// daemon's metrics listener on loopback; every metric README's "Metrics" table
// documents must come back from Prometheus' query API, and the test names the ones that
// do not. The daemon runs as a host daemon (a legacy plugin socket of this test's own
// name), serving a container whose lines go to a HEC receiver on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedMetrics, seriesOf } from '../helpers/documented-metrics.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { cleanupContainers, PLUGIN_NAME, runContainerFull, uniqueName, waitFor } from './helpers/docker.js';
import { freePort } from '../helpers/ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DRIVER = `${PLUGIN_NAME}-prom`;
const SOCKET = `/run/docker/plugins/${DRIVER}.sock`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-prometheus-'));
const children: ChildProcess[] = [];
let receiver: HecReceiver;
let promUrl = '';

function start(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const out = fs.openSync(path.join(tmp, log), 'a');
  const child = spawn(command, args, { env, stdio: ['ignore', out, out] });
  children.push(child);
  return child;
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
  return body.data.result;
}

beforeAll(async () => {
  receiver = await HecReceiver.start();
  const metricsPort = await freePort();
  const promPort = await freePort();
  fs.rmSync(SOCKET, { force: true });
  start(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'plugin'], {
    ...process.env,
    TSLOGS_SOCKET: SOCKET,
    TSLOGS_ROOT: path.join(tmp, 'store'),
    TSLOGS_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    LOG_LEVEL: 'warn',
  }, 'daemon.log');
  await waitFor(() => fs.existsSync(SOCKET), { timeoutMs: 20_000, what: 'the daemon socket' });
  const config = path.join(tmp, 'prometheus.yml');
  fs.writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    'scrape_configs:',
    '  - job_name: tslogs',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${metricsPort}']`,
    '',
  ].join('\n'));
  start('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(tmp, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], process.env, 'prometheus.log');
  promUrl = `http://127.0.0.1:${promPort}`;
  await waitFor(async () => (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok, { timeoutMs: 60_000, intervalMs: 250, what: 'prometheus ready' });
});

afterAll(async () => {
  await cleanupContainers();
  for (const c of children.splice(0).reverse()) {
    c.kill('SIGTERM');
    await new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)));
  }
  await receiver?.close();
  fs.rmSync(SOCKET, { force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Prometheus scraping the daemon', () => {
  it('returns every documented metric through its query API', async () => {
    const documented = documentedMetrics();
    expect(documented.length).toBeGreaterThan(10);
    const name = uniqueName('tslogs-prom');
    // Two endpoints (the same receiver by two names), so that the endpoint metrics have series too.
    const urls = `${receiver.url},${receiver.url.replace('127.0.0.1', 'localhost')}`;
    await runContainerFull({ driver: DRIVER, name, logOpts: { 'splunk-url': urls, 'splunk-token': 'prom-token' }, cmd: 'seq 1 50; sleep 600', detach: true });
    await waitFor(() => receiver.accepted.length >= 50, { timeoutMs: 30_000, what: '50 events at the receiver' });
    const sent = `tslogs_sink_sent_entries_total{job="tslogs",container_name="${name}",sink="splunk"}`;
    await waitFor(async () => (await query(sent))[0]?.value[1] === '50', { timeoutMs: 30_000, intervalMs: 500, what: `${sent} = 50 in Prometheus` });
    const missing: string[] = [];
    for (const metric of documented) {
      for (const series of seriesOf(metric)) if ((await query(`${series}{job="tslogs"}`)).length === 0) missing.push(series);
    }
    expect(missing, 'documented metrics Prometheus did not get').toEqual([]);
    const latency = await query(`tslogs_sink_delivery_latency_seconds_count{job="tslogs",container_name="${name}"}`);
    expect(latency.map((r) => r.value[1])).toEqual(['50']);
    const build = await query('tslogs_build_info{job="tslogs"}');
    expect(build[0]!.metric.version).toBe((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
