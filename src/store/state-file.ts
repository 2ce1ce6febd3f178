import fs from 'node:fs';
import path from 'node:path';
import { makeDir } from './layout.js';

/**
 * Writes a small state file whole or not at all (a temporary file renamed over it),
 * with exact modes whatever the umask.
 */
export function writeStateFile(file: string, data: string, modes: { dir: number; file: number }): void {
  const tmp = `${file}.tmp`;
  makeDir(path.dirname(file), modes.dir);
  fs.writeFileSync(tmp, data, { mode: modes.file });
  fs.chmodSync(tmp, modes.file); // a temporary file a crash left keeps its old mode
  fs.renameSync(tmp, file);
}
