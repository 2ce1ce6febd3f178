import os from 'node:os';
import { tslogsError } from '../errors.js';
import type { ContainerInfo } from '../container-info.js';
import { parseGoBool } from '../go/strconv.js';
import { parseGoDuration } from '../go/duration.js';
import { parseBinarySize } from '../go/size.js';
import { ATTRIBUTE_KEYS, parseStoreOptions, STORE_KEYS, type StoreOptions } from '../config/json-file-options.js';
import type { SinkContext, SinkDefinition } from '../sinks/sink.js';
import type { SinkRegistry } from '../sinks/registry.js';
import type { DeliveryOptions } from './delivery.js';
import type { Logger } from '../util/log.js';
import { isNumberedRedactKey, parseTransformOptions, routerOption, TRANSFORM_KEYS } from './transforms/transform-options.js';

/** Keys dockerd itself consumes and passes on to plugins (docs/docker-compat.md §5.1, §13.1). */
export const DOCKER_GENERIC_KEYS: ReadonlySet<string> = new Set(['mode', 'max-buffer-size', 'cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress']);

/** tslogs' own router options (not Docker's: no built-in driver has a router). */
export const ROUTER_KEYS: ReadonlySet<string> = new Set([
  'sinks',
  'partial-reassembly',
  'partial-max-size',
  'sink-retry-min',
  'sink-retry-max',
  'sink-drain-timeout',
  ...TRANSFORM_KEYS,
]);

/** The shortest sink-retry-min / sink-retry-max accepted. */
export const MIN_RETRY_MS = 1;

export const DEFAULT_ROUTER_OPTIONS: DeliveryOptions = {
  reassemble: true,
  partialMaxBytes: 1024 * 1024,
  retryMinMs: 100,
  retryMaxMs: 30_000,
  drainTimeoutMs: 0,
};

export interface EnabledSink {
  definition: SinkDefinition;
  options: unknown;
}

export interface ContainerOptions {
  store: StoreOptions;
  router: DeliveryOptions;
  sinks: EnabledSink[];
}

/**
 * Validates a container's whole `--log-opt` map (daemon defaults already merged by
 * dockerd) at StartLogging, so `docker run` fails naming the first bad option.
 * A sink is enabled by its address option or by being listed in `sinks`.
 */
export function parseContainerOptions(info: ContainerInfo, registry: SinkRegistry, log: Logger, hostname = os.hostname()): ContainerOptions {
  const config = info.Config;
  const enabled = enabledSinks(config, registry);
  const owner = new Map<string, SinkDefinition>();
  for (const definition of registry.values()) {
    for (const key of [definition.addressKey, ...definition.keys]) owner.set(key, definition);
  }
  for (const key of Object.keys(config)) {
    if (DOCKER_GENERIC_KEYS.has(key) || STORE_KEYS.has(key) || ATTRIBUTE_KEYS.has(key) || ROUTER_KEYS.has(key) || isNumberedRedactKey(key)) continue;
    const definition = owner.get(key);
    if (definition === undefined) throw tslogsError('TSLOGS_UNKNOWN_OPTION', 'tslogs', key);
    if (!enabled.has(definition)) throw tslogsError('TSLOGS_SINK_NOT_ENABLED', key, definition.name, definition.addressKey);
  }
  const context: SinkContext = { info, hostname, log };
  return {
    store: parseStoreOptions(info, hostname),
    router: parseRouterOptions(config),
    sinks: [...enabled].map((definition) => ({ definition, options: definition.parse(config, context) })),
  };
}

function enabledSinks(config: Record<string, string>, registry: SinkRegistry): Set<SinkDefinition> {
  const enabled = new Set<SinkDefinition>();
  for (const name of (config.sinks ?? '').split(',')) {
    if (name === '') continue;
    const definition = registry.get(name);
    if (definition === undefined) throw tslogsError('TSLOGS_UNKNOWN_SINK', name, [...registry.keys()].join(', ') || 'none');
    enabled.add(definition);
  }
  for (const definition of registry.values()) {
    if (config[definition.addressKey] !== undefined) enabled.add(definition);
  }
  return enabled;
}

function parseRouterOptions(config: Record<string, string>): DeliveryOptions {
  const options = { ...DEFAULT_ROUTER_OPTIONS };
  const opt = <T>(key: string, parse: (value: string) => T): T | undefined => routerOption(config, key, parse);
  const positive = (key: string, parse: (value: string) => number): number | undefined => {
    const value = opt(key, parse);
    if (value !== undefined && !(value > 0)) throw tslogsError('TSLOGS_OPTION_POSITIVE', key, config[key]!);
    return value;
  };
  options.reassemble = opt('partial-reassembly', parseGoBool) ?? options.reassemble;
  options.partialMaxBytes = positive('partial-max-size', parseBinarySize) ?? options.partialMaxBytes;
  // Below a millisecond the backoff is no backoff: the daemon would spin against a dead sink.
  const retry = (key: string): number | undefined => {
    const ms = positive(key, parseGoDuration);
    if (ms !== undefined && ms < MIN_RETRY_MS) throw tslogsError('TSLOGS_OPTION_VALUE', key, `must be at least ${MIN_RETRY_MS}ms, got '${config[key]}'`);
    return ms;
  };
  const retryMin = retry('sink-retry-min');
  const retryMax = retry('sink-retry-max');
  if (retryMin !== undefined && retryMax !== undefined && retryMax < retryMin) {
    throw tslogsError('TSLOGS_OPTION_VALUE', 'sink-retry-max', `must not be less than sink-retry-min ('${config['sink-retry-min']}'), got '${config['sink-retry-max']}'`);
  }
  options.retryMinMs = retryMin ?? options.retryMinMs;
  // A minimum above the default maximum alone raises the maximum with it.
  options.retryMaxMs = Math.max(retryMax ?? options.retryMaxMs, options.retryMinMs);
  options.drainTimeoutMs = opt('sink-drain-timeout', parseGoDuration) ?? options.drainTimeoutMs;
  if (options.drainTimeoutMs < 0) throw tslogsError('TSLOGS_OPTION_VALUE', 'sink-drain-timeout', 'must not be negative (0 waits for ever)');
  const transforms = parseTransformOptions(config);
  const multiline = transforms?.multiline?.option;
  if (multiline !== undefined && !options.reassemble) {
    throw tslogsError('TSLOGS_OPTION_PAIR', multiline, 'partial-reassembly', `joining lines needs whole lines: remove partial-reassembly=false, or ${multiline}`);
  }
  if (transforms !== undefined) options.transforms = transforms;
  return options;
}
