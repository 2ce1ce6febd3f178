import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DeliveryView } from '../router/router.js';
import { bytesAfter } from '../store/backlog.js';
import { shortId } from '../util/docker-names.js';
import { collectedCounter, collectedGauge } from './collected-metrics.js';
import { registerEndpointMetrics } from './endpoint-metrics.js';
import { registerOpsMetrics } from './ops-metrics.js';
import type { PrunerView } from './removed-pruner.js';
import type { RoutesView } from './routes-reloader.js';

export interface IngestView {
  containerId: string;
  containerName: string;
  entries: number;
  bytes: number;
  /** Entries stored with a redact match masked (redact-store=true). */
  redacted: number;
  badFrames: number;
  writeFailures: number;
}

export interface MetricsSources {
  ingest: () => IngestView[];
  deliveries: () => DeliveryView[];
  /** The current log file of a container, for lag. */
  logPath: (containerId: string) => string;
  /** The pruning of removed containers; undefined when they are kept forever. */
  pruner?: () => PrunerView | undefined;
  /** The routes file's reloads; undefined when the daemon has none (tests). */
  routes?: () => RoutesView | undefined;
}

type Counted<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];
type DeliveryStats = DeliveryView['delivery']['stats'];

/** Counters of each container's ingest: name, help, the IngestView field. */
const INGEST_COUNTERS: readonly (readonly [string, string, Counted<IngestView>])[] = [
  ['tslogs_ingested_entries_total', 'Entries read from log FIFOs and stored', 'entries'],
  ['tslogs_ingested_bytes_total', 'Frame bytes read from log FIFOs', 'bytes'],
  ['tslogs_ingested_redacted_entries_total', 'Entries stored with a redact match masked (redact-store=true)', 'redacted'],
];

/** Counters of each container's sinks: name, help, the delivery's stats field. */
const SINK_COUNTERS: readonly (readonly [string, string, Counted<DeliveryStats>])[] = [
  ['tslogs_sink_sent_entries_total', 'Entries a sink acknowledged', 'sentEntries'],
  ['tslogs_sink_sent_bytes_total', 'Line bytes a sink acknowledged', 'sentBytes'],
  ['tslogs_sink_retries_total', 'Failed connects or sends that were retried', 'retries'],
  ['tslogs_sink_cut_bytes_total', 'Bytes cut from lines longer than partial-max-size', 'cutBytes'],
  ['tslogs_sink_suppressed_entries_total', 'Entries not sent because of rate-limit (the store keeps them)', 'suppressed'],
  ['tslogs_sink_redacted_entries_total', 'Entries sent with at least one redact match masked', 'redacted'],
  ['tslogs_sink_multiline_events_total', 'Events handed to a sink joined from more than one line by multiline', 'multilineEvents'],
  ['tslogs_sink_multiline_lines_total', 'Lines joined into those events', 'multilineLines'],
];

/**
 * Prometheus metrics. Values live in plain counters in the ingest and router code;
 * collectors read them at scrape time, so the hot path never touches prom-client.
 * Labels carry container IDs, names and sink names only: never an option value, so
 * no secret can reach them.
 */
