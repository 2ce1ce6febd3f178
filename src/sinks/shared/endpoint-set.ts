// The health of a sink's endpoints and which one the next batch goes to. Pure state,
// no I/O: the multi-endpoint sink sends and probes, and tells this what happened.
//
// failover: always the first healthy endpoint in the configured order, so that the
// preferred (first) one is used again as soon as a probe finds it back.
// round-robin: the healthy endpoints in turn, one batch each.
// An endpoint that failed is skipped until markRecovered(); when every endpoint has
// failed, they are all tried again in order (one of them may be back before a probe saw it).

import type { Balance } from './endpoint-list.js';

export class EndpointSet {
  private readonly healthy: boolean[];
  /** The endpoint the last batch went to (failover: the one in use). */
  private current = 0;
  /** Times the endpoint in use changed because one failed or came back (round-robin turns do not count). */
  switches = 0;

  constructor(
    readonly count: number,
    readonly balance: Balance,
  ) {
    if (count < 1) throw new Error('an endpoint set needs at least one endpoint');
    this.healthy = new Array<boolean>(count).fill(true);
  }

  /** The endpoint in use now (for round-robin, the last one a batch went to). */
  get inUse(): number {
    return this.current;
  }

  isHealthy(i: number): boolean {
    return this.healthy[i]!;
  }

  /** The endpoints waiting for a probe to find them back. */
  failed(): number[] {
    return this.healthy.flatMap((ok, i) => (ok ? [] : [i]));
  }

  /**
   * Where a batch goes next, skipping those in `tried` (the ones it already failed on):
   * a healthy endpoint if any is left, else a failed one not tried yet (in order),
   * else undefined (every endpoint failed this batch).
   */
  choose(tried: ReadonlySet<number> = new Set()): number | undefined {
    const start = this.balance === 'round-robin' && tried.size === 0 ? this.current + 1 : 0;
    const order = Array.from({ length: this.count }, (_, k) => (start + k) % this.count).filter((i) => !tried.has(i));
    const next = order.find((i) => this.healthy[i]) ?? order[0];
    if (next === undefined) return undefined;
    this.use(next, tried.size > 0);
    return next;
  }

  /** A send or connection on `i` failed: skip it until a probe finds it back. */
  markFailed(i: number): void {
    this.healthy[i] = false;
  }

  /** A probe (or a send) reached `i` again. */
  markRecovered(i: number): void {
    this.healthy[i] = true;
  }

  private use(next: number, afterFailure: boolean): void {
    if (next === this.current) return;
    // In failover mode every change is a switch; in round-robin only a step forced by a failure.
    const previousHealthy = this.healthy[this.current]!;
    if (this.balance === 'failover' || afterFailure || !previousHealthy) this.switches++;
    this.current = next;
  }
}
