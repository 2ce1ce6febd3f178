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

export const CONTAINER_ID = /^[0-9a-f]{64}$/;

/** IDs of the containers that have a directory in the store. */
export function storedContainers(root: string): string[] {
  try {
    return fs.readdirSync(path.join(root, 'containers')).filter((d) => CONTAINER_ID.test(d));
  } catch {
    return [];
  }
}
