// One NATS connection per container (the maintained client, @nats-io/transport-node),
// publishing each batch's messages to JetStream at once and resolving only when every
// publish acknowledgement came. While the connection is down nothing is handed to the
// client (it would buffer without bound and flush stale copies on reconnect): the
// batch fails at once and waits in the store for the router's retry.

import { jetstream, JetStreamApiError, type JetStreamClient, type JetStreamPublishOptions } from '@nats-io/jetstream';
import { connect, credsAuthenticator, errors, type ConnectionOptions, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import tls from 'node:tls';
import type { Logger } from '../../util/log.js';
import { SinkError } from '../sink.js';
import { natsError } from './errors.js';
import type { NatsOptions } from './options.js';

/** JetStream's "message size exceeds maximum allowed" (the stream's max_msg_size): sending again cannot help. */
const JS_MESSAGE_TOO_LARGE = 10054;
/** The client's "maximum payload exceeded" check, for a message that even cut does not fit. */
const PAYLOAD_TOO_LARGE = /max_payload/;
/** Reconnection pace; the client also follows the servers a cluster announces. */
const RECONNECT_WAIT_MS = 1000;
/** A connection that answers no PING for about 30 s is dropped and made again. */
const PING_INTERVAL_MS = 10_000;
const MAX_PINGS_OUT = 3;

/** Resolved when the current connection is lost (renewed on each reconnection). */
interface Outage {
  promise: Promise<'lost'>;
  resolve: () => void;
}

function outage(): Outage {
  let resolve!: () => void;
  const promise = new Promise<'lost'>((r) => (resolve = () => r('lost')));
  return { promise, resolve };
}

/** The cause of a failure without the client's stack or options (never credentials). */
function describe(e: unknown): string {
  const err = e as { message?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } };
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  const cause = err.cause?.message;
  return typeof cause === 'string' && cause !== '' && !text.includes(cause) ? `${text}: ${cause}` : text;
}

export class JetStreamPublisher {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private dialing: Promise<void> | undefined;
  private connected = false;
  private lost = outage();
  private closed = false;
  private cutReported = false;
  private readonly servers: string;
  private readonly publishOptions: Partial<JetStreamPublishOptions>;

  constructor(
    private readonly options: NatsOptions,
    private readonly label: string,
    private readonly log: Logger,
  ) {
    this.servers = options.servers.map((s) => s.hostPort).join(', ');
    this.publishOptions = { timeout: options.timeoutMs, ...(options.stream !== undefined && { expect: { streamName: options.stream } }) };
  }

  /** The server's largest message (known once connected). */
  get maxPayload(): number {
    return this.nc?.info?.max_payload ?? 1024 * 1024;
  }

  /** Connects unless a connection (possibly reconnecting) exists. */
  async open(): Promise<void> {
    if (this.closed) throw new SinkError(natsError('TSLOGS_NATS_CLOSED').message);
    if (this.nc !== undefined && !this.nc.isClosed()) return;
    this.dialing ??= this.dial().finally(() => (this.dialing = undefined));
    await this.dialing;
  }

  private connectOptions(): ConnectionOptions {
    const { credentials, tls: tlsOptions, timeoutMs } = this.options;
    return {
      servers: this.options.servers.map((s) => s.hostPort),
      name: `tslogs ${this.label}`,
      timeout: timeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: MAX_PINGS_OUT,
      // By default every request builds two Error objects for their stack traces: a third
      // of the CPU of a publish in the profile (see the findings test).
      noAsyncTraces: true,
      ...(credentials !== undefined && { authenticator: credsAuthenticator(credentials.reveal()) }),
      ...(tlsOptions !== undefined && {
        tls: {
          ...(tlsOptions.ca !== undefined && { ca: [...tls.rootCertificates, ...tlsOptions.ca] }),
          ...(tlsOptions.cert !== undefined && { cert: tlsOptions.cert, key: tlsOptions.key }),
          // Passed on to tls.connect, though the client's type does not declare it (see the findings test).
          rejectUnauthorized: tlsOptions.rejectUnauthorized,
        } as TlsOptions,
      }),
    };
  }

  private async dial(): Promise<void> {
    let nc: NatsConnection;
    try {
      nc = await connect(this.connectOptions());
    } catch (e) {
      throw new SinkError(natsError('TSLOGS_NATS_CONNECT', this.servers, describe(e)).message);
    }
    if (this.closed) {
      await nc.close().catch(() => undefined);
      throw new SinkError(natsError('TSLOGS_NATS_CLOSED').message);
    }
    this.nc = nc;
    this.js = jetstream(nc, { timeout: this.options.timeoutMs });
    this.connected = true;
    this.lost = outage();
    void this.watch(nc);
  }

