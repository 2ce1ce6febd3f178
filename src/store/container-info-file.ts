import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../container-info.js';
import { containerDir, SECRET_FILE_MODE, STORE_DIR_MODE } from './layout.js';
import { writeStateFile } from './state-file.js';

/**
 * The container's StartLogging Info, kept next to its log: names and labels for
 * `tslogs ls` and the CLI, options for resuming deliveries after a restart. It holds
 * sink secrets (a Splunk token): readable by root only, like Docker's hostconfig.json.
 */
export const INFO_FILE = 'tslogs-info.json';

/**
 * Written only when it changed: dockerd starts a logger of its own for `docker logs` of a
 * stopped container, and that must work on a full disk (RELIABILITY.md, faults through
 * the engine).
 */
export function saveInfo(root: string, info: ContainerInfo): void {
  const file = path.join(containerDir(root, info.ContainerID), INFO_FILE);
  const text = JSON.stringify(info);
  if (readIfPresent(file) === text) return;
  writeStateFile("the container's info file", file, text, { dir: STORE_DIR_MODE, file: SECRET_FILE_MODE });
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function loadInfo(root: string, id: string): ContainerInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(containerDir(root, id), INFO_FILE), 'utf8')) as ContainerInfo;
  } catch {
    return undefined;
  }
}
