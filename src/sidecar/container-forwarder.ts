// One forwarded container: its watcher (the LiveLog its readers follow) and the
// router's deliveries for it, started, restarted after a gap and finished on removal.
import type { ContainerInfo } from '../container-info.js';
import type { ContainerOptions } from '../router/container-options.js';
import type { StartAt } from '../router/delivery.js';
import type { DeliveryView, Router } from '../router/router.js';
import { bareName, shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { DockerLogWatcher } from './log-watcher.js';

export interface ForwarderContext {
  router: Router;
  pollMs: number;
  /** Bound to the container. */
  log: Logger;
}

export class ContainerForwarder {
  readonly watcher: DockerLogWatcher;
  private resyncing = false;
  private removed = false;
  /** Shutting down: no delivery is started any more. */
  private closed = false;

  constructor(
    readonly info: ContainerInfo,
    readonly options: ContainerOptions,
    /** Where deliveries without a checkpoint begin. */
    readonly startAt: StartAt,
    dir: string,
    maxFile: number,
    running: boolean,
    private readonly ctx: ForwarderContext,
  ) {
    this.watcher = new DockerLogWatcher(dir, info.ContainerID, maxFile, running, {
      resync: () => this.resync(),
      runningChanged: (now) => {
        if (now) this.startDeliveries();
        else this.ctx.router.stopped(this.id, this.options.router.drainTimeoutMs);
      },
      log: ctx.log,
    });
  }

  get id(): string {
    return this.info.ContainerID;
  }

  get name(): string {
    return bareName(this.info.ContainerName);
  }

  start(): void {
    this.watcher.start(this.ctx.pollMs);
    this.startDeliveries();
  }

  hasDeliveries(): boolean {
    return this.views().length > 0;
  }

  /** A running container without deliveries (one ended as the container restarted) gets them again. */
  reconcile(hasDeliveries: boolean): void {
    if (!this.removed && !this.closed && !this.resyncing && this.watcher.live && !hasDeliveries) this.startDeliveries();
  }

  /**
   * Starts the deliveries this container does not have. Readers open the files in the
   * router's start; if dockerd rotated while they did (the current file's inode changed
   * around it), one may have skipped a file: those are restarted from their checkpoints.
   */
  startDeliveries(): void {
    if (this.resyncing || this.removed || this.closed) return;
    this.watcher.check();
    if (this.resyncing) return;
    const before = this.watcher.inode;
    const had = new Set(this.views());
    this.ctx.router.start(this.info, this.options).catch((err: Error) => {
      this.ctx.log.error(`container ${shortId(this.id)} (${this.name}): deliveries not started: ${err.message}`);
    });
    if (this.watcher.inodeNow() !== before) this.resync(this.views().filter((v) => !had.has(v)));
  }

  /** Stops deliveries now (synchronously; all of this container's by default) and starts them again from their checkpoints. */
  resync(views: DeliveryView[] = this.views()): void {
    if (this.resyncing || this.removed || this.closed) return;
    this.resyncing = true;
    this.ctx.log.debug(`container ${shortId(this.id)} (${this.name}): dockerd rotated while its readers opened the files; restarting ${views.length} deliveries from their checkpoints`);
    for (const view of views) view.delivery.stop();
    void until(() => !this.ctx.router.views().some((v) => views.includes(v))).then(() => {
      this.resyncing = false;
      this.startDeliveries();
    });
  }

  private views(): DeliveryView[] {
    return this.ctx.router.views().filter((v) => v.containerId === this.id);
  }

  /** The container was removed: readers finish the files they hold open; resolves once every delivery ended. */
  async remove(): Promise<void> {
    this.removed = true;
    this.watcher.removedNow();
    this.ctx.router.stopped(this.id, this.options.router.drainTimeoutMs);
    await until(() => !this.hasDeliveries());
  }

  /** Starts no more deliveries (shutdown); the running ones are the router's to stop. */
  stopStarting(): void {
    this.closed = true;
  }

  close(): void {
    this.closed = true;
    this.watcher.close();
  }
}

export async function until(check: () => boolean, intervalMs = 20, timeoutMs = Infinity): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return true;
}
