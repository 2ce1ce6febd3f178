// The connection to fluentd: TCP, unix socket or TLS, one per container as with
// Docker. Connections follow Docker's reconnection series (fluent-logger-golang
// v1.8.0 connectWithRetry) and fail over along the configured endpoints; a batch
// is sent when its bytes are written and, with acks, when every chunk came back.
// Without acks, what a lost connection carried in its last REPLAY_WINDOW_MS is
// written again first on the next one, as syslog and GELF over TCP do: fluentd
// discards what it had not read when it goes away, although those writes succeeded.

import net from 'node:net';
import tls from 'node:tls';
import { type Logger, silentLogger } from '../../util/log.js';
import { waitForRetry } from '../../util/recovery-wait.js';
import { REPLAY_WINDOW_MS, ReplayWindow, replayedMessages, withReplay } from '../shared/replay-window.js';
import { SinkError } from '../sink.js';
import { describeEndpoint, type FluentdEndpoint } from './address.js';
import { Connection, describeError, GO_CONNECT } from './connection.js';
import { fluentdError } from './errors.js';
import type { FluentdOptions } from './options.js';
import { MIN_TLS_VERSION } from '../shared/tls-minimum.js';

/** fluent-logger-golang's dial timeout (defaultTimeout). */
export const DIAL_TIMEOUT_MS = 3000;
/** fluent-logger-golang's cap on the wait between connection attempts (defaultMaxRetryWait). */
export const MAX_RETRY_WAIT_MS = 60_000;

export type TransportOptions = Pick<FluentdOptions, 'endpoints' | 'tls' | 'retryWaitMs' | 'maxRetries' | 'writeTimeoutMs' | 'readTimeoutMs'>;

/**
 * Docker's reconnection series: after the n-th consecutive failed connection the
 * next dial waits retry-wait × int(1.5^(n−2)) ms (0, 1, 1, 2, 3, 5, 7, 11 … × retry-wait),
 * at most 60 s; after max-retries failures the series starts again. (Past about
 * 100 failures Go's float-to-int conversion makes Docker's wait 0; the cap stays here.)
 */
export class ReconnectSeries {
  private failures = 0;

  constructor(
    private readonly retryWaitMs: number,
    private readonly maxRetries: number,
  ) {}

  get failed(): number {
    return this.failures;
  }

  /** The wait before the next dial. */
  delay(): number {
    if (this.failures === 0) return 0;
    const wait = this.retryWaitMs * Math.trunc(1.5 ** (this.failures - 2));
    return Math.max(0, Math.min(wait, MAX_RETRY_WAIT_MS));
  }

  /** Counts a failed connection; true when that exhausted the series (which restarts). */
  fail(): boolean {
    this.failures++;
    if (this.failures < this.maxRetries) return false;
    this.failures = 0;
    return true;
  }

  succeed(): void {
    this.failures = 0;
  }
}

