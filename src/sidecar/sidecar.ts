// The sidecar: discovers the containers under Docker's container directory, picks
// those to forward, and routes each one's json-file through the same router and sinks
// as the plugin, with checkpoints in its own state directory.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../container-info.js';
import { type ContainerOptions, parseContainerOptions } from '../router/container-options.js';
import type { StartAt } from '../router/delivery.js';
import { Router } from '../router/router.js';
import type { SinkRegistry } from '../sinks/registry.js';
import { parseRfc3339 } from '../go/time.js';
import { shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { ContainerForwarder, until } from './container-forwarder.js';
import { type DockerContainer, readDockerContainer } from './docker-metadata.js';
import { Discovery } from './discovery.js';
import { Selection, type SelectionRules } from './selection.js';
import { StateDir } from './state-dir.js';

export interface SidecarParams {
  dockerDir: string;
  stateDir: string;
  /** Validated sink options (a `--log-opt` map), the token included. */
  sinkOptions: Record<string, string>;
  registry: SinkRegistry;
  rules: SelectionRules;
  startAt: StartAt;
  hostname: string;
  rescanMs: number;
  pollMs: number;
  /** Never forwarded: the sidecar's own container, when it runs in one. */
  selfId?: string | undefined;
  log: Logger;
}

const RECONCILE_MS = 1000;

export class Sidecar {
  readonly router: Router;
  readonly state: StateDir;
  private readonly forwarders = new Map<string, ContainerForwarder>();
  /** Containers looked at and not forwarded, with the reason. */
  private readonly skipped = new Map<string, string>();
  private readonly selection: Selection;
  private readonly discovery: Discovery;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(private readonly p: SidecarParams) {
    this.state = new StateDir(p.stateDir);
    this.selection = new Selection(p.rules);
    this.router = new Router({
      logPath: (id) => path.join(p.dockerDir, id, `${id}-json.log`),
      checkpointDir: (id) => this.state.containerDir(id),
      hostname: p.hostname,
      registry: p.registry,
      log: p.log,
      live: (id) => this.forwarders.get(id)?.watcher,
      startAt: (id) => this.forwarders.get(id)?.startAt ?? 'end',
    });
    this.discovery = new Discovery(p.dockerDir, p.rescanMs, {
      added: (id) => this.added(id),
      removed: (id) => this.removed(id),
      log: p.log,
    });
  }

  /** Opens the state directory and the Docker directory (throwing clear errors for either), then runs. */
  start(): void {
    this.state.open();
    this.discovery.start();
    const present = new Set(this.discovery.ids());
    for (const id of this.state.containers()) {
      if (present.has(id)) continue;
      if (this.state.hasCheckpoints(id)) {
        this.containerLog(id).error(`container ${shortId(id)} was removed while the sidecar was not running: lines it wrote after its checkpoint are gone with its files`);
      }
      this.state.forget(id);
    }
    // Not unref'd: everything else (watchers, timers) is, and this keeps the process alive until shutdown.
    this.reconcileTimer = setInterval(() => {
      const active = new Set(this.router.views().map((v) => v.containerId));
      for (const f of this.forwarders.values()) f.reconcile(active.has(f.id));
    }, RECONCILE_MS);
  }

  /** IDs of the containers being forwarded. */
  forwarded(): string[] {
    return [...this.forwarders.keys()];
  }

  /** Why a container is not forwarded (undefined when it is, or was never seen). */
  skipReason(id: string): string | undefined {
    return this.skipped.get(id);
  }

  /** Stops discovery and every delivery; resolves once batches in flight are acknowledged and checkpointed (or after timeoutMs). */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.discovery.stop();
    if (this.reconcileTimer !== undefined) clearInterval(this.reconcileTimer);
    for (const f of this.forwarders.values()) f.stopStarting();
    await this.router.shutdown();
    const done = await until(() => this.router.views().length === 0, 10, timeoutMs);
    for (const f of this.forwarders.values()) f.close();
    return done;
  }

  private added(id: string): boolean {
    const dir = path.join(this.p.dockerDir, id);
    let container: DockerContainer | undefined;
    try {
      container = readDockerContainer(dir, id);
    } catch (err) {
      this.skip(id, `its metadata cannot be read: ${(err as Error).message}`, true);
      return true;
    }
    if (container === undefined) return false; // dockerd is still creating it
    const reason = this.notForwarded(container);
    if (reason !== undefined) {
      this.skip(id, reason, false);
      return true;
    }
    const info: ContainerInfo = { ...container.info, Config: { ...this.p.sinkOptions } };
    let options: ContainerOptions;
    try {
      options = parseContainerOptions(info, this.p.registry, this.containerLog(id), this.p.hostname);
    } catch (err) {
      this.skip(id, `sink options rejected for it: ${(err as Error).message}`, true);
      return true;
    }
    // Rotation is dockerd's: readers pin at most its max-file files.
    options.store = { ...options.store, policy: { ...options.store.policy, maxFile: container.maxFile } };
    const forwarder = new ContainerForwarder(info, options, this.startAt(container), dir, container.maxFile, container.running, {
      router: this.router,
      pollMs: this.p.pollMs,
      log: this.containerLog(id),
    });
    this.forwarders.set(id, forwarder);
    this.containerLog(id).info(`forwarding container ${shortId(id)} (${forwarder.name}, ${container.running ? 'running' : 'not running'})`);
    forwarder.start();
    return true;
  }

  private notForwarded(container: DockerContainer): string | undefined {
    if (container.id === this.p.selfId) return 'it is the sidecar itself';
    if (container.logDriver !== 'json-file') return `its log driver is ${container.logDriver || 'unknown'}, not json-file`;
    return this.selection.reason(container.info);
  }

  /**
   * Containers there before this state directory's first start begin at `startAt`;
   * later ones (created while the sidecar runs, or while it was down) from their first line.
   */
  private startAt(container: DockerContainer): StartAt {
    try {
      const { sec, nsec } = parseRfc3339(container.info.ContainerCreated);
      if (sec * 1000 + nsec / 1e6 >= this.state.since) return 'beginning';
    } catch {
      // no creation time: fall back to the setting
    }
    return this.p.startAt;
  }

  private skip(id: string, reason: string, problem: boolean): void {
    this.skipped.set(id, reason);
    const message = `not forwarding container ${shortId(id)}: ${reason}`;
    if (problem) this.containerLog(id).warn(message);
    else this.containerLog(id).info(message);
  }

  private containerLog(id: string): Logger {
    return this.p.log.child({ container: shortId(id) });
  }

  private removed(id: string): void {
    this.skipped.delete(id);
    const forwarder = this.forwarders.get(id);
    if (forwarder === undefined) return;
    this.containerLog(id).info(`container ${shortId(id)} (${forwarder.name}) removed: finishing its backlog`);
    void forwarder.remove().then(() => {
      forwarder.close();
      if (this.forwarders.get(id) === forwarder) this.forwarders.delete(id);
      // A container ID never comes back: its checkpoints are of no further use.
      if (!fs.existsSync(path.join(this.p.dockerDir, id))) this.state.forget(id);
      this.containerLog(id).info(`container ${shortId(id)} (${forwarder.name}) finished and forgotten`);
    });
  }
}
