import type { ContainerInfo } from '../container-info.js';
import { type ContainerOptions, type EnabledSink, parseContainerOptions, routedSink } from '../router/container-options.js';
import type { SinkRegistry } from '../sinks/registry.js';
import type { EndpointsView } from '../sinks/sink.js';
import type { LiveLog } from '../store/live-log.js';
import { bareName, shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { CheckpointFile } from './checkpoint-file.js';
import { Delivery, type DeliveryOptions, type DeliveryStats, type StartAt } from './delivery.js';
import { NO_ROUTES, type RouteChanges, type RouteTable, sameRoute } from './routes.js';

export interface RouterParams {
  /** The current json-file of a container (the plugin's store, or Docker's for the sidecar). */
  logPath: (containerId: string) => string;
  /** Where a container's sink checkpoints are kept. */
  checkpointDir: (containerId: string) => string;
  /** The daemon host's name, which Docker's drivers put in every message. */
  hostname: string;
  registry: SinkRegistry;
  log: Logger;
  /** The container's writer, when one is attached now. */
  live: (containerId: string) => LiveLog | undefined;
  /** Where a delivery without a checkpoint starts (default 'end'). */
  startAt?: (containerId: string) => StartAt;
  /** The daemon's named routes now (log opt 'sinks'); none when absent. */
  routes?: () => RouteTable;
}

export interface DeliveryView {
  containerId: string;
  containerName: string;
  sink: string;
  delivery: Delivery;
  /** The route configuring this sink, when the container names one in log opt 'sinks'. */
  route?: string;
  /** A sink given several endpoints: which one is in use (for the metrics). */
  endpoints?: (() => EndpointsView) | undefined;
}

/** What a delivery was built from, to build it again with a route's new settings. */
interface Built {
  view: DeliveryView;
  info: ContainerInfo;
  enabled: EnabledSink;
  router: DeliveryOptions;
  maxFiles: number;
  /** Settles when this delivery's run() is over (its checkpoint flushed, its sink closed). */
  done: Promise<void>;
  /** The first open, when the container may start only once it succeeded (Sink.openBeforeStart). */
  opened?: Promise<void> | undefined;
}

/**
 * Fan-out: one Delivery per (container, enabled sink), each an independent cursor
 * over the container's store. The router never sits between ingest and the disk.
 */
export class Router {
  private readonly deliveries = new Map<string, Map<string, Built>>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly p: RouterParams) {}

  /**
   * Starts whatever deliveries the container needs and does not have yet. Resolves
   * once the sinks that must be reachable before the container starts (an explicit
   * `splunk-verify-connection=true`) are open; rejects with the first such failure,
   * after stopping this call's deliveries.
   */
  async start(info: ContainerInfo, options: ContainerOptions): Promise<void> {
    const id = info.ContainerID;
    if (options.sinks.length === 0) return;
    const checks: Promise<void>[] = [];
    const started: Delivery[] = [];
    let byName = this.deliveries.get(id);
    if (byName === undefined) {
      byName = new Map();
      this.deliveries.set(id, byName);
    }
    for (const enabled of options.sinks) {
      if (byName.has(enabled.definition.name)) continue;
      const built = this.launch(info, enabled, options.router, options.store.policy.maxFile);
      byName.set(enabled.definition.name, built);
      started.push(built.view.delivery);
      if (built.opened !== undefined) checks.push(built.opened);
    }
    try {
      await Promise.all(checks);
    } catch (err) {
      for (const delivery of started) delivery.stop();
      throw err;
    }
  }

  /**
   * Builds and runs one delivery. `previous`: the delivery it replaces (a route changed),
   * which must be over before this one reads its checkpoint; the stats carry on.
   */
  private launch(info: ContainerInfo, enabled: EnabledSink, router: DeliveryOptions, maxFiles: number, previous?: Built): Built {
    const id = info.ContainerID;
    const name = enabled.definition.name;
    const log = this.p.log.child({ container: shortId(id), sink: name });
    const sink = enabled.definition.create(enabled.options, { info, hostname: this.p.hostname, log });
    const delivery = new Delivery({
      containerId: id,
      sinkName: name,
      currentPath: this.p.logPath(id),
      live: () => this.p.live(id),
      sink,
      checkpoints: new CheckpointFile(CheckpointFile.path(this.p.checkpointDir(id), name)),
      options: router,
      maxFiles,
      log,
      startAt: this.p.startAt?.(id),
      after: previous?.done,
      stats: previous?.view.delivery.stats as DeliveryStats | undefined,
    });
    const view: DeliveryView = { containerId: id, containerName: bareName(info.ContainerName), sink: name, delivery, endpoints: sink.endpoints?.bind(sink) };
    if (enabled.route !== undefined) view.route = enabled.route.name;
    // Before run(): its connect() must find this open under way, or the sink is opened
    // twice (two OPTIONS requests where Docker's splunk driver makes one).
    const opened = previous === undefined && delivery.opensBeforeStart ? delivery.openFirst() : undefined;
    const done = delivery.run().then(
      () => this.forget(id, name, view),
      (err: Error) => {
        log.error(`container ${shortId(id)} sink ${name}: delivery stopped: ${err.message}`);
        this.forget(id, name, view);
      },
    );
    this.running.add(done);
    void done.then(() => this.running.delete(done));
    return { view, info, enabled, router, maxFiles, done, opened };
  }

  /**
   * The routes changed (a reload): each delivery whose route's settings changed is
   * closed and reopened with them, resuming from its checkpoint; the others are not
   * touched. A route gone, or now of another sink kind, keeps its last settings (warned).
   */
  applyRoutes(routes: RouteTable): RouteChanges {
    const changes: RouteChanges = { reopened: [], unchanged: [], kept: [] };
    for (const built of [...this.deliveries.values()].flatMap((m) => [...m.values()])) {
      const current = built.enabled.route;
      if (current === undefined) continue;
      const next = routes.get(current.name);
      const where = `container ${shortId(built.info.ContainerID)} sink ${built.view.sink}`;
      if (next === undefined || next.sink !== current.sink) {
        const why = next === undefined ? 'is no longer in the routes file' : `is now a ${next.sink.name} sink`;
        this.p.log.warn(`${where}: route '${current.name}' ${why}: the container keeps the route's last settings until it is recreated, and cannot start again with log opt sinks=${current.name}`);
        changes.kept.push({ containerId: built.info.ContainerID, route: current.name });
        continue;
      }
      if (next === current || sameRoute(next, current)) {
        changes.unchanged.push({ containerId: built.info.ContainerID, route: current.name });
        continue;
      }
      let enabled: EnabledSink;
      try {
        const log = this.p.log.child({ container: shortId(built.info.ContainerID), sink: built.view.sink });
        enabled = routedSink(next, built.info, { info: built.info, hostname: this.p.hostname, log });
      } catch (err) {
        this.p.log.error(`${where}: route '${current.name}' not applied, the delivery keeps its last settings: ${(err as Error).message}`);
        changes.kept.push({ containerId: built.info.ContainerID, route: current.name });
        continue;
      }
      this.replace(built, enabled);
      this.p.log.info(`${where}: route '${current.name}' changed: reopened with its new settings, resuming from the checkpoint`);
      changes.reopened.push({ containerId: built.info.ContainerID, route: current.name });
    }
    return changes;
  }

  /** Stops `old` (what it has in flight settles, its checkpoint is flushed) and starts its successor, which resumes from that checkpoint. */
  private replace(old: Built, enabled: EnabledSink): void {
    const byName = this.deliveries.get(old.info.ContainerID);
    if (byName === undefined) return;
    // Built first: its stream pins the store's files now, so nothing rotates away between the two.
    const next = this.launch(old.info, enabled, old.router, old.maxFiles, old);
    byName.set(old.view.sink, next);
    old.view.delivery.handOver();
    const deadline = old.view.delivery.drainDeadlineMs;
    if (deadline !== undefined) next.view.delivery.stopAfter(deadline);
  }

  /** The container stopped: its deliveries finish the backlog, within the drain deadline. */
  stopped(containerId: string, drainTimeoutMs: number): void {
    for (const built of this.deliveries.get(containerId)?.values() ?? []) built.view.delivery.stopAfter(drainTimeoutMs);
  }

  /** Restarts a delivery a previous run left; a failed pre-start check must not stop it (the container runs). */
  resume(info: ContainerInfo): void {
    if (this.deliveries.has(info.ContainerID)) return;
    const log = this.p.log.child({ container: shortId(info.ContainerID) });
    try {
      this.start(info, parseContainerOptions(info, this.p.registry, log, this.p.hostname, this.p.routes?.() ?? NO_ROUTES)).catch(() => undefined);
    } catch (err) {
      log.error(`container ${shortId(info.ContainerID)}: saved options no longer valid, deliveries not resumed: ${(err as Error).message}`);
    }
  }

  views(): DeliveryView[] {
    return [...this.deliveries.values()].flatMap((m) => [...m.values()].map((b) => b.view));
  }

  /**
   * Stops every delivery and waits (at most `graceMs`) for them to finish: the last
   * acknowledged checkpoint is then on disk. A send still in flight past the grace
   * period is simply sent again after the restart.
   */
  async shutdown(graceMs = 5_000): Promise<void> {
    for (const view of this.views()) view.delivery.stop();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(timer);
  }

  private forget(id: string, sink: string, view: DeliveryView): void {
    const byName = this.deliveries.get(id);
    if (byName?.get(sink)?.view !== view) return;
    byName.delete(sink);
    if (byName.size === 0) this.deliveries.delete(id);
  }
}
