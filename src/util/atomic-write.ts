import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file whole or not at all: a temporary file beside it is written and
 * fsynced, renamed over it, then the directory is fsynced so the rename itself
 * survives a power loss. A crash leaves the old or the new content, never a torn one.
 */
export interface AtomicWriteOptions {
  /** The mode the file is created with (the umask applies). */
  mode?: number;
  /** Sets `mode` exactly, whatever the umask or the mode of a temporary file a crash left. */
  exactMode?: boolean;
  /**
   * false skips the directory fsync, for a caller for whom a rename lost to a crash
   * costs nothing it does not already allow (the previous content stays whole).
   */
  syncDirectory?: boolean;
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w', options.mode);
    try {
      if (options.exactMode === true && options.mode !== undefined) fs.fchmodSync(fd, options.mode);
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
  if (options.syncDirectory !== false) syncDirectorySync(path.dirname(file));
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const tmp = `${file}.tmp`;
  try {
    const handle = await fs.promises.open(tmp, 'w', options.mode);
    try {
      if (options.exactMode === true && options.mode !== undefined) await handle.chmod(options.mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
  if (options.syncDirectory !== false) {
    const dir = await fs.promises.open(path.dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function syncDirectorySync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // what is in the way stays; the caller's error names the file
  }
}
