// A LiveLog over a json-file that dockerd writes: what the router's readers follow in
// the sidecar, as they follow the plugin's own writer in the plugin. It watches the
// container's directory (fs.watch) and polls stat as a fallback, and turns what it sees
// into the writer's events:
//   open    the current file appeared
//   append  the current file grew
//   rotate  the current file was replaced (other inode) or shrank (truncated); lines -1
//   idle    the container stopped or was removed: readers finish what is on disk; also
//           (while still live) after several rotations between two looks, so that the
//           deliveries reopen the store from their positions instead of skipping files
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { LiveLog, LiveLogEvents } from '../store/live-log.js';
import { shortId } from '../util/docker-names.js';
import type { Logger } from '../util/log.js';
import { CONFIG_FILE, readRunning } from './docker-metadata.js';
import { rotatedOnce } from './rotation-check.js';

export interface WatcherHooks {
  /**
   * The readers may hold a file past one they have not read (dockerd rotated again
   * while they reopened the current file): their deliveries must be restarted from
   * their checkpoints. Called synchronously, so they are stopped before they send
   * anything past the gap.
   */
  resync(): void;
  /** State.Running changed in config.v2.json (called on a later tick). */
  runningChanged(running: boolean): void;
  log: Logger;
}

interface Current {
  fd: number;
  ino: number;
  size: number;
}

/** Checks triggered by fs.watch are coalesced to at most one per this many ms. */
const MIN_CHECK_GAP_MS = 5;

export class DockerLogWatcher extends EventEmitter<LiveLogEvents> implements LiveLog {
  readonly policy: { readonly maxFile: number };
  /** dockerd writes the files: readers always read them from disk. */
  readonly generation = undefined;
  readonly logPath: string;
  private current: Current | undefined;
  private running: boolean;
  private removed = false;
  private configStamp = '';
  private fsWatcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private lastCheck = 0;

  constructor(
    readonly dir: string,
    readonly containerId: string,
    maxFile: number,
    running: boolean,
    private readonly hooks: WatcherHooks,
  ) {
    super();
    this.setMaxListeners(0);
    this.policy = { maxFile };
    this.logPath = path.join(dir, `${containerId}-json.log`);
    this.running = running;
    this.configStamp = stamp(path.join(dir, CONFIG_FILE));
  }

  /** Someone (dockerd) is writing the file: readers keep following it. */
  recent(): undefined {
    return undefined;
  }

  writtenSize(): undefined {
    return undefined;
  }

  caughtUp(): void {}

  get live(): boolean {
    return this.running && !this.removed;
  }

  /** Starts watching; the first check runs now, so `open` listeners attached later see a known state. */
  start(pollMs: number): void {
    this.check();
    try {
      this.fsWatcher = fs.watch(this.dir, { persistent: false }, () => this.schedule());
      this.fsWatcher.on('error', () => this.closeFsWatcher()); // the directory went away: polling notices
    } catch (err) {
      // No inotify here (or out of watches): polling alone still sees everything, later.
      this.hooks.log.warn(`container ${shortId(this.containerId)}: fs.watch unavailable (${(err as Error).message}); polling every ${pollMs} ms`);
    }
    // A stopped container's files do not change until it starts again (its config.v2.json
    // changes first, which fs.watch reports): poll those four times less often.
    let tick = 0;
    this.timer = setInterval(() => {
      if (this.live || ++tick % 4 === 0) this.check();
    }, pollMs);
    this.timer.unref();
  }

  /** The inode at the log path now (a fresh stat), for callers bracketing a reader's open. */
  inodeNow(): number | undefined {
    try {
      return fs.statSync(this.logPath).ino;
    } catch {
      return undefined;
    }
  }

  /** The inode the watcher considers current. */
  get inode(): number | undefined {
    return this.current?.ino;
  }

  /** Looks at the files now and emits what changed. Synchronous. */
  check(): void {
    if (this.removed) return;
    this.lastCheck = Date.now();
    const running = this.configChanged() ? readRunning(this.dir) : undefined;
    if (running === true && !this.running) {
      this.running = true;
      setImmediate(() => this.hooks.runningChanged(true));
    }
    this.checkLog();
    if (running === false && this.running) {
      // dockerd closes the log before it records the stop: everything is on disk now.
      this.running = false;
      this.emit('append');
      this.emit('idle');
      setImmediate(() => this.hooks.runningChanged(false));
    }
  }

  /** The container's directory is gone: readers finish the files they hold open, then end. */
  removedNow(): void {
    if (this.removed) return;
    this.checkLog();
    this.removed = true;
    this.close();
    this.emit('append');
    this.emit('idle');
  }

  close(): void {
    this.closeFsWatcher();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.current !== undefined) fs.closeSync(this.current.fd);
    this.current = undefined;
  }

  private closeFsWatcher(): void {
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
  }

  /** fs.watch fires once per write of a busy container: check at most once per few ms. */
  private schedule(): void {
    if (this.scheduled || this.removed) return;
    this.scheduled = true;
    const wait = this.lastCheck + MIN_CHECK_GAP_MS - Date.now();
    const run = () => {
      this.scheduled = false;
      this.check();
    };
    if (wait > 0) setTimeout(run, wait).unref();
    else setImmediate(run);
  }

  private configChanged(): boolean {
    const now = stamp(path.join(this.dir, CONFIG_FILE));
    if (now === this.configStamp) return false;
    this.configStamp = now;
    return now !== '';
  }

  private checkLog(): void {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.logPath);
    } catch {
      return; // not created yet, or between dockerd's rename and its create: look again later
    }
    const cur = this.current;
    if (cur === undefined) {
      if (this.openCurrent() === undefined) return;
      this.emit('open');
      if (this.current!.size > 0) this.emit('append');
      return;
    }
    if (st.ino === cur.ino) {
      if (st.size > cur.size) {
        cur.size = st.size;
        this.emit('append');
      } else if (st.size < cur.size) {
        this.hooks.log.warn(`container ${shortId(this.containerId)}: ${this.logPath} was truncated (${cur.size} → ${st.size} bytes); reading it again from its start`);
        cur.size = st.size;
        this.emit('rotate', -1);
      }
      return;
    }
    // dockerd replaced the file: readers hold the old one open and finish it.
    const once = rotatedOnce(this.logPath, cur.fd, cur.ino, this.policy.maxFile);
    fs.closeSync(cur.fd);
    this.current = undefined;
    const opened = this.openCurrent();
    if (!once || opened === undefined || opened.ino !== st.ino) {
      // Rotated more than once since the last look: reopening the current file would skip
      // the ones in between. Readers finish the file they hold (it may be deleted already),
      // end, and their deliveries open the store again from where they are (live stays true).
      this.hooks.log.debug(`container ${shortId(this.containerId)}: rotated more than once between two looks; readers reopen the rotated files`);
      this.emit('idle');
      return;
    }
    this.emit('rotate', -1);
    // The readers reopened the file by name just now: it must still be the one checked,
    // else they hold a newer one and would skip the file in between.
    if (this.inodeNow() !== opened.ino) this.hooks.resync();
  }

  private openCurrent(): Current | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.logPath, 'r');
    } catch {
      return undefined;
    }
    const st = fs.fstatSync(fd);
    this.current = { fd, ino: st.ino, size: st.size };
    return this.current;
  }
}

function stamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}
