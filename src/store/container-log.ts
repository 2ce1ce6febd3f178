import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { LogEntry } from '../codec/log-entry.js';
import type { LiveLog, LiveLogEvents } from './live-log.js';
import { ByteSink, JsonLineEncoder } from './json-line.js';
import { containerDir, currentLogPath } from './layout.js';
import { type Logger, RotatingFile, type RotationPolicy } from './rotating-file.js';

/**
 * The json-file store of one container: entries are encoded into a batch and
 * written with one syscall per batch; rotation happens between entries exactly
 * where Docker's would. When a write fails (full disk), the unwritten bytes are
 * kept and `blocked` is set so ingest can stop reading until a later flush succeeds.
 */
export class ContainerLog extends EventEmitter<LiveLogEvents> implements LiveLog {
  readonly path: string;
  private readonly sink = new ByteSink();
  private readonly encoder: JsonLineEncoder;
  private readonly file: RotatingFile;
  private writers = 0;
  /** Entries in the current file, -1 when it already existed (not counted, to keep opening cheap). */
  private linesInFile = 0;
  blocked: Error | undefined;

  constructor(
    readonly root: string,
    readonly containerId: string,
    readonly policy: RotationPolicy,
    attrsJson: string | undefined,
    private readonly log: Logger,
  ) {
    super();
    this.setMaxListeners(0);
    this.path = currentLogPath(root, containerId);
    this.encoder = new JsonLineEncoder(attrsJson);
    this.file = new RotatingFile(this.path, policy, log);
  }

  /** Whether a logging session is writing this container now (followers keep waiting while it is). */
  get live(): boolean {
    return this.writers > 0;
  }

  attachWriter(): void {
    this.writers++;
  }

  detachWriter(): void {
    this.writers--;
    if (this.writers === 0) {
      this.flush();
      this.file.close();
      this.emit('idle');
    }
  }

  append(entry: LogEntry): void {
    if (!this.file.isOpen) this.openFile();
    if (this.blocked === undefined && this.file.mustRotate(this.sink.pos) && this.file.size + this.sink.pos > 0) {
      if (this.flush()) {
        this.rotate();
      }
    }
    try {
      this.encoder.encode(entry, this.sink);
      if (this.linesInFile >= 0) this.linesInFile++;
    } catch (err) {
      // Only a timestamp outside years 0-9999 fails to encode; Docker drops such an entry too.
      this.log(`container ${this.containerId}: entry dropped: ${(err as Error).message}`);
    }
  }

  /** Writes what is batched. Returns false (and sets `blocked`) when the disk refused it. */
  flush(): boolean {
    if (this.sink.pos === 0) return true;
    if (!this.file.isOpen) this.openFile();
    const data = this.sink.view();
    const { written, error } = this.file.write(data);
    if (written === data.length) {
      this.sink.reset();
      this.blocked = undefined;
      this.emit('append');
      return true;
    }
    data.copy(this.sink.buf, 0, written);
    this.sink.pos = data.length - written;
    if (this.blocked === undefined) this.log(`container ${this.containerId}: ${error!.message}`);
    this.blocked = error;
    if (written > 0) this.emit('append');
    return false;
  }

  /** Resolves once compression of rotated files has finished (tests, shutdown). */
  settled(): Promise<void> {
    return this.file.settled();
  }

  private rotate(): void {
    try {
      this.file.rotate(this.encoder.lastTime);
    } catch (err) {
      this.log(`container ${this.containerId}: rotation failed, writing on to the current file: ${(err as Error).message}`);
      if (!this.file.isOpen) this.openFile();
      return;
    }
    const lines = this.linesInFile;
    this.linesInFile = 0;
    this.emit('rotate', lines);
  }

  private openFile(): void {
    fs.mkdirSync(containerDir(this.root, this.containerId), { recursive: true, mode: 0o750 });
    this.file.open();
    this.linesInFile = this.file.size === 0 ? 0 : -1;
    this.emit('open');
  }
}
