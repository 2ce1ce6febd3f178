/**
 * When a batch that is not full goes out: `lingerMs` after the oldest entry still waiting
 * arrived (Splunk's POST_MESSAGES_FREQUENCY, OTLP's and Loki's batch wait), however many
 * arrive meanwhile. Counted from each arrival instead, a container logging more often
 * than `lingerMs` would have its partial batch held until the batch filled.
 */
export class LingerClock {
  /** When the oldest entry waiting arrived; undefined with none waiting. */
  private since: number | undefined;
  private lastArrival: number;

  constructor(
    private readonly lingerMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastArrival = now();
  }

  /** Entries came from the store; `nothingWaiting`: none were pending before them. */
  arrived(nothingWaiting: boolean): void {
    const t = this.now();
    this.lastArrival = t;
    if (nothingWaiting || this.since === undefined) this.since = t;
  }

  /** Batches went out; `stillWaiting`: a remainder of the latest arrival is left. */
  sent(stillWaiting: boolean): void {
    this.since = stillWaiting ? this.now() : undefined;
  }

  /** How long the entries waiting may still wait: 0 for a sink that sends at once. */
  remainingMs(): number {
    if (this.lingerMs <= 0) return 0;
    const t = this.now();
    return Math.max(1, (this.since ?? t) + this.lingerMs - t);
  }

  /** Since the last arrival: how long the stream has been quiet. */
  quietMs(): number {
    return this.now() - this.lastArrival;
  }
}
