import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../config/container-info.js';
import { type ContainerOptions, parseContainerOptions } from '../config/container-options.js';
import type { SinkRegistry } from '../sinks/registry.js';
import type { LiveLog } from '../store/live-log.js';
import { loadInfo } from '../store/container-info-file.js';
import { CONTAINER_ID, containerDir, currentLogPath } from '../store/layout.js';
import { CheckpointFile } from './checkpoint-file.js';
import { Delivery } from './delivery.js';

export interface RouterParams {
  root: string;
  /** The daemon host's name, which Docker's drivers put in every message. */
  hostname: string;
  registry: SinkRegistry;
  report: (message: string) => void;
  /** The container's writer, when one is attached now. */
  live: (containerId: string) => LiveLog | undefined;
}

export interface DeliveryView {
  containerId: string;
  containerName: string;
  sink: string;
  delivery: Delivery;
}

/**
 * Fan-out: one Delivery per (container, enabled sink), each an independent cursor
 * over the container's store. The router never sits between ingest and the disk.
 */
export class Router {
  private readonly deliveries = new Map<string, Map<string, DeliveryView>>();

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
      const sink = definition.create(sinkOptions, { info, hostname: this.p.hostname, report: this.p.report });
      const delivery = new Delivery({
        containerId: id,
        sinkName: definition.name,
        currentPath: currentLogPath(this.p.root, id),
        live: () => this.p.live(id),
        sink,
        checkpoints: new CheckpointFile(CheckpointFile.path(containerDir(this.p.root, id), definition.name)),
        options: options.router,
        maxFiles: options.store.policy.maxFile,
        report: this.p.report,
      });
      const view: DeliveryView = { containerId: id, containerName: info.ContainerName.replace(/^\//, ''), sink: definition.name, delivery };
      byName.set(definition.name, view);
      started.push(delivery);
      if (sink.openBeforeStart === true) checks.push(delivery.openFirst());
      void delivery.run().then(
        () => this.forget(id, definition.name, view),
        (err: Error) => {
          this.p.report(`container ${id.slice(0, 12)} sink ${definition.name}: delivery stopped: ${err.message}`);
          this.forget(id, definition.name, view);
        },
      );
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

  /** Restarts deliveries saved by a previous run of the daemon; they drain what is unsent. */
  resume(): void {
    let ids: string[];
    try {
      ids = fs.readdirSync(path.join(this.p.root, 'containers')).filter((d) => CONTAINER_ID.test(d));
    } catch {
      return;
    }
    for (const id of ids) {
      const info = loadInfo(this.p.root, id);
      if (info === undefined || this.deliveries.has(id)) continue;
      try {
        // The container is already running: a failed check must not stop delivery.
        this.start(info, parseContainerOptions(info, this.p.registry, this.p.report, this.p.hostname)).catch(() => undefined);
      } catch (err) {
        this.p.report(`container ${id.slice(0, 12)}: saved options no longer valid, deliveries not resumed: ${(err as Error).message}`);
      }
    }
  }

  views(): DeliveryView[] {
    return [...this.deliveries.values()].flatMap((m) => [...m.values()]);
  }

  async shutdown(): Promise<void> {
    for (const view of this.views()) view.delivery.stop();
  }

  private forget(id: string, sink: string, view: DeliveryView): void {
    const byName = this.deliveries.get(id);
    if (byName?.get(sink) !== view) return;
    byName.delete(sink);
    if (byName.size === 0) this.deliveries.delete(id);
  }
}
