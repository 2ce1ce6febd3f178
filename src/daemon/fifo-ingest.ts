import fs from 'node:fs';
import net from 'node:net';
import { FrameDecoder } from '../codec/frame-decoder.js';
import { tslogsError } from '../errors.js';
import type { ContainerLog } from '../store/container-log.js';
import type { Redactor } from '../router/transforms/redactor.js';
import { StoreRedactor } from '../router/transforms/store-redactor.js';
import type { Logger } from '../util/log.js';

const RETRY_MS = { first: 100, max: 5_000 };

/**
 * Reads one logging FIFO into a container's store. The FIFO is read through
 * libuv's pipe handle (non-blocking, epoll) rather than fs streams, whose
 * thread-pool reads would block 4 threads on 4 idle containers. Each read is
 * decoded and written as one batch. When the disk refuses a write, reading stops
 * (the container blocks on its pipe, as with Docker's blocking mode) and resumes
 * once a retried write succeeds: nothing read is ever dropped.
 */
export class FifoIngest {
  private socket: net.Socket | undefined;
  private readonly decoder: FrameDecoder;
  /** Only with redact-store=true: otherwise entries go straight to the store. */
  private readonly redactor: StoreRedactor | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MS.first;
  private failed = false;
  private finished = false;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;
  entries = 0;
  bytes = 0;
  /** Entries stored with a redact match masked (redact-store=true). */
  get redacted(): number {
    return this.redactor?.redacted ?? 0;
  }
  /** Frames that could not be decoded (each ends the stream's decoding). */
  badFrames = 0;
  /** Whether the FIFO was read to its end (rather than closed by shutdown or an error). */
  reachedEof = false;

  constructor(
    readonly file: string,
    private readonly log: ContainerLog,
    /** Bound to the container. */
    private readonly logger: Logger,
    /** The container's redact rules when redact-store=true. */
    redactStore?: Redactor,
  ) {
    const redactor = redactStore === undefined ? undefined : new StoreRedactor(redactStore, (entry) => log.append(entry));
    this.redactor = redactor;
    this.decoder =
      redactor === undefined
        ? new FrameDecoder((entry) => {
            this.entries++;
            log.append(entry);
          })
        : new FrameDecoder((entry) => {
            this.entries++;
            redactor.push(entry);
          });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /**
   * Opens the FIFO; throws a TslogsError naming the file when it cannot be opened or
   * is not a FIFO, and then holds no descriptor and is not attached as the writer.
   */
  start(): void {
    // Checked before opening too: opening a device can have effects (a watchdog arms itself).
    const kind = fileKind(this.file, () => fs.statSync(this.file));
    if (kind !== 'FIFO') throw tslogsError('TSLOGS_NOT_A_FIFO', this.file, kind);
    let fd: number;
    try {
      fd = fs.openSync(this.file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (err) {
      throw tslogsError('TSLOGS_FIFO_OPEN', this.file, (err as Error).message);
    }
    let socket: net.Socket;
    try {
      // Again on the descriptor: the path may have been replaced since the check.
      const opened = fileKind(this.file, () => fs.fstatSync(fd));
      if (opened !== 'FIFO') throw tslogsError('TSLOGS_NOT_A_FIFO', this.file, opened);
      socket = new net.Socket({ fd, readable: true, writable: false });
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.log.attachWriter();
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.reachedEof = true;
      this.finish();
    });
    socket.on('error', (err) => {
      this.logger.error(`reading ${this.file} failed: ${err.message}`);
      this.finish();
    });
  }

  /** Resolves once the FIFO reached EOF and everything read is on disk (or reported lost). */
  whenDone(): Promise<void> {
    return this.done;
  }

  /** Stops reading immediately (daemon shutdown): what was read is flushed. */
  close(): void {
    this.socket?.destroy();
    this.finish();
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (!this.failed) {
      try {
        this.decoder.push(chunk);
      } catch (err) {
        // A bad frame desynchronises the stream for good; keep draining so the
        // container never blocks, and say how much was discarded.
        this.failed = true;
        this.badFrames++;
        this.logger.error(`container ${this.log.containerId}: ${(err as Error).message}; discarding the rest of this stream`);
      }
    }
    if (!this.log.flush()) this.pauseUntilWritable();
  }

  private pauseUntilWritable(): void {
    if (this.retryTimer !== undefined) return;
    this.socket?.pause();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.log.flush()) {
        this.retryDelay = RETRY_MS.first;
        if (this.finished) this.complete();
        else this.socket?.resume();
      } else {
        this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MS.max);
        this.pauseUntilWritable();
      }
    }, this.retryDelay);
    this.retryTimer.unref();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.failed) {
      try {
        this.decoder.end();
      } catch (err) {
        this.badFrames++;
        this.logger.error(`container ${this.log.containerId}: ${(err as Error).message}`);
      }
    }
    this.redactor?.end();
    if (this.log.flush()) this.complete();
    else this.pauseUntilWritable();
  }

  private complete(): void {
    this.log.detachWriter();
    this.resolveDone();
  }
}

function fileKind(file: string, stat: () => fs.Stats): string {
  let s: fs.Stats;
  try {
    s = stat();
  } catch (err) {
    throw tslogsError('TSLOGS_FIFO_OPEN', file, (err as Error).message);
  }
  if (s.isFIFO()) return 'FIFO';
  if (s.isFile()) return 'regular file';
  if (s.isDirectory()) return 'directory';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  if (s.isSocket()) return 'socket';
  return 'file of unknown type';
}
