// What a stream connection wrote in its last moments, kept to be written again
// first on the next connection. Syslog and GELF over TCP have no acknowledgement:
// a receiver that goes away (a restart) discards what it had not read yet although
// those writes succeeded. Writing the recent past again costs duplicates after an
// outage instead of lost lines. Over UDP the same holds for what the receiver had
// not read when it died (and what was sent before its refusals came back): the
// datagrams of the last second are sent again once a refusal shows it was gone.

/** What a stream connection wrote this recently is written again after it is lost. */
export const REPLAY_WINDOW_MS = 1000;
/** The window never holds more than this (but always the latest batch). */
export const REPLAY_MAX_BYTES = 4 * 1024 * 1024;

/** One batch as written: whole framed messages, so a replay simply goes first. */
export interface Written {
  data: Buffer;
  messages: number;
  at: number;
  /** Datagrams: where each one ends in `data`. */
  ends?: readonly number[] | undefined;
}

export interface ReplayWindowOptions {
  /** How far back the writes of a connection are kept. */
  windowMs: number;
  /** Milliseconds (tests replace it). */
  now: () => number;
  /**
   * Whether a write exactly at the cutoff when a loss is noticed is replayed. The
   * sinks differ here, and with a zero window (tests) this decides whether the last
   * write is replayed at all.
   */
  keepCutoff: boolean;
}

export class ReplayWindow {
  /** Batches written recently on the current connection, oldest first. */
  private window: Written[] = [];
  private windowBytes = 0;
  /** Batches to write again first on the next connection, oldest first. */
  private replay: Written[] = [];

  constructor(private readonly options: ReplayWindowOptions) {}

  /** What to write before the next batch; pass it back to written() once that write succeeded. */
  get pending(): readonly Written[] {
    return this.replay;
  }

  /**
   * The connection was lost: what it carried in the last `replayMs` becomes the
   * replay of the next one. False when nothing was written on it: an earlier replay
   * is then still pending and stays.
   */
  lost(replayMs: number = this.options.windowMs): boolean {
    const replaced = this.window.length > 0;
    if (replaced) {
      const cutoff = this.options.now() - replayMs;
      this.replay = this.options.keepCutoff ? this.window.filter((w) => w.at >= cutoff) : this.window.filter((w) => w.at > cutoff);
    }
    this.window = [];
    this.windowBytes = 0;
    return replaced;
  }

  /** `replayed` (pending when the write began), then the batch `data`, were written at `at`. */
  written(replayed: readonly Written[], data: Buffer, messages: number, at: number, ends?: readonly number[]): void {
    this.replay = [];
    for (const w of replayed) this.remember({ ...w, at });
    this.remember({ data, messages, at, ends });
  }

  private remember(written: Written): void {
    this.window.push(written);
    this.windowBytes += written.data.length;
    const cutoff = written.at - this.options.windowMs;
    while (this.window.length > 1 && (this.window[0]!.at < cutoff || this.windowBytes > REPLAY_MAX_BYTES)) {
      this.windowBytes -= this.window.shift()!.data.length;
    }
  }
}

/** `data` with the replay in front of it (`data` itself when there is none). */
export function withReplay(replayed: readonly Written[], data: Buffer): Buffer {
  return replayed.length === 0 ? data : Buffer.concat([...replayed.map((w) => w.data), data]);
}

/** How many messages a replay carried, for the report. */
export function replayedMessages(replayed: readonly Written[]): number {
  return replayed.reduce((n, w) => n + w.messages, 0);
}

/** The datagram ends of withReplay(replayed, data): the replayed ones, then `ends` moved behind them. */
export function endsWithReplay(replayed: readonly Written[], ends: readonly number[]): number[] {
  const out: number[] = [];
  let offset = 0;
  for (const w of replayed) {
    for (const e of w.ends ?? [w.data.length]) out.push(offset + e);
    offset += w.data.length;
  }
  for (const e of ends) out.push(offset + e);
  return out;
}
