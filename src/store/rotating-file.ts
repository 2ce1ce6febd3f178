import fs from 'node:fs';
import { promisify } from 'node:util';
import type { RotationPolicy } from '../config/json-file-options.js';
import { tslogsError } from '../errors.js';
import type { Logger } from '../util/log.js';
import { gzipWithLastTime } from './gzip-with-last-time.js';
import { rotatedLogPath, STORE_FILE_MODE } from './layout.js';

const readFd = promisify((fd: number, cb: (err: NodeJS.ErrnoException | null, data: Buffer) => void) => fs.readFile(fd, cb));


/**
 * The current json-file of one container, appended with synchronous writes (a
 * batch per FIFO read keeps the syscall count low, and a synchronous write keeps
 * ordering trivial), rotated with Docker's naming (docs/docker-compat.md §6.6).
 *
 * Rotated files are compressed in the background. Rotation never waits for that:
 * each rotated file is known by its generation, and a compression job works out
 * where its file has moved to when it finishes.
 */
export class RotatingFile {
  private fd = -1;
  /** Bytes in the current file. */
  size = 0;
  /** Rotations since this writer opened; the rotated file `.i` holds generation `rotations - i + 1`. */
  private rotations = 0;
  private compressing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    readonly policy: RotationPolicy,
    private readonly log: Logger,
  ) {}

  open(): void {
    this.fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, STORE_FILE_MODE);
    fs.fchmodSync(this.fd, STORE_FILE_MODE); // the umask must not widen (or narrow) it
    this.size = fs.fstatSync(this.fd).size;
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  /**
   * Writes all of `data`; returns how many bytes were written before an error
   * (the caller keeps the rest and retries), or data.length.
   */
  write(data: Buffer): { written: number; error?: Error } {
    let written = 0;
    while (written < data.length) {
      try {
        written += fs.writeSync(this.fd, data, written, data.length - written);
      } catch (err) {
        this.size += written;
        return { written, error: tslogsError('TSLOGS_WRITE_FAILED', this.path, (err as Error).message) };
      }
    }
    // O_APPEND wrote it at the end, wherever that was: something else may have appended
    // too (it should not happen), and readers given offsets and limits from `size` must
    // see the file as it is, not as our own count says.
    this.size = fs.fstatSync(this.fd).size;
    return { written };
  }

  /** Whether appending `pending` more bytes must first rotate (Docker checks the size before each write). */
  mustRotate(pending: number): boolean {
    return this.size + pending >= this.policy.maxSize;
  }

  /** Renames the current file away and starts a new one; `lastTime` is the last entry's time. */
  rotate(lastTime: string): void {
    const { maxFile, compress } = this.policy;
    fs.closeSync(this.fd);
    this.fd = -1;
    if (maxFile <= 1) {
      // Newer engines unlink here; 20.10 renamed to a never-read `.1`, doubling disk use.
      unlinkIfPresent(this.path);
    } else {
      for (const gz of [false, true]) unlinkIfPresent(rotatedLogPath(this.path, maxFile - 1, gz));
      for (let i = maxFile - 1; i > 1; i--) {
        for (const gz of [false, true]) renameIfPresent(rotatedLogPath(this.path, i - 1, gz), rotatedLogPath(this.path, i, gz));
      }
      fs.renameSync(this.path, rotatedLogPath(this.path, 1, false));
      this.rotations++;
      if (compress) this.scheduleCompression(this.rotations, lastTime);
    }
    this.open();
  }

  /** Resolves when every compression scheduled so far is done. */
  settled(): Promise<void> {
    return this.compressing;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private indexOf(generation: number): number {
    return this.rotations - generation + 1;
  }

  private scheduleCompression(generation: number, lastTime: string): void {
    this.compressing = this.compressing.then(() =>
      this.compress(generation, lastTime).catch((err: Error) => this.log.warn(`compressing a rotated log of ${this.path} failed: ${err.message}`)),
    );
  }

  private async compress(generation: number, lastTime: string): Promise<void> {
    if (this.indexOf(generation) >= this.policy.maxFile) return; // already rotated out
    // Opened synchronously so a rotation cannot rename the file between naming and opening it.
    const fd = fs.openSync(rotatedLogPath(this.path, this.indexOf(generation), false), 'r');
    let data: Buffer;
    try {
      data = await readFd(fd);
    } finally {
      fs.closeSync(fd);
    }
    const gz = await gzipWithLastTime(data, lastTime);
    // From here on everything is synchronous, so no rotation can move files in between.
    const index = this.indexOf(generation);
    if (index >= this.policy.maxFile) return;
    const target = rotatedLogPath(this.path, index, true);
    fs.writeFileSync(`${target}.tmp`, gz, { mode: STORE_FILE_MODE });
    fs.chmodSync(`${target}.tmp`, STORE_FILE_MODE);
    fs.renameSync(`${target}.tmp`, target);
    unlinkIfPresent(rotatedLogPath(this.path, index, false));
  }
}

function unlinkIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
