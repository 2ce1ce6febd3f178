import fs from 'node:fs';
import path from 'node:path';

// Docker's json-file layout (docs/docker-compat.md §6.1), so tools that read Docker's logs read ours:
// <root>/containers/<id>/<id>-json.log, rotated as .1 (newest) … .N-1, optionally .gz.

export const DEFAULT_ROOT = '/var/lib/tslogs';

export function containerDir(root: string, containerId: string): string {
  return path.join(root, 'containers', containerId);
}

export function currentLogPath(root: string, containerId: string): string {
  return path.join(containerDir(root, containerId), `${containerId}-json.log`);
}

export function rotatedLogPath(current: string, index: number, compressed: boolean): string {
  return `${current}.${index}${compressed ? '.gz' : ''}`;
}

/**
 * Modes of the store, set with chmod after creation because the umask would change
 * them (under umask 000 any local user could read every log). Files holding sink
 * secrets (container info, sessions) are owner-only.
 */
export const STORE_DIR_MODE = 0o750;
export const STORE_FILE_MODE = 0o640;
export const SECRET_DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;

/** mkdir -p, then the exact mode on `dir` (and on the parents it created). */
export function makeDir(dir: string, mode = STORE_DIR_MODE): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode });
  if (first === undefined) return fs.chmodSync(dir, mode);
  for (let d = dir; ; d = path.dirname(d)) {
    fs.chmodSync(d, mode);
    if (d === first || d === path.dirname(d)) break;
  }
}

export const CONTAINER_ID = /^[0-9a-f]{64}$/;

/** IDs of the containers that have a directory in the store. */
export function storedContainers(root: string): string[] {
  try {
    return fs.readdirSync(path.join(root, 'containers')).filter((d) => CONTAINER_ID.test(d));
  } catch {
    return [];
  }
}
