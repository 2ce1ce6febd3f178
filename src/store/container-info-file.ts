import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../config/container-info.js';
import { containerDir } from './layout.js';

/**
 * The container's StartLogging Info, kept next to its log: names and labels for
 * `tslogs ls` and the CLI, options for resuming deliveries after a restart. It holds
 * sink secrets (a Splunk token): readable by root only, like Docker's hostconfig.json.
 */
export const INFO_FILE = 'tslogs-info.json';

export function saveInfo(root: string, info: ContainerInfo): void {
  const dir = containerDir(root, info.ContainerID);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = path.join(dir, INFO_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function loadInfo(root: string, id: string): ContainerInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(containerDir(root, id), INFO_FILE), 'utf8')) as ContainerInfo;
  } catch {
    return undefined;
  }
}
