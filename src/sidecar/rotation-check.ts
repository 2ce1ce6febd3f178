// After dockerd replaced a container's current json-file, was it rotated exactly once?
// Readers that follow the file reopen it by name at a rotation; if dockerd rotated
// twice before the watcher noticed, that reopen would skip the file in between. Docker
// rotates by rename (`x-json.log` → `.1`, then `.1` → `.1.gz` when compressing), so the
// old file is at `.1` by inode, or at `.1.gz` by its first line (gzip makes a new file).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';

const HEAD = 64 * 1024;

/** Same identity as a reader's checkpoint (Segment.id): a hash of the first line. */
export function fingerprint(head: Buffer): string | undefined {
  const nl = head.indexOf(0x0a);
  if (nl < 0) return undefined;
  return createHash('sha1').update(head.subarray(0, nl)).digest('hex').slice(0, 20);
}

/** The first line's fingerprint of an open plain file. */
export function fingerprintOfFd(fd: number): string | undefined {
  const buf = Buffer.allocUnsafe(HEAD);
  const n = fs.readSync(fd, buf, 0, HEAD, 0);
  return fingerprint(buf.subarray(0, n));
}

/** The first line's fingerprint of a gzip file, decompressing only its beginning. */
export function fingerprintOfGzip(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.allocUnsafe(HEAD);
    const n = fs.readSync(fd, buf, 0, HEAD, 0);
    const out = zlib.gunzipSync(buf.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return fingerprint(out);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function inodeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}

/**
 * Whether the file the watcher had open (`oldFd`, inode `oldIno`) is now the newest
 * rotated file, i.e. nothing was rotated after it. With max-file=1 nothing is kept
 * (newer engines delete the file; 20.10 renames it to a `.1` nobody reads): there is
 * no file in between to miss either.
 */
export function rotatedOnce(current: string, oldFd: number, oldIno: number, maxFile: number): boolean {
  const plain = inodeOf(`${current}.1`);
  if (plain !== undefined) return plain === oldIno;
  if (fs.existsSync(`${current}.1.gz`)) {
    const old = fingerprintOfFd(oldFd);
    return old !== undefined && fingerprintOfGzip(`${current}.1.gz`) === old;
  }
  return maxFile <= 1;
}
