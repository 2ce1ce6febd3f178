// When the routes file is read (README "Routes"): at start, on SIGHUP, on `tslogs reload`
// (POST /tslogs/reload), and when the file changes. A file that cannot be used keeps the
// routes in force and says exactly why: in the daemon log, in the reload's answer, and in
// tslogs_routes_reload_failures_total.
import fs from 'node:fs';
import { readRoutesFile } from '../config/routes-file.js';
import type { RouteChanges, RouteTable } from '../router/routes.js';
import { validateRoutes } from '../router/routes.js';
import { secretOptionKeys, type SinkRegistry } from '../sinks/registry.js';
import type { Logger } from '../util/log.js';

/** What the reloader applies the routes to (the driver). */
export interface RoutesTarget {
  setRoutes(routes: RouteTable): RouteChanges;
}

export interface ReloadResult {
  ok: boolean;
  file: string;
  /** Why the file was not used (nothing changed then). */
  error?: string;
  /** The route names in force after this reload. */
  routes: string[];
  /** Deliveries reopened, left alone, or kept on their last settings (a route gone). */
  changes?: RouteChanges;
}

/** Counters for metrics.ts. */
export interface RoutesView {
  routes: number;
  reloads: number;
  failures: number;
  reopened: number;
  lastOk: boolean;
}

/** Polling, not fs.watch: it sees an editor's rename-over and a bind-mounted file in a managed plugin alike. */
export const ROUTES_POLL_MS = 1000;
/** A change is read once the file stayed the same this long, so a write in several steps is read once, whole. */
export const ROUTES_SETTLE_MS = 300;

export class RoutesReloader {
  private readonly counts: RoutesView = { routes: 0, reloads: 0, failures: 0, reopened: 0, lastOk: true };
  private settle: NodeJS.Timeout | undefined;
  private watching = false;
  private readonly secrets: ReadonlySet<string>;

  constructor(
    private readonly file: string,
    private readonly target: RoutesTarget,
    private readonly registry: SinkRegistry,
    private readonly log: Logger,
  ) {
    this.secrets = secretOptionKeys(registry);
  }

  /** The last reload's outcome (undefined before the first). */
  last: ReloadResult | undefined;

  get path(): string {
    return this.file;
  }

  get view(): RoutesView {
    return { ...this.counts };
  }

  /** Reads the file and applies it, or keeps the routes in force. `why`: for the log (SIGHUP, tslogs reload, …). */
  reload(why: string): ReloadResult {
    let table: RouteTable;
    let present: boolean;
    try {
      const content = readRoutesFile(this.file, this.secrets);
      present = content.present;
      table = validateRoutes(content.routes, this.registry, this.file);
    } catch (err) {
      this.counts.failures++;
      this.counts.lastOk = false;
      const error = (err as Error).message;
      this.log.error(`routes not reloaded (${why}), the routes in force are kept: ${error}`);
      return (this.last = { ok: false, file: this.file, error, routes: this.names });
    }
    const changes = this.target.setRoutes(table);
    this.current = [...table.keys()];
    this.counts.routes = table.size;
    this.counts.reloads++;
    this.counts.reopened += changes.reopened.length;
    this.counts.lastOk = true;
    const routes = present ? `${table.size} route(s)${table.size > 0 ? ': ' + this.names.join(', ') : ''}` : 'no routes (the file does not exist)';
    this.log.info(`routes loaded from ${this.file} (${why}): ${routes}; ${changes.reopened.length} deliveries reopened, ${changes.unchanged.length} unchanged, ${changes.kept.length} kept on their last settings`);
    return (this.last = { ok: true, file: this.file, routes: this.names, changes });
  }

  private current: string[] = [];
  private get names(): string[] {
    return [...this.current];
  }

  /** Reloads whenever the file changes (created, edited, replaced or deleted). */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    fs.watchFile(this.file, { interval: ROUTES_POLL_MS, persistent: false }, () => {
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.reload('the file changed'), ROUTES_SETTLE_MS);
      this.settle.unref();
    });
  }

  stop(): void {
    clearTimeout(this.settle);
    if (this.watching) fs.unwatchFile(this.file);
    this.watching = false;
  }
}
