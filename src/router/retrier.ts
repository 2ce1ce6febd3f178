import { SinkError } from '../sinks/sink.js';
import type { Logger } from '../util/log.js';
import { type Probe, waitForRetry } from '../util/recovery-wait.js';
import type { Backoff } from './backoff.js';
import type { DeliveryStats } from './delivery-stats.js';

export type RetryOutcome = 'ok' | 'rejected' | 'aborted';

export interface RetrierParams {
  backoff: Backoff;
  /** Asked while a retry waits: a receiver found back ends the wait. */
  probe: Probe | undefined;
  /** stop(): every wait ends, nothing more is tried. */
  signal: AbortSignal;
  /** Where retries and the failing state are counted. */
  stats: Pick<DeliveryStats, 'retries' | 'failing' | 'lastError'>;
  log: Logger;
  /** `container <id> sink <name>`, for messages. */
  label: string;
}

/**
 * A delivery's retries: backoff with the receiver probed meanwhile, a non-retryable
 * SinkError ends them, and each distinct failure is warned once.
 */
export class Retrier {
  private readonly reported = new Set<string>();

  constructor(private readonly p: RetrierParams) {}

  /** A send or connect succeeded elsewhere (a batch settled): the backoff starts over. */
  succeeded(): void {
    this.p.backoff.reset();
    this.p.stats.failing = false;
  }

  /** Retries until success, a non-retryable SinkError, or stop(). */
  async retry(what: string, action: () => Promise<void>): Promise<RetryOutcome> {
    if (this.p.signal.aborted) return 'aborted';
    const error = await this.attempt(action);
    return error === undefined ? 'ok' : this.retryAfter(error, what, action);
  }

  /** Runs `action` once: undefined (and the backoff starts over) on success, else its error. */
  private async attempt(action: () => Promise<void>): Promise<Error | undefined> {
    try {
      await action();
      this.succeeded();
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  /**
   * `action` just failed with `first`: retries it with backoff until success, a
   * non-retryable SinkError, or stop(). `entries`: the size of the batch it sends.
   */
  async retryAfter(first: Error, what: string, action: () => Promise<void>, entries?: number): Promise<RetryOutcome> {
    let error = first;
    for (;;) {
      if (this.p.signal.aborted) return 'aborted';
      if (error instanceof SinkError && !error.retryable) {
        const dropped = entries === undefined ? '' : `, ${entries} entries dropped`;
        this.p.log.error(`${this.p.label}: ${what} rejected${dropped}: ${error.message}`);
        return 'rejected';
      }
      this.p.stats.retries++;
      this.p.stats.failing = true;
      this.p.stats.lastError = error.message;
      this.warnOnce(`${this.p.label}: ${what} failed, retrying with backoff: ${error.message}`);
      const waited = await waitForRetry(this.p.backoff.next(), this.p.probe, this.p.signal);
      if (waited === 'aborted') return 'aborted';
      if (waited === 'recovered') this.p.log.debug(`${this.p.label}: the receiver is reachable again, retrying now`);
      const next = await this.attempt(action);
      if (next === undefined) return 'ok';
      error = next;
    }
  }

  /** One warning per distinct failure, the repeats at debug: a dead endpoint must not flood the daemon log. */
  warnOnce(message: string): void {
    if (this.reported.has(message) || this.reported.size > 100) {
      this.p.log.debug(message);
      return;
    }
    this.reported.add(message);
    this.p.log.warn(message);
  }
}