export function createMetrics(sources: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const container = (id: string, name: string) => ({ container: shortId(id), container_name: name });

  const containerLabels = ['container', 'container_name'];
  for (const [name, help, field] of INGEST_COUNTERS) {
    collectedCounter(registry, name, help, containerLabels, (set) => {
      for (const i of sources.ingest()) set(container(i.containerId, i.containerName), i[field]);
    });
  }

  const sinkLabels = ['container', 'container_name', 'sink'];
  const perSink = (view: DeliveryView) => ({ ...container(view.containerId, view.containerName), sink: view.sink });
  for (const [name, help, field] of SINK_COUNTERS) {
    collectedCounter(registry, name, help, sinkLabels, (set) => {
      for (const v of sources.deliveries()) set(perSink(v), v.delivery.stats[field]);
    });
  }
  collectedCounter(registry, 'tslogs_sink_dropped_entries_total', 'Entries given up, by reason', [...sinkLabels, 'reason'], (set) => {
    for (const v of sources.deliveries()) {
      for (const [reason, n] of Object.entries(v.delivery.stats.dropped)) set({ ...perSink(v), reason }, n);
    }
  });
  collectedGauge(registry, 'tslogs_sink_connected', '1 when the sink is open', sinkLabels, (set) => {
    for (const v of sources.deliveries()) set(perSink(v), v.delivery.stats.connected ? 1 : 0);
  });
  collectedGauge(registry, 'tslogs_sink_checkpoint_offset_bytes', 'Offset of the checkpoint within its file', sinkLabels, (set) => {
    for (const v of sources.deliveries()) set(perSink(v), v.delivery.stats.checkpoint.offset);
  });
  collectedGauge(registry, 'tslogs_sink_oldest_unsent_age_seconds', 'Age of the oldest entry being delivered', sinkLabels, (set) => {
    const now = Date.now() / 1000;
    for (const v of sources.deliveries()) set(perSink(v), v.delivery.stats.oldestUnsent > 0 ? now - v.delivery.stats.oldestUnsent : 0);
  });
  collectedGauge(registry, 'tslogs_sink_lag_bytes', 'Stored bytes after the checkpoint (compressed files at their size on disk)', sinkLabels, async (set) => {
    for (const v of sources.deliveries()) set(perSink(v), await bytesAfter(sources.logPath(v.containerId), v.delivery.stats.checkpoint));
  });
  registerOpsMetrics(registry, sources);
  registerEndpointMetrics(registry, sources);
  // No container label: each removed container would leave a series behind, the leak pruning ends.
  collectedCounter(registry, 'tslogs_removed_containers_checks_total', "Checks of the stored containers against dockerd's containers directory", [], (set) => {
    set({}, sources.pruner?.()?.checks ?? 0);
  });
  collectedCounter(registry, 'tslogs_removed_containers_pruned_total', 'Removed containers whose logs, checkpoints and session were deleted', [], (set) => {
    set({}, sources.pruner?.()?.pruned ?? 0);
  });
  collectedGauge(registry, 'tslogs_removed_containers_kept', 'Removed containers whose logs are still kept (TSLOGS_RETAIN_REMOVED, or a backlog sinks have not received)', [], (set) => {
    set({}, sources.pruner?.()?.kept ?? 0);
  });
  collectedGauge(registry, 'tslogs_removed_containers_pruning', "1 when the last check trusted dockerd's containers directory; 0 when pruning is off (see the daemon log) or TSLOGS_RETAIN_REMOVED=forever", [], (set) => {
    set({}, sources.pruner?.()?.enabled === true ? 1 : 0);
  });
  registerRoutesMetrics(registry, sources);
  return registry;
}

/** The routes file (README "Routes"): alert on failures, a reload that left the file unused. */
function registerRoutesMetrics(registry: Registry, sources: MetricsSources): void {
  const view = () => sources.routes?.();
  collectedCounter(registry, 'tslogs_routes_reloads_total', 'Reads of the routes file that were applied (at start, on change, SIGHUP or tslogs reload)', [], (set) => {
    set({}, view()?.reloads ?? 0);
  });
  collectedCounter(registry, 'tslogs_routes_reload_failures_total', 'Reads of the routes file refused (invalid or unreadable): the routes in force were kept, the daemon log says why', [], (set) => {
    set({}, view()?.failures ?? 0);
  });
  collectedCounter(registry, 'tslogs_routes_reopened_deliveries_total', 'Deliveries closed and reopened because their route changed', [], (set) => {
    set({}, view()?.reopened ?? 0);
  });
  collectedGauge(registry, 'tslogs_routes', 'Routes in force', [], (set) => {
    set({}, view()?.routes ?? 0);
  });
  collectedGauge(registry, 'tslogs_routes_last_reload_ok', '0 when the last read of the routes file was refused (the previous routes are in force)', [], (set) => {
    set({}, view()?.lastOk === false ? 0 : 1);
  });
}
