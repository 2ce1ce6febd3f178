// Named routes (README "Routes"): each route of the routes file is exactly one sink's
// options, checked here by that sink's own parser, as a `--log-opt` of it would be. The
// router only ever sees the table; reading the file is config/routes-file.ts's job and
// deciding when to re-read it the daemon's.
import { tslogsError, TslogsError } from '../errors.js';
import type { ContainerInfo } from '../container-info.js';
import type { RawRoutes } from '../config/routes-file.js';
import type { SinkDefinition } from '../sinks/sink.js';
import { secretOptionKeys, type SinkRegistry } from '../sinks/registry.js';
import { silentLogger } from '../util/log.js';

export interface Route {
  name: string;
  sink: SinkDefinition;
  /** The sink's options as the file gives them (token files already read). */
  options: Readonly<Record<string, string>>;
}

export type RouteTable = ReadonlyMap<string, Route>;

export const NO_ROUTES: RouteTable = new Map();

/** A container's delivery configured by a route. */
export interface RouteUse {
  containerId: string;
  route: string;
}

/** What a reload did to the deliveries using routes. */
export interface RouteChanges {
  /** Closed and reopened with the route's new settings. */
  reopened: RouteUse[];
  unchanged: RouteUse[];
  /** The route is gone, changed its sink kind, or does not fit the container: the last settings go on. */
  kept: RouteUse[];
}

/** Validates every route with its sink's parser; throws TslogsError TSLOGS_ROUTES_FILE naming the route and the option. */
export function validateRoutes(raw: RawRoutes, registry: SinkRegistry, file: string): RouteTable {
  const fail = (detail: string) => tslogsError('TSLOGS_ROUTES_FILE', file, detail);
  const owner = new Map<string, SinkDefinition>();
  for (const definition of registry.values()) for (const key of [definition.addressKey, ...definition.keys]) owner.set(key, definition);
  const table = new Map<string, Route>();
  for (const [name, options] of raw) {
    // A route is named where sinks are (log opt 'sinks'): a route named like a sink would hide one of them.
    if (registry.has(name)) throw fail(`route "${name}" has the name of a sink: name it otherwise (e.g. "${name}-main")`);
    const kinds = new Set<SinkDefinition>();
    for (const key of Object.keys(options)) {
      const definition = owner.get(key);
      if (definition === undefined) throw fail(`route "${name}": "${key}" is not an option of any sink (${[...registry.keys()].join(', ')}); a route holds one sink's options only`);
      kinds.add(definition);
    }
    if (kinds.size > 1) {
      throw fail(`route "${name}" mixes options of the ${[...kinds].map((d) => d.name).join(' and ')} sinks: a route holds exactly one sink, make one route per sink`);
    }
    const sink = [...kinds][0]!;
    if (options[sink.addressKey] === undefined) throw fail(`route "${name}" has ${sink.name} options but no ${sink.addressKey}, which names the receiver`);
    try {
      sink.parse({ ...options }, { info: routeInfo(name), hostname: 'routes-check', log: silentLogger });
    } catch (err) {
      if (!(err instanceof TslogsError)) throw err;
      throw fail(`route "${name}": ${err.message}`);
    }
    table.set(name, { name, sink, options });
  }
  return table;
}

/** A route's options with its secrets (SinkDefinition.secretKeys) shown as `<redacted>`. */
export function shownOptions(route: Route, registry: SinkRegistry): Record<string, string> {
  const secrets = secretOptionKeys(registry);
  return Object.fromEntries(Object.entries(route.options).map(([k, v]) => [k, secrets.has(k) ? '<redacted>' : v]));
}

/** Whether two routes configure the same sink the same way (an unchanged route's deliveries are left alone). */
export function sameRoute(a: Route, b: Route): boolean {
  if (a.sink !== b.sink) return false;
  const keys = Object.keys(a.options);
  return keys.length === Object.keys(b.options).length && keys.every((k) => b.options[k] === a.options[k]);
}

/** The container a route is checked for: options that depend on the container (tag templates) are checked again at each start. */
function routeInfo(name: string): ContainerInfo {
  return {
    Config: {}, ContainerID: '0'.repeat(64), ContainerName: `/route-${name}`, ContainerEntrypoint: '', ContainerArgs: [],
    ContainerImageID: '', ContainerImageName: '', ContainerCreated: '', ContainerEnv: null, ContainerLabels: {}, LogPath: '', DaemonName: 'docker',
  };
}
