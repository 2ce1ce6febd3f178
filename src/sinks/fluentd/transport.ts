// The connection to fluentd: TCP, unix socket or TLS, one per container as with
// Docker. Connections follow Docker's reconnection series (fluent-logger-golang
// v1.8.0 connectWithRetry) and fail over along the configured endpoints; a batch
// is sent when its bytes are written and, with acks, when every chunk came back.

import net from 'node:net';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { Decoder } from '@msgpack/msgpack';
import { type Logger, silentLogger } from '../../util/log.js';
import { SinkError } from '../sink.js';
import { describeEndpoint, type FluentdEndpoint } from './address.js';
import { fluentdError } from './errors.js';
import type { FluentdOptions } from './options.js';
import { MIN_TLS_VERSION } from '../shared/tls-minimum.js';

/** fluent-logger-golang's dial timeout (defaultTimeout). */
export const DIAL_TIMEOUT_MS = 3000;
/** fluent-logger-golang's cap on the wait between connection attempts (defaultMaxRetryWait). */
export const MAX_RETRY_WAIT_MS = 60_000;
/** Acks are tiny maps; more bytes than this without a whole answer is not fluentd talking. */
const MAX_INBOX = 64 * 1024;

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

// Go's texts for the errors a dial or a connection can meet.
const GO_CONNECT: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  ENOENT: 'connect: no such file or directory',
  EACCES: 'connect: permission denied',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ENOTSOCK: 'connect: socket operation on non-socket',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'i/o timeout',
};

function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const go = GO_CONNECT[err.code ?? ''];
  if (go !== undefined) return go;
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  return typeof err.code === 'string' && !text.includes(err.code) ? `${text} (${err.code})` : text;
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

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

const ACK_LIMITS = { maxStrLength: 1024, maxBinLength: 1024, maxArrayLength: 16, maxMapLength: 16, maxExtLength: 64 };

/** One established connection: writes, and the acks read back from it. */
class Connection {
  dead: SinkError | undefined;
  /** What fluentd sent, for the ack decoder; ended when the socket is gone. */
  private readonly answers = new PassThrough();
  /** Bytes received since the last whole answer. */
  private unanswered = 0;
  /** Why the socket is gone, once it is: the connection dies when the answers before it are read. */
  private gone: string | undefined;
  /** Chunk ids written and not acknowledged yet, in the order sent. */
  private outstanding = new Set<string>();
  private ackWaiter: Waiter | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private writeWaiter: Waiter | undefined;
  /** Whether answers are expected at all (fluentd-request-ack); otherwise whatever arrives is ignored. */
  private acking = false;
  private ackTimeoutMs = 0;
  readonly name: string;

