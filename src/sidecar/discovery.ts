// Finds container directories under Docker's container directory: fs.watch on it for
// prompt notice, and a full rescan every `rescanMs` as the fallback (inotify can be
// missing or out of watches). A directory whose metadata is not written yet (a container
// being created) is offered again shortly until it is.
import fs from 'node:fs';
import { tslogsError } from '../errors.js';
import type { Logger } from '../util/log.js';

const CONTAINER_ID = /^[0-9a-f]{64}$/;
/** Retry delay for a directory dockerd is still filling; after NOT_READY_FAST_MS only rescans retry it. */
const NOT_READY_RETRY_MS = 100;
const NOT_READY_FAST_MS = 10_000;

export interface DiscoveryHooks {
  /** A container directory appeared; false when it is not ready yet (offer it again later). */
  added(id: string): boolean;
  removed(id: string): void;
  log: Logger;
}

export class Discovery {
  private readonly known = new Set<string>();
  private readonly notReadySince = new Map<string, number>();
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private scheduled = false;
  private failing = false;
  private stopped = false;

  constructor(
    readonly dir: string,
    private readonly rescanMs: number,
    private readonly hooks: DiscoveryHooks,
  ) {}

  /** First scan now (throws a clear error when the directory cannot be read), then watching. */
  start(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw tslogsError('TSLOGS_SIDECAR_DOCKER_DIR_UNREADABLE', this.dir, e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' ? 'permission denied' : e.message);
    }
    this.apply(names);
    try {
      this.watcher = fs.watch(this.dir, { persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => {
        this.hooks.log.warn(`fs.watch on ${this.dir} failed (${err.message}); rescanning every ${this.rescanMs} ms`);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.hooks.log.warn(`fs.watch on ${this.dir} unavailable (${(err as Error).message}); rescanning every ${this.rescanMs} ms`);
    }
    this.timer = setInterval(() => this.scan(), this.rescanMs);
    this.timer.unref();
  }

  /** Container IDs present at the last scan. */
  ids(): string[] {
    return [...this.known];
  }

  scan(): void {
    if (this.stopped) return;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if (!this.failing) this.hooks.log.warn(`cannot read ${this.dir}: ${(err as Error).message}; retrying`);
      this.failing = true;
      return;
    }
    this.failing = false;
    this.apply(names);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.retry !== undefined) clearTimeout(this.retry);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.scan();
    });
  }

  private apply(names: string[]): void {
    const present = new Set(names.filter((n) => CONTAINER_ID.test(n)));
    let waiting = false;
    const now = Date.now();
    for (const id of present) {
      if (this.known.has(id)) continue;
      if (this.hooks.added(id)) {
        this.known.add(id);
        this.notReadySince.delete(id);
        continue;
      }
      const since = this.notReadySince.get(id) ?? now;
      this.notReadySince.set(id, since);
      if (now - since < NOT_READY_FAST_MS) waiting = true;
    }
    for (const id of this.notReadySince.keys()) if (!present.has(id)) this.notReadySince.delete(id);
    for (const id of [...this.known]) {
      if (present.has(id)) continue;
      this.known.delete(id);
      this.hooks.removed(id);
    }
    if (waiting && this.retry === undefined && !this.stopped) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.scan();
      }, NOT_READY_RETRY_MS);
      this.retry.unref();
    }
  }
}
