import path from 'node:path';

// Docker's json-file layout (spec §6.1), so tools that read Docker's logs read ours:
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
