// The metrics of sinks given several endpoints (a comma-separated splunk-url,
// syslog-address or gelf-address): switches, and which endpoint is in use. A sink with
// one endpoint has no series here. The address label is what the sink shows of the
// endpoint: scheme, host and port (or socket path), never user information or a token.
import type { Registry } from 'prom-client';
import type { DeliveryView } from '../router/router.js';
import { shortId } from '../util/docker-names.js';
import { collectedCounter, collectedGauge } from './collected-metrics.js';

/** What these metrics read (a type, not an import of metrics.ts: no cycle). */
interface Sources {
  deliveries: () => DeliveryView[];
}

export function registerEndpointMetrics(registry: Registry, sources: Sources): void {
  const perSink = (v: DeliveryView) => ({ container: shortId(v.containerId), container_name: v.containerName, sink: v.sink });
  const withEndpoints = () => sources.deliveries().flatMap((v) => (v.endpoints === undefined ? [] : [{ v, e: v.endpoints() }]));
  collectedCounter(registry, 'tslogs_sink_endpoint_switches_total', 'Times a sink with several endpoints changed the one in use because one failed or came back', ['container', 'container_name', 'sink'], (set) => {
    for (const { v, e } of withEndpoints()) set(perSink(v), e.switches);
  });
  const labels = ['container', 'container_name', 'sink', 'endpoint', 'address'];
  collectedGauge(registry, 'tslogs_sink_endpoint_in_use', '1 for the endpoint a sink with several endpoints sends to now (endpoint: its position in the list)', labels, (set) => {
    for (const { v, e } of withEndpoints()) e.addresses.forEach((address, i) => set({ ...perSink(v), endpoint: String(i + 1), address }, e.inUse === i ? 1 : 0));
  });
  collectedGauge(registry, 'tslogs_sink_endpoint_healthy', '0 while an endpoint that failed waits for a probe to find it back', labels, (set) => {
    for (const { v, e } of withEndpoints()) e.addresses.forEach((address, i) => set({ ...perSink(v), endpoint: String(i + 1), address }, e.healthy[i] ? 1 : 0));
  });
}
