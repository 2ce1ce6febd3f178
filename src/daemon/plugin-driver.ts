import os from 'node:os';
import type { ContainerInfo } from '../container-info.js';
import { parseContainerOptions } from '../router/container-options.js';
import type { RotationPolicy } from '../config/json-file-options.js';
import { FrameEncoder } from '../codec/frame-encoder.js';
import { tslogsError } from '../errors.js';
import type { ReadLogsRequest, StartLoggingRequest } from '../protocol/messages.js';
import type { LogDriver } from '../protocol/log-driver.js';
import { Router } from '../router/router.js';
import { NO_ROUTES, type RouteChanges, type RouteTable } from '../router/routes.js';
import { BUILTIN_SINKS, type SinkRegistry } from '../sinks/registry.js';
import { loadInfo, saveInfo } from '../store/container-info-file.js';
import { ContainerLog } from '../store/container-log.js';
import { deleteContainerStore } from '../store/container-removal.js';
import { parseRfc3339 } from '../go/time.js';
import { CONTAINER_ID, containerDir, currentLogPath, storedContainers } from '../store/layout.js';
import { type Instant, type ReadOptions, readEntries } from '../store/reader.js';
import { bareName, shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { FifoIngest } from './fifo-ingest.js';
import type { IngestView } from './metrics.js';
import { SessionFiles, SessionSaver } from './session-file.js';

export interface DriverOptions {
  root: string;
  log: Logger;
  registry?: SinkRegistry;
  hostname?: string;
}

/** Docker's zero time.Time, sent for "no bound" (docs/docker-compat.md §4.8). */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

interface Session {
  ingest: FifoIngest;
  containerId: string;
  containerName: string;
  drainTimeoutMs: number;
}

/**
 * The log driver: one FifoIngest per logging FIFO, one ContainerLog per container
 * (shared by every session and reader of it), and the router's deliveries reading
 * each container's store for its sinks.
 */
export class PluginDriver implements LogDriver {
  private readonly sessions = new Map<string, Session>();
  private readonly draining = new Set<Session>();
  /** Ingest counts of finished sessions, per container, for metrics. */
  private readonly ingestTotals = new Map<string, IngestView>();
  /** Write failures of the stores forgotten since (a stopped container's), so the counter never goes back. */
  private readonly pastWriteFailures = new Map<string, number>();
  private readonly logs = new Map<string, ContainerLog>();
  private readonly sessionFiles: SessionFiles;
  private readonly sessionSaver: SessionSaver;
  private readonly startListeners: ((containerId: string) => void)[] = [];
  private readonly registry: SinkRegistry;
  private readonly hostname: string;
  /** The routes file's routes as last loaded (daemon/routes-reloader.ts). */
  private routeTable: RouteTable = NO_ROUTES;
  readonly router: Router;

  /** The store's root (the CLI API lists its containers). */
  get root(): string {
    return this.options.root;
  }

  constructor(private readonly options: DriverOptions) {
    this.registry = options.registry ?? BUILTIN_SINKS;
    this.hostname = options.hostname ?? os.hostname();
    this.sessionFiles = new SessionFiles(options.root);
    this.sessionSaver = new SessionSaver(this.sessionFiles);
    this.router = new Router({
      logPath: (id) => currentLogPath(options.root, id),
      checkpointDir: (id) => containerDir(options.root, id),
      hostname: this.hostname,
      registry: this.registry,
      log: options.log,
      live: (id) => this.logs.get(id),
      routes: () => this.routeTable,
    });
  }

  get routes(): RouteTable {
    return this.routeTable;
  }

  /** New routes (a reload): containers start with them from now on, and the deliveries whose route changed reopen. */
  setRoutes(routes: RouteTable): RouteChanges {
    this.routeTable = routes;
    return this.router.applyRoutes(routes);
  }

  /** After a restart: reopen the FIFOs dockerd still writes to, and resume unfinished deliveries. */
  async resume(): Promise<void> {
    for (const request of this.sessionFiles.load()) {
      try {
        await this.open(request, false);
        this.containerLog(request.Info).info(`resumed logging container ${shortId(request.Info.ContainerID)} from ${request.File}`);
      } catch (err) {
        this.containerLog(request.Info).error(`cannot resume ${request.File}: ${(err as Error).message}`);
        this.forgetSession(request.File);
      }
    }
    for (const id of storedContainers(this.options.root)) {
      const info = loadInfo(this.options.root, id);
      if (info !== undefined) this.router.resume(info);
    }
  }

  async startLogging(request: StartLoggingRequest): Promise<void> {
    await this.open(request, true);
  }

  /**
   * `fresh`: a StartLogging (not a resume), so the session is saved and the sink checks
   * that must pass before a container starts are awaited. On failure nothing is left
   * behind: no descriptor, no writer, no session, no delivery.
   */
  private async open(request: StartLoggingRequest, fresh: boolean): Promise<void> {
    const { File, Info } = request;
    const id = checkId(Info);
    const logger = this.containerLog(Info);
    const options = parseContainerOptions(Info, this.registry, logger, this.hostname, this.routeTable);
    const known = this.logs.get(id);
    const log = known ?? this.openLog(id, options.store.policy, options.store.attrsJson, logger);
    // Synchronous up to the router's start: the ingest attaches as the writer, then the
    // deliveries' streams pin the store, all before the first FIFO read is processed.
    const transforms = options.router.transforms;
    const ingest = new FifoIngest(File, log, logger, transforms?.redactStore === true ? transforms.redactor : undefined);
    try {
      ingest.start();
    } catch (err) {
      if (known === undefined) this.logs.delete(id);
      throw err;
    }
    try {
      saveInfo(this.options.root, Info);
      if (fresh) this.sessionSaver.save(request, logger);
    } catch (err) {
      ingest.close();
      throw err;
    }
    const started = this.router.start(Info, options);
    if (fresh) {
      try {
        await started;
      } catch (err) {
        ingest.close(); // dockerd writes nothing before StartLogging succeeds
        if (!this.sessions.has(File)) this.forgetSession(File);
        throw err;
      }
    } else {
      started.catch(() => undefined);
    }
    this.sessions.get(File)?.ingest.close();
    this.sessions.set(File, { ingest, containerId: id, containerName: bareName(Info.ContainerName), drainTimeoutMs: options.router.drainTimeoutMs });
    for (const listener of this.startListeners) listener(id);
  }

  /** `listener` is called each time a container starts logging (a StartLogging, or a resumed session). */
  onStart(listener: (containerId: string) => void): void {
    this.startListeners.push(listener);
  }

  /** The log for one container's ingest, store and options. */
  private containerLog(info: ContainerInfo): Logger {
    return this.options.log.child({ container: shortId(info.ContainerID) });
  }

  /** Must not fail a StopLogging or a start: a session file left behind is dropped once its FIFO is gone. */
  private forgetSession(fifo: string): void {
    this.sessionSaver.forget(fifo);
    try {
      this.sessionFiles.remove(fifo);
    } catch (err) {
      this.options.log.warn((err as Error).message);
    }
  }

  private openLog(id: string, policy: RotationPolicy, attrsJson: string | undefined, logger: Logger): ContainerLog {
    const log = new ContainerLog(this.options.root, id, policy, attrsJson, logger);
    this.logs.set(id, log);
    // Forget a stopped container; readers still holding the object finish with it.
    log.on('idle', () => {
      if (this.logs.get(id) === log && !log.live) {
        this.logs.delete(id);
        this.pastWriteFailures.set(id, (this.pastWriteFailures.get(id) ?? 0) + log.writeFailures);
      }
    });
    return log;
  }

  stopLogging(file: string): void {
    const session = this.sessions.get(file);
    if (session === undefined) {
      this.options.log.warn(tslogsError('TSLOGS_UNKNOWN_FIFO', file).message);
      return;
    }
    // dockerd closes its end only after our answer; keep draining to EOF in the background.
    this.sessions.delete(file);
    this.draining.add(session);
    void session.ingest.whenDone().then(() => {
      this.draining.delete(session);
      const total = this.ingestTotals.get(session.containerId) ?? { containerId: session.containerId, containerName: session.containerName, entries: 0, bytes: 0, redacted: 0, badFrames: 0, writeFailures: 0 };
      total.entries += session.ingest.entries;
      total.bytes += session.ingest.bytes;
      total.badFrames += session.ingest.badFrames;
      total.redacted += session.ingest.redacted;
      this.ingestTotals.set(session.containerId, total);
      // Closed by a shutdown before EOF: keep the session so the next start drains the rest.
      if (session.ingest.reachedEof) this.forgetSession(file);
      this.router.stopped(session.containerId, session.drainTimeoutMs);
    });
  }

  /** Validates at once (a bad request is answered before the stream starts), then streams. */
  readLogs({ Info, Config }: ReadLogsRequest, signal: AbortSignal): AsyncIterable<Buffer> {
    const id = checkId(Info);
    const options = {
      since: bound(Config.Since),
      until: bound(Config.Until),
      tail: Config.Tail,
      follow: Config.Follow,
    };
    return this.frames(id, options, signal);
  }

  private async *frames(id: string, options: ReadOptions, signal: AbortSignal): AsyncIterable<Buffer> {
    const encoder = new FrameEncoder();
    const live = this.logs.get(id);
    for await (const batch of readEntries(currentLogPath(this.options.root, id), options, live, signal)) {
      for (const e of batch) encoder.add({ source: e.source, sec: e.sec, nsec: e.nsec, line: e.line, partial: false, meta: undefined }, e.newline);
      yield encoder.take();
    }
  }

  /** Ingest counts per container: finished sessions plus the ones still reading. */
  ingestViews(): IngestView[] {
    const views = new Map([...this.ingestTotals].map(([id, v]) => [id, { ...v }]));
    for (const s of [...this.sessions.values(), ...this.draining]) {
      const view = views.get(s.containerId) ?? { containerId: s.containerId, containerName: s.containerName, entries: 0, bytes: 0, redacted: 0, badFrames: 0, writeFailures: 0 };
      view.entries += s.ingest.entries;
      view.bytes += s.ingest.bytes;
      view.badFrames += s.ingest.badFrames;
      view.redacted += s.ingest.redacted;
      views.set(s.containerId, view);
    }
    // Write failures are the store's, which outlives sessions.
    for (const view of views.values()) {
      view.writeFailures = (this.pastWriteFailures.get(view.containerId) ?? 0) + (this.logs.get(view.containerId)?.writeFailures ?? 0);
    }
    return [...views.values()];
  }

  /** Containers whose writes the disk refuses now (ingest paused for them), with the error. */
  blockedWrites(): { containerId: string; error: string }[] {
    const out: { containerId: string; error: string }[] = [];
    for (const [id, log] of this.logs) if (log.blocked !== undefined) out.push({ containerId: id, error: log.blocked.message });
    return out;
  }

  /** Containers with a logging session: running, or draining what dockerd wrote before it stopped. */
  liveContainers(): Set<string> {
    return new Set([...this.sessions.values(), ...this.draining].map((s) => s.containerId));
  }

  /** Containers whose deliveries are still sending (a stopped container's backlog). */
  deliveringContainers(): Set<string> {
    return new Set(this.router.views().map((v) => v.containerId));
  }

  /**
   * Deletes everything kept for a removed container: its store (log files, info,
   * checkpoints), its session files and its counters. Refused (false) while it logs or
   * delivers, which a removed container does not, unless it was removed a moment ago.
   */
  async prune(id: string): Promise<boolean> {
    if (this.liveContainers().has(id) || this.deliveringContainers().has(id)) return false;
    const log = this.logs.get(id);
    if (log !== undefined) {
      if (log.live) return false;
      await log.settled(); // a rotated file may still be being compressed
      this.logs.delete(id);
    }
    this.ingestTotals.delete(id);
    this.sessionFiles.removeContainer(id);
    deleteContainerStore(this.options.root, id);
    return true;
  }

  /**
   * Stops ingest (what was read is written), stops deliveries (checkpoints hold what
   * was acknowledged) and waits for rotated files to be compressed. Session files stay:
   * the next start resumes those FIFOs.
   */
  async shutdown(): Promise<void> {
    this.sessionSaver.flush(this.options.log);
    await this.router.shutdown();
    const all = [...this.sessions.values(), ...this.draining].map((s) => s.ingest);
    for (const ingest of all) ingest.close();
    await Promise.all(all.map((i) => i.whenDone()));
    await Promise.all([...this.logs.values()].map((l) => l.settled()));
  }
}

function checkId(info: ContainerInfo): string {
  if (!CONTAINER_ID.test(info.ContainerID)) throw tslogsError('TSLOGS_BAD_CONTAINER_ID', info.ContainerID);
  return info.ContainerID;
}

function bound(value: string): Instant | undefined {
  if (value === '' || value === GO_ZERO_TIME) return undefined;
  return parseRfc3339(value);
}
