// Which stored containers were removed with `docker rm`, judged from dockerd's own
// directory per container (`<data-root>/containers/<id>`, created at `docker create`,
// deleted at `docker rm`). Pure: the pruner reads the disk and acts on the decision.
// Why this mechanism and not another: docs/architecture.md, "Removed containers".

export interface RemovalCheck {
  /** Containers with a directory in the store, listed before `docker` was read. */
  stored: readonly string[];
  /** Containers with a logging session now (running, or draining their FIFO). */
  live: ReadonlySet<string>;
  /** IDs with a directory in dockerd's containers directory, or why it could not be read. */
  docker: ReadonlySet<string> | Error;
  /** Containers whose deliveries are still sending their backlog to a sink. */
  delivering: ReadonlySet<string>;
  /** Stored containers found removed before (their marker), with the time, in ms. */
  marked: ReadonlyMap<string, number>;
  now: number;
}

export interface RemovalDecision {
  /** false: the directory cannot be trusted this time; nothing is deleted. */
  trusted: boolean;
  /** Why not trusted (for the one warning), or why nothing can be judged yet. */
  reason?: 'unreadable' | 'no-live-container-listed' | 'unverified';
  /** Delete these now: removed, retention over, nothing left to deliver. */
  prune: string[];
  /** Newly found removed, kept for the retention: write their marker with this time. */
  mark: { id: string; since: number }[];
  /** Marked before but present again: drop the marker. */
  unmark: string[];
  /** Removed, but kept: within the retention or still delivering. */
  kept: string[];
}

/** A missing directory must be missing on this many consecutive checks. */
export const CHECKS_TO_CONFIRM = 2;

export class RemovalTracker {
  /** Stored containers whose directory was missing at the last checks: when first, how often. */
  private readonly missing = new Map<string, { since: number; checks: number }>();
  /** Once a check found a container's directory there, the path is dockerd's. */
  private verified = false;
  /** A container started logging without a directory there: not dockerd's. */
  private refuted = false;

  /** `retainMs`: how long a removed container's store is kept (0: deleted once found removed). */
  constructor(private readonly retainMs: number) {}

  /**
   * A container started logging. Its directory exists by then in dockerd's directory
   * (docker create comes before the start), so this verifies the directory, or refutes it,
   * even for a one-shot container removed again before the next check.
   */
  started(listed: boolean): void {
    if (listed) this.verified = true;
    else this.refuted = true;
  }

  check(c: RemovalCheck): RemovalDecision {
    const none = { prune: [], mark: [], unmark: [], kept: [] };
    if (c.docker instanceof Error) return this.distrust('unreadable', none);
    const docker = c.docker;
    // A running container always has its directory: none listed means this is not dockerd's.
    const refuted = this.refuted;
    this.refuted = false;
    if (refuted || (c.live.size > 0 && ![...c.live].some((id) => docker.has(id)))) return this.distrust('no-live-container-listed', none);
    if (c.live.size > 0 || c.stored.some((id) => docker.has(id))) this.verified = true;

    const decision: RemovalDecision = { trusted: this.verified, prune: [], mark: [], unmark: [], kept: [] };
    if (!this.verified) decision.reason = 'unverified';
    const stored = new Set(c.stored);
    for (const id of this.missing.keys()) if (!stored.has(id)) this.missing.delete(id);
    for (const id of c.stored) {
      if (docker.has(id) || c.live.has(id)) {
        this.missing.delete(id);
        if (c.marked.has(id)) decision.unmark.push(id);
        continue;
      }
      const seen = this.missing.get(id) ?? { since: c.now, checks: 0 };
      seen.checks++;
      this.missing.set(id, seen);
      const markedSince = c.marked.get(id);
      if (!this.verified || (markedSince === undefined && seen.checks < CHECKS_TO_CONFIRM)) continue;
      const since = markedSince ?? seen.since;
      if (markedSince === undefined && this.retainMs > 0) decision.mark.push({ id, since });
      if (c.now - since >= this.retainMs && !c.delivering.has(id)) decision.prune.push(id);
      else decision.kept.push(id);
    }
    for (const id of decision.prune) this.missing.delete(id);
    return decision;
  }

  /** Nothing counts from a doubtful check: a container must be missing again twice. */
  private distrust(reason: 'unreadable' | 'no-live-container-listed', none: Omit<RemovalDecision, 'trusted'>): RemovalDecision {
    this.verified = false;
    this.missing.clear();
    return { trusted: false, reason, ...none };
  }
}