function dialError(endpoint: FluentdEndpoint, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (endpoint.network !== 'unix' && (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL')) {
    // Go: `dial tcp: lookup myhost on 10.0.0.2:53: no such host`.
    const why = code === 'ENOTFOUND' ? 'no such host' : 'temporary failure in name resolution';
    return fluentdError('TSLOGS_FLUENTD_DIAL_ADDRESS', endpoint.network, `lookup ${endpoint.host}: ${why}`).message;
  }
  const prefix = endpoint.network === 'tls' && code !== undefined && !(code in GO_CONNECT) ? 'tls: ' : '';
  return fluentdError('TSLOGS_FLUENTD_DIAL', describeEndpoint(endpoint), prefix + describeError(e)).message;
}

const closedError = (): SinkError => new SinkError(fluentdError('TSLOGS_FLUENTD_CLOSED').message);

export class ForwardTransport {
  private conn: Connection | undefined;
  private readonly series: ReconnectSeries;
  private lastFailure = 0;
  private readonly closing = new AbortController();
  private readonly dialing = new Set<net.Socket>();

  /** The endpoint of the last connection made, to report a failover once. */
  private lastEndpoint: FluentdEndpoint | undefined;
  /** Without acks: what the current connection wrote recently, and what to write again first. */
  private readonly replay = new ReplayWindow({ windowMs: REPLAY_WINDOW_MS, now: Date.now, keepCutoff: true });

  constructor(
    private readonly options: TransportOptions,
    /** Prefixes the messages logged. */
    private readonly label = 'fluentd',
    private readonly log: Logger = silentLogger,
  ) {
    this.series = new ReconnectSeries(options.retryWaitMs, options.maxRetries);
  }

  /** The endpoint of the current connection, if any. */
  get connectedTo(): FluentdEndpoint | undefined {
    return this.conn?.dead === undefined ? this.conn?.endpoint : undefined;
  }

  /** Connects unless connected; rejects with the dial errors (Docker's text) when no endpoint accepts. */
  async open(): Promise<void> {
    await this.connect();
  }

  /**
   * Writes the messages; resolves when the bytes are written and, when `chunks` is
   * given, once fluentd acknowledged every one of them. Any failure closes the
   * connection (the next call reconnects) and rejects retryably.
   */
  async send(payload: Buffer, chunks: readonly string[] | undefined, messages: number): Promise<void> {
    const conn = await this.connect();
    // With acks nothing is replayed: an unacknowledged batch fails and the router sends it again.
    const replay = chunks === undefined ? this.replay.pending : [];
    try {
      if (chunks !== undefined) conn.expect(chunks);
      await conn.write(withReplay(replay, payload), this.options.writeTimeoutMs);
      if (chunks !== undefined) await conn.acked(this.options.readTimeoutMs);
    } catch (e) {
      conn.kill('send failed');
      if (this.conn === conn) this.forget();
      throw e instanceof SinkError ? e : new SinkError(fluentdError('TSLOGS_FLUENTD_WRITE', conn.name, describeError(e)).message);
    }
    if (chunks !== undefined) return;
    this.replay.written(replay, payload, messages, Date.now());
    if (replay.length > 0) this.log.warn(`${this.label}: ${fluentdError('TSLOGS_FLUENTD_REPLAY', conn.name, replayedMessages(replay), REPLAY_WINDOW_MS).message}`);
  }

  /**
   * Whether an endpoint accepts a connection now, within `timeoutMs` (kept for the
   * next send). Not counted in the reconnection series, which paces the sends' dials.
   */
  async probe(timeoutMs: number): Promise<boolean> {
    if (this.conn !== undefined && this.conn.dead === undefined) return true;
    this.forget();
    try {
      await this.dialEndpoints(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the current connection: what it carried last becomes the replay of the next one. */
  private forget(): void {
    if (this.conn === undefined) return;
    this.conn = undefined;
    this.replay.lost();
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.conn?.kill('closed');
    this.conn = undefined;
    for (const socket of this.dialing) socket.destroy();
  }

  private async connect(): Promise<Connection> {
    if (this.conn !== undefined && this.conn.dead === undefined) return this.conn;
    this.forget();
    if (this.closing.signal.aborted) throw closedError();
    const wait = this.series.delay() - (Date.now() - this.lastFailure);
    if (wait > 0) {
      // The series paces dials against a fluentd that is down; one that is back is used at once.
      await waitForRetry(wait, (timeoutMs) => this.probe(timeoutMs), this.closing.signal);
      if (this.conn !== undefined && this.conn.dead === undefined) return this.conn;
    }
    try {
      return await this.dialEndpoints(DIAL_TIMEOUT_MS);
    } catch (e) {
      if (this.closing.signal.aborted) throw e;
      this.lastFailure = Date.now();
      const attempts = this.series.failed + 1;
      throw new SinkError(this.series.fail() ? fluentdError('TSLOGS_FLUENTD_RETRIES', attempts, (e as Error).message).message : (e as Error).message);
    }
  }

  /** The first endpoint that accepts, in order; rejects with every dial's error. */
  private async dialEndpoints(timeoutMs: number): Promise<Connection> {
    const closed = closedError;
    if (this.closing.signal.aborted) throw closed();
    const errors: string[] = [];
    for (const endpoint of this.options.endpoints) {
      try {
        const socket = await this.dial(endpoint, timeoutMs);
        if (this.closing.signal.aborted) {
          socket.destroy();
          throw closed();
        }
        this.series.succeed();
        this.conn = new Connection(socket, endpoint);
        if (errors.length > 0 && endpoint !== this.lastEndpoint) this.log.warn(`${this.label}: ${fluentdError('TSLOGS_FLUENTD_FAILOVER', this.conn.name, errors.join('; ')).message}`);
        this.lastEndpoint = endpoint;
        return this.conn;
      } catch (e) {
        if (this.closing.signal.aborted) throw closed();
        errors.push((e as Error).message);
      }
    }
    throw new Error(errors.join('; '));
  }

  private dial(endpoint: FluentdEndpoint, timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      if (endpoint.network === 'unix') socket = net.connect({ path: endpoint.path });
      else if (endpoint.network === 'tcp') socket = net.connect({ host: endpoint.host, port: endpoint.port });
      else {
        const { ca, servername, rejectUnauthorized } = this.options.tls;
        socket = tls.connect({
          host: endpoint.host,
          port: endpoint.port,
          // SNI takes names only; the certificate is checked against the host either way.
          ...(servername !== undefined ? { servername } : net.isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
          ...(ca !== undefined ? { ca } : {}),
          rejectUnauthorized,
          minVersion: MIN_TLS_VERSION,
        });
      }
      this.dialing.add(socket);
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        this.dialing.delete(socket);
        socket.removeListener('error', finish);
        socket.removeListener(ready, onReady);
        if (error === undefined) return resolve(socket);
        socket.on('error', () => undefined);
        socket.destroy();
        reject(new Error(dialError(endpoint, error)));
      };
      const onReady = () => finish();
      const ready = endpoint.network === 'tls' ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => finish(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
      socket.once(ready, onReady);
      socket.once('error', finish);
    });
  }
}
