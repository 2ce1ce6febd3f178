import type { LiveLog } from './live-log.js';
import { LogStream } from './log-stream.js';
import type { StoredEntry } from './stored-entry.js';

export interface Instant {
  sec: number;
  nsec: number;
}

export interface ReadOptions {
  /** Entries at or after this time (Docker's Since). */
  since?: Instant | undefined;
  /** Entries at or before this time; the first later entry ends the read (Docker's Until). */
  until?: Instant | undefined;
  /** Entries from the end; negative = all, 0 = none of the history. */
  tail: number;
  /** Keep reading new entries while `live` has a writer. */
  follow: boolean;
}

/**
 * `docker logs` semantics over the store (docs/docker-compat.md §6.7): tail first, then the
 * since/until filters; compressed files wholly before `since` are skipped (only
 * those: Docker 20.10 stopped the whole scan there, a bug newer engines fixed).
 */
export async function* readEntries(
  currentPath: string,
  options: ReadOptions,
  live?: LiveLog,
  signal?: AbortSignal,
): AsyncGenerator<StoredEntry[]> {
  const { since, until } = options;
  const stream = new LogStream(currentPath, {
    follow: options.follow,
    live,
    signal,
    skipFilesBefore: since,
    maxFiles: live?.policy.maxFile,
  });
  try {
    await stream.seekTail(options.tail);
    for await (const { entries } of stream.batches()) {
      const batch: StoredEntry[] = [];
      for (const entry of entries) {
        if (since !== undefined && before(entry, since)) continue;
        if (until !== undefined && before(until, entry)) {
          if (batch.length > 0) yield batch;
          return;
        }
        batch.push(entry);
      }
      if (batch.length > 0) yield batch;
    }
  } finally {
    stream.close();
  }
}

function before(a: Instant, b: Instant): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
}
