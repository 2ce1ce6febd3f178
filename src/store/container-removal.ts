// Deleting a removed container's store, and the marker that records since when it is
// known removed (kept across restarts, so a retention of days is not restarted by
// every daemon restart).
import fs from 'node:fs';
import path from 'node:path';
import { tslogsError } from '../errors.js';
import { containerDir, STORE_DIR_MODE, STORE_FILE_MODE } from './layout.js';
import { writeStateFile } from './state-file.js';

export const REMOVED_MARKER = 'tslogs-removed.json';
/** Not a container ID, so listings skip a directory being deleted. */
const DELETING_PREFIX = '.deleting-';

function markerFile(root: string, id: string): string {
  return path.join(containerDir(root, id), REMOVED_MARKER);
}

/** Since when (ms since the epoch) the container is known removed, if it is. */
export function readRemovedMarker(root: string, id: string): number | undefined {
  try {
    const since = (JSON.parse(fs.readFileSync(markerFile(root, id), 'utf8')) as { since?: unknown }).since;
    return typeof since === 'string' && Number.isFinite(Date.parse(since)) ? Date.parse(since) : undefined;
  } catch {
    return undefined;
  }
}

export function writeRemovedMarker(root: string, id: string, sinceMs: number): void {
  const data = JSON.stringify({ since: new Date(sinceMs).toISOString() }) + '\n';
  writeStateFile('the removed-container marker', markerFile(root, id), data, { dir: STORE_DIR_MODE, file: STORE_FILE_MODE });
}

export function removeRemovedMarker(root: string, id: string): void {
  fs.rmSync(markerFile(root, id), { force: true });
}

/**
 * Deletes a container's whole store directory (log files, info, checkpoints). It is
 * renamed out of the listing first, so a crash midway never leaves a half store that
 * looks like a container; what such a crash leaves is deleted by the next call.
 */
export function deleteContainerStore(root: string, id: string): void {
  const dir = containerDir(root, id);
  const doomed = path.join(path.dirname(dir), DELETING_PREFIX + id);
  try {
    fs.renameSync(dir, doomed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw tslogsError('TSLOGS_STATE_REMOVE', "a removed container's store", dir, (err as Error).message);
  }
  deleteLeftovers(root);
}

/** Directories a deletion interrupted by a crash left behind. */
export function deleteLeftovers(root: string): void {
  const parent = path.join(root, 'containers');
  let names: string[];
  try {
    names = fs.readdirSync(parent).filter((n) => n.startsWith(DELETING_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(parent, name);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      throw tslogsError('TSLOGS_STATE_REMOVE', "a removed container's store", dir, (err as Error).message);
    }
  }
}
