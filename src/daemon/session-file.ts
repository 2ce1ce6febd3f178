import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StartLoggingRequest } from '../protocol/messages.js';
import { SECRET_DIR_MODE, SECRET_FILE_MODE } from '../store/layout.js';
import { isNoSpace, removeStateFile, writeStateFile } from '../store/state-file.js';
import type { Logger } from '../util/log.js';

/**
 * Open logging sessions, saved so that a restarted daemon finds its FIFOs again:
 * dockerd keeps writing into them (docs/docker-compat.md §4.6) and a plugin that forgot them would
 * block those containers for good.
 */
export class SessionFiles {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'sessions');
  }

  save(request: StartLoggingRequest): void {
    writeStateFile('the session file', this.fileFor(request.File), JSON.stringify(request), { dir: SECRET_DIR_MODE, file: SECRET_FILE_MODE });
  }

  remove(fifo: string): void {
    removeStateFile('the session file', this.fileFor(fifo));
  }

  /** Containers with a saved session whose FIFO exists (as this process sees paths): logging now. */
  liveContainers(): Set<string> {
    const ids = new Set<string>();
    for (const [, request] of this.readAll()) {
      if (typeof request?.Info?.ContainerID !== 'string') continue;
      try {
        if (fs.statSync(request.File).isFIFO()) ids.add(request.Info.ContainerID);
      } catch {
        // its FIFO is gone: a session a shutdown left behind
      }
    }
    return ids;
  }

  /** Every saved session of a container (a removed one leaves none behind). */
  removeContainer(containerId: string): void {
    for (const [file, request] of this.readAll()) {
      if (request?.Info?.ContainerID === containerId) removeStateFile('the session file', file);
    }
  }

  /** Sessions whose FIFO still exists; the others are forgotten. */
  load(): StartLoggingRequest[] {
    const sessions: StartLoggingRequest[] = [];
    for (const [file, request] of this.readAll()) {
      try {
        if (request !== undefined && fs.statSync(request.File).isFIFO()) {
          sessions.push(request);
          continue;
        }
      } catch {
        // the FIFO is gone: nothing to resume
      }
      fs.rmSync(file, { force: true });
    }
    return sessions;
  }

  private readAll(): [string, StartLoggingRequest | undefined][] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.map((name) => {
      const file = path.join(this.dir, name);
      try {
        return [file, JSON.parse(fs.readFileSync(file, 'utf8')) as StartLoggingRequest];
      } catch {
        return [file, undefined];
      }
    });
  }

  private fileFor(fifo: string): string {
    return path.join(this.dir, createHash('sha1').update(fifo).digest('hex') + '.json');
  }
}

/**
 * Saves a session at StartLogging, or, when the store's disk is full, once it has room:
 * the container starts and waits for the disk like any write of its log (refusing it
 * would also refuse dockerd's own logger for `docker logs` of a stopped container). Until
 * the file lands a daemon killed with SIGKILL would not reopen that FIFO.
 */
export class SessionSaver {
  private readonly pending = new Map<string, StartLoggingRequest>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: SessionFiles,
    private readonly retryMs = 1000,
  ) {}

  save(request: StartLoggingRequest, log: Logger): void {
    try {
      this.files.save(request);
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      log.warn(`${(err as Error).message}; the container logs on and its session is saved once there is room (a daemon killed before then would not find this FIFO again)`);
      this.pending.set(request.File, request);
      this.timer ??= setInterval(() => this.retry(), this.retryMs).unref();
    }
  }

  /** The session ended: nothing to save any more. */
  forget(fifo: string): void {
    this.pending.delete(fifo);
    if (this.pending.size === 0) this.stop();
  }

  /** At shutdown: a last try, and a warning for each session the next start will not resume. */
  flush(log: Logger): void {
    this.retry();
    this.stop();
    for (const fifo of this.pending.keys()) log.warn(`the session for ${fifo} could not be saved (the store's disk is full): the next start will not reopen it`);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private retry(): void {
    for (const [fifo, request] of this.pending) {
      try {
        this.files.save(request);
      } catch {
        return; // still no room: the next tick tries again
      }
      this.pending.delete(fifo);
    }
    this.stop();
  }
}
