import fs from 'node:fs';
import path from 'node:path';
import { tslogsError } from '../errors.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { makeDir } from './layout.js';

/**
 * Writes a small state file whole or not at all (a temporary file renamed over it),
 * with exact modes whatever the umask. Any failure (a full disk, something in the
 * way) throws a TslogsError naming the file: Node's write errors name none.
 */
export function writeStateFile(what: string, file: string, data: string, modes: { dir: number; file: number }): void {
  try {
    makeDir(path.dirname(file), modes.dir);
    writeFileAtomicSync(file, data, { mode: modes.file, exactMode: true });
  } catch (err) {
    const failure = tslogsError('TSLOGS_STATE_WRITE', what, file, (err as Error).message);
    failure.cause = err;
    throw failure;
  }
}

/** A write that failed because the disk (or the user's quota) is full: it may work later. */
export function isNoSpace(err: unknown): boolean {
  const code = ((err as Error | undefined)?.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function removeStateFile(what: string, file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch (err) {
    throw tslogsError('TSLOGS_STATE_REMOVE', what, file, (err as Error).message);
  }
}
