// A sink given several endpoints: one single-endpoint sink per address (each with its
// own connection, exactly as with one address), and an EndpointSet choosing among them.
// A batch whose send fails retryably on one endpoint is sent on the next one within
// the same send(), so the router's cursor and checkpoint never see the failover: an
// endpoint dying mid-batch loses nothing. Failed endpoints are probed in the
// background until they answer again.

import type { Logger } from '../../util/log.js';
import { SinkError, type EndpointsView, type Sink, type SinkAck, type SinkEntry } from '../sink.js';
import type { Balance } from './endpoint-list.js';
import { EndpointSet } from './endpoint-set.js';
import { REPLAY_MAX_BYTES, REPLAY_WINDOW_MS } from './replay-window.js';

/** How often failed endpoints are probed while any is failed. */
export const ENDPOINT_PROBE_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 1000;

export interface Endpoint {
  sink: Sink;
  /** As metrics and the daemon log show it (no secret). */
  address: string;
}

export interface MultiEndpointOptions {
  balance: Balance;
  /**
   * Protocols without acknowledgement (syslog, GELF over TCP): a batch a dead receiver
   * had not read yet still counted as sent. The batches sent on an endpoint in the last
   * REPLAY_WINDOW_MS are sent again on the next one when it fails (duplicates, not losses).
   */
  replayOnFailover: boolean;
  log: Logger;
  probeIntervalMs?: number;
}

interface Sent {
  batch: readonly SinkEntry[];
  bytes: number;
  at: number;
}

export class MultiEndpointSink implements Sink {
  readonly maxBatchEntries: number;
  readonly maxBatchBytes: number;
  readonly lingerMs: number;
  readonly maxInFlight: number | undefined;
  readonly openBeforeStart: boolean | undefined;
  private readonly set: EndpointSet;
  /** Per endpoint: what it was sent recently (replayOnFailover). */
  private readonly recent: Sent[][];
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(
    private readonly members: readonly Endpoint[],
    private readonly options: MultiEndpointOptions,
  ) {
    // Every endpoint's sink is built from the same options: the first one's shape holds for all.
    const first = members[0]!.sink;
    this.maxBatchEntries = first.maxBatchEntries;
    this.maxBatchBytes = first.maxBatchBytes;
    this.lingerMs = first.lingerMs;
    this.maxInFlight = first.maxInFlight;
    this.openBeforeStart = first.openBeforeStart;
    this.set = new EndpointSet(members.length, options.balance);
    this.recent = members.map(() => []);
  }

  /** Opens an endpoint (the first healthy one); fails only when none opens. */
  async open(): Promise<void> {
    await this.onSome((sink) => sink.open());
  }

  /** True when some endpoint is usable; failed ones are probed (and found back) first. */
  async probe(timeoutMs: number): Promise<boolean> {
    await this.probeFailed(timeoutMs);
    return this.set.failed().length < this.members.length;
  }

  send(batch: readonly SinkEntry[]): Promise<SinkAck | void> {
    return this.onSome((sink, i) => sink.send(batch), batch);
  }

  endpoints(): EndpointsView {
    return {
      addresses: this.members.map((e) => e.address),
      inUse: this.set.inUse,
      healthy: this.members.map((_, i) => this.set.isHealthy(i)),
      switches: this.set.switches,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.members.map((e) => e.sink.close()));
  }

  /**
   * Runs `action` on the chosen endpoint, then on the next ones while it fails
   * retryably; rejects with the first endpoint's error when every one failed. A
   * non-retryable error (the receiver refused the content) is no endpoint's fault:
   * it is passed on at once.
   */
  private async onSome<T>(action: (sink: Sink, i: number) => Promise<T>, batch?: readonly SinkEntry[]): Promise<T> {
    const tried = new Set<number>();
    let firstError: unknown;
    let replay: Sent[] = [];
    for (let i = this.set.choose(); i !== undefined; i = this.set.choose(tried)) {
      tried.add(i);
      const sink = this.members[i]!.sink;
      try {
        for (const r of replay) await sink.send(r.batch);
        const result = await action(sink, i);
        if (replay.length > 0) this.options.log.warn(`failed over to ${this.members[i]!.address}: re-sent the ${replay.reduce((n, r) => n + r.batch.length, 0)} entries sent to the failed endpoint in its last ${REPLAY_WINDOW_MS} ms (it may have received some)`);
        replay.forEach((r) => this.remember(i, r.batch));
        if (batch !== undefined) this.remember(i, batch);
        if (!this.set.isHealthy(i)) this.set.markRecovered(i);
        return result;
      } catch (e) {
        if (!(e instanceof SinkError) || !e.retryable) throw e;
        firstError ??= e;
        if (this.set.isHealthy(i)) this.fail(i, e);
        // What the failed endpoint may have dropped goes to the next one first.
        replay = [...replay, ...this.takeRecent(i)];
      }
    }
    throw firstError;
  }

  private fail(i: number, e: SinkError): void {
    this.set.markFailed(i);
    if (this.members.length > 1) this.options.log.warn(`endpoint ${this.members[i]!.address} failed (${e.message}); skipped until it answers again`);
    if (this.timer === undefined && !this.closed) {
      this.timer = setInterval(() => void this.probeFailed(PROBE_TIMEOUT_MS), this.options.probeIntervalMs ?? ENDPOINT_PROBE_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Probes every failed endpoint at once; those that answer are used again (failover: the preferred one first). */
  private async probeFailed(timeoutMs: number): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await Promise.all(
        this.set.failed().map(async (i) => {
          const probe = this.members[i]!.sink.probe;
          const up = probe === undefined ? true : await probe.call(this.members[i]!.sink, timeoutMs).catch(() => false);
          if (up && !this.closed) {
            this.set.markRecovered(i);
            this.options.log.info(`endpoint ${this.members[i]!.address} answers again`);
          }
        }),
      );
    } finally {
      this.probing = false;
    }
    if (this.set.failed().length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private remember(i: number, batch: readonly SinkEntry[]): void {
    if (!this.options.replayOnFailover) return;
    const now = Date.now();
    const list = this.recent[i]!;
    list.push({ batch, bytes: batch.reduce((n, e) => n + e.line.length, 0), at: now });
    // Older than the window, or beyond the byte bound (the latest batch always stays).
    let bytes = list.reduce((n, s) => n + s.bytes, 0);
    while (list.length > 1 && (list[0]!.at < now - REPLAY_WINDOW_MS || bytes > REPLAY_MAX_BYTES)) bytes -= list.shift()!.bytes;
  }

  private takeRecent(i: number): Sent[] {
    const cutoff = Date.now() - REPLAY_WINDOW_MS;
    const taken = this.recent[i]!.filter((s) => s.at >= cutoff);
    this.recent[i] = [];
    return taken;
  }
}
