import type { ContainerInfo } from '../container-info.js';
import { type ContainerOptions, parseContainerOptions } from '../router/container-options.js';
import type { SinkRegistry } from '../sinks/registry.js';
import type { EndpointsView } from '../sinks/sink.js';
import type { LiveLog } from '../store/live-log.js';
import { bareName, shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { CheckpointFile } from './checkpoint-file.js';
import { Delivery, type StartAt } from './delivery.js';

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
}

export interface DeliveryView {
  containerId: string;
  containerName: string;
  sink: string;
  delivery: Delivery;
  /** A sink given several endpoints: which one is in use (for the metrics). */
  endpoints?: (() => EndpointsView) | undefined;
}

/**
 * Fan-out: one Delivery per (container, enabled sink), each an independent cursor
 * over the container's store. The router never sits between ingest and the disk.
 */
export class Router {
  private readonly deliveries = new Map<string, Map<string, DeliveryView>>();
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
    for (const { definition, options: sinkOptions } of options.sinks) {
      if (byName.has(definition.name)) continue;
      const log = this.p.log.child({ container: shortId(id), sink: definition.name });
      const sink = definition.create(sinkOptions, { info, hostname: this.p.hostname, log });
      const delivery = new Delivery({
        containerId: id,
        sinkName: definition.name,
        currentPath: this.p.logPath(id),
        live: () => this.p.live(id),
        sink,
        checkpoints: new CheckpointFile(CheckpointFile.path(this.p.checkpointDir(id), definition.name)),
        options: options.router,
        maxFiles: options.store.policy.maxFile,
        log,
        startAt: this.p.startAt?.(id),
      });
      const endpoints = sink.endpoints?.bind(sink);
      const view: DeliveryView = { containerId: id, containerName: bareName(info.ContainerName), sink: definition.name, delivery, endpoints };
      byName.set(definition.name, view);
      started.push(delivery);
      if (sink.openBeforeStart === true) checks.push(delivery.openFirst());
      const running = delivery.run().then(
        () => this.forget(id, definition.name, view),
        (err: Error) => {
          log.error(`container ${shortId(id)} sink ${definition.name}: delivery stopped: ${err.message}`);
          this.forget(id, definition.name, view);
        },
      );
      this.running.add(running);
      void running.then(() => this.running.delete(running));
    }
    try {
      await Promise.all(checks);
    } catch (err) {
      for (const delivery of started) delivery.stop();
      throw err;
    }
  }

  /** The container stopped: its deliveries finish the backlog, within the drain deadline. */
  stopped(containerId: string, drainTimeoutMs: number): void {
    for (const view of this.deliveries.get(containerId)?.values() ?? []) view.delivery.stopAfter(drainTimeoutMs);
  }

  /** Restarts a delivery a previous run left; a failed pre-start check must not stop it (the container runs). */
  resume(info: ContainerInfo): void {
    if (this.deliveries.has(info.ContainerID)) return;
    const log = this.p.log.child({ container: shortId(info.ContainerID) });
    try {
      this.start(info, parseContainerOptions(info, this.p.registry, log, this.p.hostname)).catch(() => undefined);
    } catch (err) {
      log.error(`container ${shortId(info.ContainerID)}: saved options no longer valid, deliveries not resumed: ${(err as Error).message}`);
    }
  }

  views(): DeliveryView[] {
    return [...this.deliveries.values()].flatMap((m) => [...m.values()]);
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
    if (byName?.get(sink) !== view) return;
    byName.delete(sink);
    if (byName.size === 0) this.deliveries.delete(id);
  }
}
