// The Grafana dashboard queries only metrics the daemon exports and README documents,
// and README documents exactly what the daemon exports.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/daemon/metrics.js';
import { DeliveryStats, type Delivery } from '../../../src/router/delivery.js';
import { documentedMetrics, seriesOf } from '../../helpers/documented-metrics.js';

const DASHBOARD = path.resolve(import.meta.dirname, '../../../examples/grafana/tslogs-dashboard.json');

/** Every series name the daemon exports with one container and one sink (given two endpoints, for the endpoint metrics). */
async function exportedSeries(): Promise<Set<string>> {
  const delivery = { stats: new DeliveryStats(), checkpointWrites: 0 } as unknown as Delivery;
  const registry = createMetrics({
    ingest: () => [{ containerId: 'a'.repeat(64), containerName: 'web', entries: 1, bytes: 1, redacted: 0, badFrames: 0, writeFailures: 0 }],
    deliveries: () => [{
      containerId: 'a'.repeat(64), containerName: 'web', sink: 'splunk', delivery,
      endpoints: () => ({ addresses: ['http://a:1', 'http://b:1'], inUse: 0, healthy: [true, true], switches: 0 }),
    }],
    logPath: () => '/nonexistent/tslogs-test.log',
  });
  const text = await registry.metrics();
  return new Set([...text.matchAll(/^(tslogs_[a-z_]+)[{ ]/gm)].map((m) => m[1]!));
}

function queriedMetrics(): string[] {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as unknown;
  const exprs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'expr' || k === 'query' || k === 'definition') && typeof x === 'string') exprs.push(x);
        else walk(x);
      }
    }
  };
  walk(dashboard);
  return [...new Set(exprs.flatMap((e) => [...e.matchAll(/\btslogs_[a-z_]+/g)].map((m) => m[0])))];
}

describe('metrics: code, README and the Grafana dashboard agree', () => {
  it('README documents every exported tslogs_ metric and no other', async () => {
    const exported = await exportedSeries();
    const documented = new Set(documentedMetrics().flatMap(seriesOf));
    expect([...documented].sort()).toEqual([...exported].sort());
  });

  it('the dashboard queries only exported, documented metrics, covering what the README promises it shows', async () => {
    const exported = await exportedSeries();
    const queried = queriedMetrics();
    expect(queried.filter((m) => !exported.has(m))).toEqual([]);
    for (const m of ['tslogs_ingested_entries_total', 'tslogs_sink_sent_entries_total', 'tslogs_sink_lag_bytes', 'tslogs_sink_oldest_unsent_age_seconds', 'tslogs_sink_dropped_entries_total', 'tslogs_sink_delivery_latency_seconds_bucket']) {
      expect(queried).toContain(m);
    }
  });
});
