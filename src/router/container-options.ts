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
import { NO_ROUTES, type Route, type RouteTable } from './routes.js';

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
  /** The route of the routes file that configures it (log opt 'sinks'); absent when the container's own options do. */
  route?: Route;
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
export function parseContainerOptions(
  info: ContainerInfo,
  registry: SinkRegistry,
  log: Logger,
  hostname = os.hostname(),
  routes: RouteTable = NO_ROUTES,
): ContainerOptions {
  const config = info.Config;
  const { enabled, routed } = enabledSinks(config, registry, routes);
  const owner = new Map<string, SinkDefinition>();
  for (const definition of registry.values()) {
    for (const key of [definition.addressKey, ...definition.keys]) owner.set(key, definition);
  }
  for (const key of Object.keys(config)) {
    if (DOCKER_GENERIC_KEYS.has(key) || STORE_KEYS.has(key) || ATTRIBUTE_KEYS.has(key) || ROUTER_KEYS.has(key) || isNumberedRedactKey(key)) continue;
    const definition = owner.get(key);
    if (definition === undefined) throw tslogsError('TSLOGS_UNKNOWN_OPTION', 'tslogs', key);
    const route = routed.get(definition);
    if (route !== undefined) throw tslogsError('TSLOGS_ROUTE_OWNS_OPTION', key, definition.name, route.name);
    if (!enabled.has(definition)) throw tslogsError('TSLOGS_SINK_NOT_ENABLED', key, definition.name, definition.addressKey);
  }
  const context: SinkContext = { info, hostname, log };
  return {
    store: parseStoreOptions(info, hostname),
    router: parseRouterOptions(config),
    sinks: [
      ...[...enabled].map((definition) => ({ definition, options: definition.parse(config, context) })),
      ...[...routed.values()].map((route) => routedSink(route, info, context)),
    ],
  };
}

/**
 * A route's sink for this container: the route's options over the container's own (tag,
 * labels, env and the router's options stay the container's). Throws what the sink's
 * parser throws, prefixed with the route (a tag template may fail for one container).
 */
export function routedSink(route: Route, info: ContainerInfo, context: SinkContext): EnabledSink {
  try {
    return { definition: route.sink, options: route.sink.parse({ ...info.Config, ...route.options }, context), route };
  } catch (err) {
    if (err instanceof Error) err.message = `route '${route.name}': ${err.message}`;
    throw err;
  }
}

/** The sinks configured by the container's own options, and those its routes configure (one sink of each kind). */
function enabledSinks(config: Record<string, string>, registry: SinkRegistry, routes: RouteTable): { enabled: Set<SinkDefinition>; routed: Map<SinkDefinition, Route> } {
  const enabled = new Set<SinkDefinition>();
  const routed = new Map<SinkDefinition, Route>();
  for (const name of (config.sinks ?? '').split(',')) {
    if (name === '') continue;
    const definition = registry.get(name);
    const route = definition === undefined ? routes.get(name) : undefined;
    if (definition !== undefined) enabled.add(definition);
    else if (route !== undefined) {
      const other = routed.get(route.sink);
      if (other !== undefined && other !== route) throw tslogsError('TSLOGS_ROUTE_CONFLICT', name, route.sink.name, `route '${other.name}'`);
      routed.set(route.sink, route);
    } else if (routes.size === 0) throw tslogsError('TSLOGS_UNKNOWN_SINK', name, [...registry.keys()].join(', ') || 'none');
    else throw tslogsError('TSLOGS_UNKNOWN_ROUTE', name, [...registry.keys()].join(', ') || 'none', [...routes.keys()].join(', '));
  }
  for (const definition of registry.values()) {
    if (config[definition.addressKey] !== undefined) enabled.add(definition);
  }
  // A delivery and its checkpoint are per sink kind: two configurations of one kind would share them.
  for (const [definition, route] of routed) {
    if (!enabled.has(definition)) continue;
    const own = config[definition.addressKey] !== undefined ? `this container's ${definition.addressKey}` : `log opt 'sinks' listing ${definition.name}`;
    throw tslogsError('TSLOGS_ROUTE_CONFLICT', route.name, definition.name, own);
  }
  return { enabled, routed };
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
