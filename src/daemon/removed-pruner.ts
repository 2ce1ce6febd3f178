// Every interval: which stored containers were removed (RemovalTracker), then delete
// their store, checkpoints and session once the retention is over. Nothing is deleted
// on doubt: an unreadable or wrong containers directory turns pruning off, with one
// warning naming the setting to fix, until a check trusts it again.
import fs from 'node:fs';
import path from 'node:path';
import { tslogsError } from '../errors.js';
import { deleteLeftovers, readRemovedMarker, removeRemovedMarker, writeRemovedMarker } from '../store/container-removal.js';
import { CONTAINER_ID, storedContainers } from '../store/layout.js';
import { shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { type RemovalDecision, RemovalTracker } from './removal-tracker.js';

/** What the pruner needs of the driver. */
export interface PruneTarget {
  readonly root: string;
  liveContainers(): Set<string>;
  deliveringContainers(): Set<string>;
  /** false: it logs or delivers again, keep it. */
  prune(id: string): Promise<boolean>;
}

export interface PrunerSettings {
  /** ms kept after removal. */
  retainMs: number;
  dockerContainers: string;
  intervalMs: number;
}

/** For metrics. */
export interface PrunerView {
  /** Checks done (each reads the store and dockerd's directory). */
  checks: number;
  pruned: number;
  /** Removed containers still kept (retention, or a backlog still being delivered). */
  kept: number;
  /** 1 when the last check trusted dockerd's directory. */
  enabled: boolean;
}

export class RemovedContainersPruner {
  readonly view: PrunerView = { checks: 0, pruned: 0, kept: 0, enabled: false };
  private readonly tracker: RemovalTracker;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  /** The warning given for the current distrust, so it is given once. */
  private warned: string | undefined;
  /** Containers already reported as kept, so each is reported once. */
  private readonly reportedKept = new Set<string>();
  private readError: Error | undefined;

  constructor(
    private readonly target: PruneTarget,
    private readonly settings: PrunerSettings,
    private readonly log: Logger,
  ) {
    this.tracker = new RemovalTracker(settings.retainMs);
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.settings.intervalMs);
    this.timer.unref();
    void this.check();
  }

  /** Called by the driver when a container starts logging. */
  containerStarted(id: string): void {
    const dir = this.settings.dockerContainers;
    try {
      fs.statSync(dir);
    } catch {
      return; // unreadable: the next check says so
    }
    this.tracker.started(fs.existsSync(path.join(dir, id)));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One check; overlapping calls share the one running. */
  check(): Promise<void> {
    this.checking ??= this.run().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async run(): Promise<void> {
    try {
      await this.act(this.decide());
    } catch (err) {
      this.log.error(`pruning removed containers: ${(err as Error).message}`);
    } finally {
      this.view.checks++;
    }
  }

  private decide(): RemovalDecision {
    const root = this.target.root;
    deleteLeftovers(root);
    // The store first: a container stored by then had its dockerd directory before (docker create comes first).
    const stored = storedContainers(root);
    const marked = new Map<string, number>();
    if (this.settings.retainMs > 0) {
      for (const id of stored) {
        const since = readRemovedMarker(root, id);
        if (since !== undefined) marked.set(id, since);
      }
    }
    const docker = listDockerContainers(this.settings.dockerContainers);
    this.readError = docker instanceof Error ? docker : undefined;
    return this.tracker.check({
      stored,
      docker,
      live: this.target.liveContainers(),
      delivering: this.target.deliveringContainers(),
      marked,
      now: Date.now(),
    });
  }

  private async act(d: RemovalDecision): Promise<void> {
    this.view.enabled = d.trusted;
    this.view.kept = d.kept.length;
    this.report(d);
    const root = this.target.root;
    for (const id of d.unmark) removeRemovedMarker(root, id);
    for (const { id, since } of d.mark) {
      writeRemovedMarker(root, id, since);
      this.log.info({ container: shortId(id) }, `container ${shortId(id)} was removed: its logs are kept for ${this.settings.retainMs / 1000}s (TSLOGS_RETAIN_REMOVED)`);
    }
    for (const id of d.kept) {
      if (this.reportedKept.has(id) || d.mark.some((m) => m.id === id)) continue;
      this.reportedKept.add(id);
      this.log.info({ container: shortId(id) }, `container ${shortId(id)} was removed: its logs are kept until its sinks have received them`);
    }
    for (const id of d.prune) {
      if (!(await this.target.prune(id))) continue;
      this.view.pruned++;
      this.reportedKept.delete(id);
      this.log.info({ container: shortId(id) }, `container ${shortId(id)} was removed: deleted its logs, checkpoints and session`);
    }
  }

  private report(d: RemovalDecision): void {
    if (d.reason === 'unreadable' || d.reason === 'no-live-container-listed') {
      const message = this.distrustMessage(d.reason);
      if (this.warned !== d.reason) this.log.warn(message);
      this.warned = d.reason;
    } else if (d.trusted && this.warned !== undefined) {
      this.warned = undefined;
      this.log.info(`pruning removed containers again: ${this.settings.dockerContainers} lists the containers logging now`);
    }
  }

  private distrustMessage(reason: 'unreadable' | 'no-live-container-listed'): string {
    const dir = this.settings.dockerContainers;
    if (reason === 'no-live-container-listed') return tslogsError('TSLOGS_PRUNE_WRONG_DIR', dir).message;
    return tslogsError('TSLOGS_PRUNE_UNREADABLE', dir, this.readError?.message ?? 'unknown error').message;
  }
}

/** Container IDs with a directory in dockerd's containers directory, or why it cannot be read. */
export function listDockerContainers(dir: string): Set<string> | Error {
  try {
    return new Set(fs.readdirSync(dir).filter((n) => CONTAINER_ID.test(n)));
  } catch (err) {
    return err as Error;
  }
}
