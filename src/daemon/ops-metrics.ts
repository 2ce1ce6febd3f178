// The metrics an operator alerts on beyond the per-sink counters of metrics.ts: the
// build, delivery latency, bad frames, store write failures and checkpoint writes.
import { Gauge, type Registry } from 'prom-client';
import type { DeliveryView } from '../router/router.js';
import { shortId } from '../util/docker-names.js';
import { collectedCounter } from './collected-metrics.js';
import { packageVersion } from '../util/package-version.js';

/** What these metrics read (metrics.ts passes its own sources; a type here, not an import, so the two modules form no cycle). */
interface MetricsSources {
  ingest: () => { containerId: string; containerName: string; badFrames: number; writeFailures: number }[];
  deliveries: () => DeliveryView[];
}

export function registerOpsMetrics(registry: Registry, sources: MetricsSources): void {
  const info = new Gauge({ name: 'tslogs_build_info', help: 'Always 1; the labels say which build runs', labelNames: ['version', 'node_version'], registers: [registry] });
  info.set({ version: packageVersion(), node_version: process.version }, 1);

  const container = (id: string, name: string) => ({ container: shortId(id), container_name: name });
  const perSink = (v: DeliveryView) => ({ ...container(v.containerId, v.containerName), sink: v.sink });
  collectedCounter(registry, 'tslogs_bad_frames_total', 'LogEntry frames that could not be decoded (the rest of that stream is discarded)', ['container', 'container_name'], (set) => {
    for (const i of sources.ingest()) set(container(i.containerId, i.containerName), i.badFrames);
  });
  collectedCounter(registry, 'tslogs_store_write_failures_total', 'Store writes the disk refused (ingest pauses and retries)', ['container', 'container_name'], (set) => {
    for (const i of sources.ingest()) set(container(i.containerId, i.containerName), i.writeFailures);
  });
  collectedCounter(registry, 'tslogs_sink_checkpoint_writes_total', 'Checkpoint writes (write, fsync, rename)', ['container', 'container_name', 'sink'], (set) => {
    for (const v of sources.deliveries()) set(perSink(v), v.delivery.checkpointWrites);
  });
  registry.registerMetric(latencyHistogram(sources, perSink) as never);
}


const LATENCY = 'tslogs_sink_delivery_latency_seconds';

/**
 * A histogram read from each delivery's own buckets at scrape time (prom-client's
 * Histogram would be updated per entry on the hot path). Shaped as prom-client's
 * metric objects are, so the registry prints it like any other.
 */
function latencyHistogram(sources: MetricsSources, perSink: (v: DeliveryView) => Record<string, string>) {
  return {
    name: LATENCY,
    help: 'Seconds from an entry\'s capture by dockerd to its acknowledgement by the sink',
    type: 'histogram',
    aggregator: 'sum',
    reset() {},
    get() {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const v of sources.deliveries()) {
        const labels = perSink(v);
        const h = v.delivery.stats.latency;
        for (const b of h.cumulative()) values.push({ labels: { ...labels, le: b.le }, value: b.count, metricName: `${LATENCY}_bucket` });
        values.push({ labels, value: h.sum, metricName: `${LATENCY}_sum` });
        values.push({ labels, value: h.count, metricName: `${LATENCY}_count` });
      }
      return { name: LATENCY, help: this.help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
}
