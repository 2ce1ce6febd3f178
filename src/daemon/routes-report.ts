// What `tslogs routes` shows (GET /tslogs/routes): each route, its sink and options with
// the secrets redacted, and the containers whose deliveries use it now.
import type { DeliveryView } from '../router/router.js';
import { type RouteTable, shownOptions } from '../router/routes.js';
import type { SinkRegistry } from '../sinks/registry.js';
import { shortId } from '../util/docker-names.js';
import type { ReloadResult } from './routes-reloader.js';

export interface RouteReport {
  name: string;
  /** The sink kind; undefined for a route gone from the file that containers still use. */
  sink: string | undefined;
  options: Record<string, string>;
  /** False: removed from the file, its users keep its last settings until recreated. */
  inFile: boolean;
  containers: { id: string; name: string }[];
}

export interface RoutesReport {
  file: string;
  routes: RouteReport[];
  /** The last reload's outcome, with what was wrong when the file was refused. */
  lastReload: { ok: boolean; error?: string } | undefined;
}

export function routesReport(file: string, table: RouteTable, views: DeliveryView[], registry: SinkRegistry, last: ReloadResult | undefined): RoutesReport {
  const users = new Map<string, { id: string; name: string }[]>();
  for (const v of views) {
    if (v.route === undefined) continue;
    users.set(v.route, [...(users.get(v.route) ?? []), { id: shortId(v.containerId), name: v.containerName }]);
  }
  const routes: RouteReport[] = [...table.values()].map((r) => ({
    name: r.name, sink: r.sink.name, options: shownOptions(r, registry), inFile: true, containers: users.get(r.name) ?? [],
  }));
  for (const [name, containers] of users) {
    if (!table.has(name)) routes.push({ name, sink: undefined, options: {}, inFile: false, containers });
  }
  const lastReload = last === undefined ? undefined : last.ok ? { ok: true } : { ok: false, error: last.error ?? '' };
  return { file, routes, lastReload };
}
