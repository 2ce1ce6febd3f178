import type { FreshBatch } from './recent-entries.js';
import type { EventEmitter } from 'node:events';

export interface LiveLogEvents {
  /** The current file was created or opened: readers that had none pin it now. */
  open: [];
  /** New lines are on disk. */
  append: [];
  /**
   * The current file was renamed away; readers holding it open finish it, then reopen
   * by name. `lines` is how many entries it holds, or -1 when unknown.
   */
  rotate: [lines: number];
  /** No writer is left: followers end once they have read everything. */
  idle: [];
}

/**
 * What readers follow: the plugin's own writer (ContainerLog, which tells them
 * synchronously) or, in the sidecar, a watcher over files another process writes.
 */
export interface LiveLog extends EventEmitter<LiveLogEvents> {
  /** Whether something is writing the log now. */
  readonly live: boolean;
  /** Files the writer keeps (its max-file): readers pin no more than that. */
  readonly policy: { readonly maxFile: number };
  /**
   * The file being written, as a count of files the writer opened (it grows at every
   * open and rotation, and events tell readers synchronously); undefined when the
   * writer cannot say (no file open, or another process writes).
   */
  readonly generation: number | undefined;
  /** What the writer just wrote at `offset` of file `generation`, while it still has it in memory. */
  recent(generation: number, offset: number): FreshBatch | undefined;
  /** How far the writer has written file `generation`; undefined when it cannot say. */
  writtenSize(generation: number): number | undefined;
  /**
   * A reader is caught up now (it waits at the end, or just took a batch from memory):
   * the writer keeps what it writes in memory only while one said so recently.
   */
  caughtUp(): void;
}