  constructor(
    readonly socket: net.Socket,
    readonly endpoint: FluentdEndpoint,
  ) {
    this.name = describeEndpoint(endpoint);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (e) => this.onGone(describeError(e)));
    // fluentd closing its side (restart, shutdown) ends the connection.
    socket.on('end', () => this.onGone('EOF'));
    socket.on('close', () => this.onGone('connection closed'));
    void this.readAnswers();
  }

  /** Ends the connection; whatever waits on it fails retryably with `detail`. */
  kill(detail: string): void {
    if (this.dead !== undefined) return;
    this.dead = new SinkError(fluentdError('TSLOGS_FLUENTD_WRITE', this.name, detail).message);
    clearTimeout(this.ackTimer);
    this.socket.destroy();
    if (!this.answers.writableEnded) this.answers.end();
    this.writeWaiter?.reject(this.dead);
    this.ackWaiter?.reject(this.dead);
    this.writeWaiter = this.ackWaiter = undefined;
  }

  /** Resolves once the bytes were handed to the kernel. */
  write(payload: Buffer, timeoutMs: number): Promise<void> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    return new Promise<void>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => this.kill(`write i/o timeout after ${timeoutMs} ms (fluentd-write-timeout)`), timeoutMs) : undefined;
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.writeWaiter = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.writeWaiter = { resolve: () => settle(), reject: (e) => settle(e) };
      this.socket.write(payload, (err) => {
        if (err) this.kill(describeError(err));
        else settle();
      });
    });
  }

  /** Chunk ids whose acks the next acked() waits for; set before writing (acks can be quick). */
  expect(chunks: readonly string[]): void {
    this.acking = true;
    this.outstanding = new Set(chunks);
  }

  /** Resolves when every expected chunk was acknowledged; gives up after `timeoutMs` without one. */
  acked(timeoutMs: number): Promise<void> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    if (this.outstanding.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(this.ackTimer);
        this.ackWaiter = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.ackWaiter = { resolve: () => settle(), reject: (e) => settle(e) };
      this.armAckTimer(timeoutMs);
    });
  }

  private armAckTimer(timeoutMs: number): void {
    clearTimeout(this.ackTimer);
    if (timeoutMs <= 0) return;
    this.ackTimer = setTimeout(() => {
      const missing = this.outstanding.size;
      // No more acks can be trusted on this connection: close it, as Docker does.
      const error = new SinkError(fluentdError('TSLOGS_FLUENTD_ACK_TIMEOUT', missing, timeoutMs).message);
      const waiter = this.ackWaiter;
      this.ackWaiter = undefined;
      this.kill('acknowledgement timeout');
      waiter?.reject(error);
    }, timeoutMs);
    this.ackTimeoutMs = timeoutMs;
  }

  private onData(data: Buffer): void {
    if (!this.acking || this.dead !== undefined) return;
    // Checked before adding: one read (up to 64 KiB) full of acks is fine, the decoder
    // has read the previous one by the time the next arrives.
    if (this.unanswered > MAX_INBOX) return this.kill('unreadable answer from fluentd: too long');
    this.unanswered += data.length;
    this.answers.write(data);
  }

  /**
   * The decoder reads asynchronously: a socket's end or error waits for the answers
   * that arrived before it, which fluentd may have sent just before closing.
   */
  private onGone(detail: string): void {
    if (!this.acking) return this.kill(detail);
    this.gone ??= detail;
    if (!this.answers.writableEnded) this.answers.end();
  }

  private async readAnswers(): Promise<void> {
    try {
      for await (const answer of new Decoder(ACK_LIMITS).decodeStream(this.answers)) {
        this.unanswered = 0;
        this.onAnswer(answer);
        if (this.dead !== undefined) return;
      }
    } catch (e) {
      this.kill(`unreadable answer from fluentd: ${(e as Error).message}`);
    } finally {
      if (this.gone !== undefined) this.kill(this.gone);
    }
  }

  private onAnswer(answer: unknown): void {
    const ack = typeof answer === 'object' && answer !== null && typeof (answer as { ack?: unknown }).ack === 'string' ? (answer as { ack: string }).ack : undefined;
    if (ack !== undefined && this.outstanding.delete(ack)) {
      if (this.outstanding.size === 0) this.ackWaiter?.resolve();
      else if (this.ackWaiter !== undefined) this.armAckTimer(this.ackTimeoutMs);
      return;
    }
    // Docker closes the connection on an answer that is not the expected ack.
    const want = this.outstanding.values().next().value ?? '';
    const error = new SinkError(fluentdError('TSLOGS_FLUENTD_ACK_MISMATCH', ack ?? '', want).message);
    const waiter = this.ackWaiter;
    this.ackWaiter = undefined;
    this.kill('unexpected answer');
    waiter?.reject(error);
  }
}

/** Sleeps `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export class ForwardTransport {
  private conn: Connection | undefined;
  private readonly series: ReconnectSeries;
  private lastFailure = 0;
  private readonly closing = new AbortController();
  private readonly dialing = new Set<net.Socket>();

  /** The endpoint of the last connection made, to report a failover once. */
  private lastEndpoint: FluentdEndpoint | undefined;

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
  async send(payload: Buffer, chunks: readonly string[] | undefined): Promise<void> {
    const conn = await this.connect();
    try {
      if (chunks !== undefined) conn.expect(chunks);
      await conn.write(payload, this.options.writeTimeoutMs);
      if (chunks !== undefined) await conn.acked(this.options.readTimeoutMs);
    } catch (e) {
      conn.kill('send failed');
      if (this.conn === conn) this.conn = undefined;
      throw e instanceof SinkError ? e : new SinkError(fluentdError('TSLOGS_FLUENTD_WRITE', conn.name, describeError(e)).message);
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.conn?.kill('closed');
    this.conn = undefined;
    for (const socket of this.dialing) socket.destroy();
  }

  private async connect(): Promise<Connection> {
    if (this.conn !== undefined && this.conn.dead === undefined) return this.conn;
    this.conn = undefined;
    const closed = () => new SinkError(fluentdError('TSLOGS_FLUENTD_CLOSED').message);
    if (this.closing.signal.aborted) throw closed();
    const wait = this.series.delay() - (Date.now() - this.lastFailure);
    if (wait > 0) await sleep(wait, this.closing.signal);
    if (this.closing.signal.aborted) throw closed();
    const errors: string[] = [];
    for (const endpoint of this.options.endpoints) {
      try {
        const socket = await this.dial(endpoint);
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
    this.lastFailure = Date.now();
    const attempts = this.series.failed + 1;
    const detail = errors.join('; ');
    throw new SinkError(this.series.fail() ? fluentdError('TSLOGS_FLUENTD_RETRIES', attempts, detail).message : detail);
  }

  private dial(endpoint: FluentdEndpoint): Promise<net.Socket> {
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
      const timer = setTimeout(() => finish(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), DIAL_TIMEOUT_MS);
      socket.once(ready, onReady);
      socket.once('error', finish);
    });
  }
}
