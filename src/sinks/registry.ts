import type { SinkDefinition } from './sink.js';
import { fluentdSinkDefinition } from './fluentd/index.js';
import { gelfSinkDefinition } from './gelf/index.js';
import { lokiSinkDefinition } from './loki/index.js';
import { natsSinkDefinition } from './nats/index.js';
import { otlpSinkDefinition } from './otlp/index.js';
import { splunkSinkDefinition } from './splunk/index.js';
import { syslogSinkDefinition } from './syslog/index.js';

/** The sinks a daemon offers, by name. Tests build registries with their own sinks. */
export type SinkRegistry = ReadonlyMap<string, SinkDefinition>;

export function sinkRegistry(definitions: readonly SinkDefinition[]): SinkRegistry {
  return new Map(definitions.map((d) => [d.name, d]));
}

/** Every sink's secret option names (SinkDefinition.secretKeys). */
export function secretOptionKeys(registry: SinkRegistry): ReadonlySet<string> {
  return new Set([...registry.values()].flatMap((d) => [...(d.secretKeys ?? [])]));
}

/** The sinks built into tslogs. */
export const BUILTIN_SINKS: SinkRegistry = sinkRegistry([
  splunkSinkDefinition, fluentdSinkDefinition, gelfSinkDefinition, syslogSinkDefinition, natsSinkDefinition, otlpSinkDefinition, lokiSinkDefinition,
]);
