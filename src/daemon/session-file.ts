import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StartLoggingRequest } from '../protocol/messages.js';
import { SECRET_DIR_MODE, SECRET_FILE_MODE } from '../store/layout.js';
import { removeStateFile, writeStateFile } from '../store/state-file.js';

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
