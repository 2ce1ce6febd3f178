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

  /** Sessions whose FIFO still exists; the others are forgotten. */
  load(): StartLoggingRequest[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const sessions: StartLoggingRequest[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        const request = JSON.parse(fs.readFileSync(file, 'utf8')) as StartLoggingRequest;
        if (fs.statSync(request.File).isFIFO()) {
          sessions.push(request);
          continue;
        }
      } catch {
        // unreadable, or the FIFO is gone: nothing to resume
      }
      fs.rmSync(file, { force: true });
    }
    return sessions;
  }

  private fileFor(fifo: string): string {
    return path.join(this.dir, createHash('sha1').update(fifo).digest('hex') + '.json');
  }
}