  /** Follows the connection's state: sends stop while it is down. */
  private async watch(nc: NatsConnection): Promise<void> {
    void nc.closed().then(() => this.down(nc));
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.down(nc);
        this.log.warn(`${this.label}: ${natsError('TSLOGS_NATS_DISCONNECTED', this.servers).message}`);
      } else if (s.type === 'reconnect' && nc === this.nc) {
        this.connected = true;
        this.lost = outage();
        this.log.info(`${this.label}: ${natsError('TSLOGS_NATS_RECONNECTED', s.server).message}`);
      } else if (s.type === 'ldm') {
        this.log.info(`${this.label}: nats: server ${s.server} is entering lame duck mode; the client moves to another`);
      } else if (s.type === 'error') {
        this.log.debug(`${this.label}: nats: ${describe(s.error)}`);
      }
    }
  }

  private down(nc: NatsConnection): void {
    if (nc !== this.nc) return;
    this.connected = false;
    this.lost.resolve();
  }

  /** Publishes one message per payload; resolves once JetStream acknowledged them all. */
  async publish(payloads: readonly Buffer[]): Promise<void> {
    await this.open();
    if (!this.connected) throw new SinkError(natsError('TSLOGS_NATS_DISCONNECTED', this.servers).message);
    const js = this.js!;
    const lost = this.lost.promise;
    const subject = this.options.subject;
    const acks = Promise.allSettled(payloads.map((p) => js.publish(subject, p, this.publishOptions)));
    const outcome = await Promise.race([acks, lost]);
    // The acknowledgements still pending settle later (rejected at their timeout); nothing waits for them.
    if (outcome === 'lost') throw new SinkError(this.closed ? natsError('TSLOGS_NATS_CLOSED').message : natsError('TSLOGS_NATS_DISCONNECTED', this.servers).message);
    this.check(outcome);
  }

  /**
   * Fails the batch (retryably) on the first failure that sending again can cure; a
   * message the stream refuses for its size would be refused for ever, so it is
   * dropped alone and reported, and the rest of the batch counts as delivered.
   */
  private check(results: readonly PromiseSettledResult<unknown>[]): void {
    let tooLarge = 0;
    let tooLargeDetail = '';
    let timeouts = 0;
    let retryable: SinkError | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      const e = r.reason as unknown;
      if ((e instanceof JetStreamApiError && e.code === JS_MESSAGE_TOO_LARGE) || (e instanceof errors.InvalidArgumentError && PAYLOAD_TOO_LARGE.test(e.message))) {
        tooLarge++;
        tooLargeDetail = describe(e);
      } else if (e instanceof errors.TimeoutError) {
        timeouts++;
      } else {
        retryable ??= this.failure(e);
      }
    }
    if (retryable !== undefined) throw retryable;
    if (timeouts > 0) throw new SinkError(natsError('TSLOGS_NATS_ACK_TIMEOUT', timeouts, this.options.timeoutMs).message);
    if (tooLarge > 0) this.log.error(`${this.label}: ${natsError('TSLOGS_NATS_TOO_LARGE', tooLarge, tooLargeDetail).message}`);
  }

  private failure(e: unknown): SinkError {
    // The client reports "no responders" on a JetStream subject as "jetstream is not enabled".
    if (e instanceof Error && e.cause instanceof errors.RequestError && e.cause.isNoResponders()) return new SinkError(natsError('TSLOGS_NATS_NO_STREAM', this.options.subject).message);
    if (e instanceof JetStreamApiError) return new SinkError(natsError('TSLOGS_NATS_API', e.message, e.code).message);
    return new SinkError(natsError('TSLOGS_NATS_PUBLISH', describe(e)).message);
  }

  /** Reported once per container: a line was cut to fit max_payload. */
  reportCut(bytes: number): void {
    const text = `${this.label}: ${natsError('TSLOGS_NATS_CUT', bytes, this.maxPayload).message}`;
    if (this.cutReported) this.log.debug(text);
    else this.log.warn(text);
    this.cutReported = true;
  }

  /** Ends sends in progress (they fail retryably) and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    this.lost.resolve();
    await this.dialing?.catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
  }
}
