// The sidecar's state directory:
//   <state>/sidecar.json                         {"since": <ms>}: when this state began
//   <state>/containers/<id>/checkpoints/<sink>.json   one cursor per container and sink
// Checkpoints are written by the router (write + fsync + rename) after the sink acknowledged.
import fs from 'node:fs';
import path from 'node:path';
import { tslogsError } from '../errors.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';

const CONTAINER_ID = /^[0-9a-f]{64}$/;

export class StateDir {
  /** Unix ms of the first start with this state directory. */
  since = 0;

  constructor(readonly root: string) {}

  /** Creates the directory (or checks it is writable) and reads or records the first start time. */
  open(now = Date.now()): void {
    const file = path.join(this.root, 'sidecar.json');
    try {
      fs.mkdirSync(path.join(this.root, 'containers'), { recursive: true, mode: 0o750 });
      fs.accessSync(this.root, fs.constants.W_OK);
    } catch (err) {
      throw tslogsError('TSLOGS_SIDECAR_STATE_DIR_UNWRITABLE', this.root, (err as Error).message);
    }
    try {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { since?: unknown };
      if (typeof saved.since === 'number' && Number.isFinite(saved.since)) {
        this.since = saved.since;
        return;
      }
    } catch {
      // first start (or an unreadable file: start over from now)
    }
    this.since = now;
    writeFileAtomicSync(file, JSON.stringify({ since: now, sinceText: new Date(now).toISOString() }) + '\n');
  }

  containerDir(id: string): string {
    return path.join(this.root, 'containers', id);
  }

  /** Containers with saved state. */
  containers(): string[] {
    try {
      return fs.readdirSync(path.join(this.root, 'containers')).filter((d) => CONTAINER_ID.test(d));
    } catch {
      return [];
    }
  }

  /** Whether any sink has a checkpoint for this container. */
  hasCheckpoints(id: string): boolean {
    try {
      return fs.readdirSync(path.join(this.containerDir(id), 'checkpoints')).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  }

  forget(id: string): void {
    fs.rmSync(this.containerDir(id), { recursive: true, force: true });
  }
}
