// HTTP to Splunk's HEC over one keep-alive undici Pool per container: the
// requests of Docker's splunk driver (docs/docker-compat.md §12.2) with its headers, plus
// indexer acknowledgement polling. Every failure becomes a SinkError whose text
// never holds the token.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type { Dispatcher, Pool } from 'undici';
import { httpPool, redactSecrets } from '../shared/http-pool.js';
import { goQuote } from '../../go/strconv.js';
import type { Logger } from '../../util/log.js';
import { SinkError } from '../sink.js';
import { splunkError } from './errors.js';
import type { SplunkOptions } from './options.js';

const EVENT_PATH = '/services/collector/event/1.0';
const ACK_PATH = '/services/collector/ack';

// Go's net/http adds these to every request Docker's driver makes; sending the
// same keeps what HEC (and any proxy) sees identical.
const GO_CLIENT_HEADERS = { 'User-Agent': 'Go-http-client/1.1', 'Accept-Encoding': 'gzip' } as const;
/** Docker's batchSendTimeout, applied here to each request as a whole. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Docker quotes at most this much of an error response. */
const MAX_ERROR_BODY = 1024;
/** Larger responses are not HEC's; stop reading (and drop the connection). */
const MAX_RESPONSE = 64 * 1024;
const ACK_POLL_FIRST_MS = 100;
const ACK_POLL_MAX_MS = 2000;

interface Response {
  statusCode: number;
  /** Go's resp.Status: `503 Service Unavailable`. */
  status: string;
  body: Buffer;
}

/** Statuses where sending the same batch again can succeed (401: the token may be fixed). */
function retryableStatus(code: number): boolean {
  return code < 400 || code >= 500 || code === 401 || code === 408 || code === 429;
}

export class HecTransport {
  private readonly pool: Pool;
  private readonly token: string;
  /** One channel for the container's lifetime: acks can only be polled on the channel that got them. */
  private readonly channel: string | undefined;
  private readonly closing = new AbortController();
  private ackDisabledReported = false;

  /** One connection per request allowed in flight (splunk-max-in-flight), besides one for acknowledgement polls. */
  constructor(
    private readonly options: SplunkOptions,
    private readonly log: Logger,
  ) {
    this.token = options.token.reveal();
    this.channel = options.ack ? randomUUID() : undefined;
    // Idle connections outlive the router's default 5 s linger (undici's own default is 4 s)
    // and are closed before Splunk's 12 s busyKeepAliveIdleTimeout would cut them mid-request.
    this.pool = httpPool(options.origin, options.maxInFlight + 1, options.tls, { keepAliveTimeout: 10_000 });
  }

  /** The token can only reach a message through a response body; cut it out of every text anyway. */
  private redact(text: string): string {
    return this.token === '' ? text : redactSecrets(text, [this.token]);
  }

  private fail(error: Error, retryable: boolean): SinkError {
    return new SinkError(this.redact(error.message), retryable);
  }

  private async request(method: 'POST' | 'OPTIONS', path: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method,
        path,
        headers: { ...GO_CLIENT_HEADERS, ...headers },
        body: body ?? null,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (e) {
      // Go's *url.Error: `Post "http://…/services/collector/event/1.0": <cause>`.
      const op = method === 'POST' ? 'Post' : 'Options';
      throw this.fail(splunkError('TSLOGS_SPLUNK_REQUEST', op, goQuote(this.options.origin + path), describe(e)), true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_RESPONSE) break;
      }
    } catch {
      // A body cut short still has a usable status; what was read is enough for a message.
    }
    let data = Buffer.concat(chunks);
    // Go decompresses transparently because it asked for gzip; so do we.
    if (res.headers['content-encoding'] === 'gzip') {
      try {
        data = gunzipSync(data);
      } catch {
        // Shown as received.
      }
    }
    const status = res.statusText ? `${res.statusCode} ${res.statusText}` : String(res.statusCode);
    return { statusCode: res.statusCode, status, body: data };
  }

  /**
   * Docker's verifySplunkConnection: OPTIONS on the event endpoint, without the
   * token. Always retryable: no batch is at stake, and the endpoint may come back.
   */
  async verify(): Promise<void> {
    const res = await this.request('OPTIONS', EVENT_PATH, {});
    if (res.statusCode !== 200) throw this.fail(splunkError('TSLOGS_SPLUNK_VERIFY', res.status, errorBody(res)), true);
  }

  /** POSTs one batch body; with splunk-ack, resolves only once Splunk confirms it was indexed. */
  async send(body: Buffer): Promise<void> {
    const headers: Record<string, string> = { Authorization: `Splunk ${this.token}` };
    if (this.options.gzip) headers['Content-Encoding'] = 'gzip';
    // Docker sends a new channel per request and never polls; with splunk-ack the container's channel is kept.
    const channel = this.channel ?? (this.options.indexAcknowledgment ? randomUUID() : undefined);
    if (channel !== undefined) headers['X-Splunk-Request-Channel'] = channel;
    const res = await this.request('POST', EVENT_PATH, headers, body);
    if (res.statusCode !== 200) {
      // The text is the same on every attempt, so the router warns of a 401 once (the repeats go to debug).
      throw this.fail(splunkError('TSLOGS_SPLUNK_SEND', res.status, errorBody(res)), retryableStatus(res.statusCode));
    }
    if (this.channel === undefined) return;
    const ackId = (parseJson(res.body) as { ackId?: unknown } | undefined)?.ackId;
    if (typeof ackId !== 'number') {
      // Retrying cannot help (the token has acks off) and HEC did accept the batch.
      if (!this.ackDisabledReported) this.log.warn(splunkError('TSLOGS_SPLUNK_ACK_DISABLED').message);
      this.ackDisabledReported = true;
      return;
    }
    await this.waitForAck(ackId, this.channel, headers.Authorization!);
  }

  /**
   * Polls /services/collector/ack until the id is acknowledged, or the deadline, or a
   * poll that cannot reach HEC; then the batch fails retryably so that the router
   * sends it again (a duplicate at worst, never a loss).
   */
  private async waitForAck(ackId: number, channel: string, authorization: string): Promise<void> {
    const deadline = Date.now() + this.options.ackTimeoutMs;
    const body = Buffer.from(JSON.stringify({ acks: [ackId] }));
    const headers = { Authorization: authorization, 'X-Splunk-Request-Channel': channel };
    for (let delay = ACK_POLL_FIRST_MS; ; delay = Math.min(delay * 2, ACK_POLL_MAX_MS)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        await sleep(Math.min(delay, left), undefined, { signal: this.closing.signal });
      } catch {
        break;
      }
      try {
        const res = await this.request('POST', ACK_PATH, headers, body);
        const acks = (parseJson(res.body) as { acks?: Record<string, unknown> } | undefined)?.acks;
        if (res.statusCode === 200 && acks?.[String(ackId)] === true) return;
      } catch (e) {
        // HEC keeps ack ids in memory: one that went away (a restart) will never confirm
        // this id, so waiting out splunk-ack's deadline would only stall the container's
        // delivery. Sent again once HEC is back: a duplicate at worst.
        if (this.closing.signal.aborted) break;
        throw this.fail(splunkError('TSLOGS_SPLUNK_ACK_LOST', String(ackId), (e as Error).message), true);
      }
    }
    throw this.fail(splunkError('TSLOGS_SPLUNK_ACK_TIMEOUT', String(ackId), this.options.ackTimeoutMs), true);
  }

  /** Ends polls and requests in progress (they fail retryably) and closes the connections. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.pool.destroy();
  }
}

function errorBody(res: Response): string {
  return res.body.subarray(0, MAX_ERROR_BODY).toString('utf8');
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The cause of a failed request, with Node's error code when the text lacks it (TLS errors). */
function describe(e: unknown): string {
  const err = e as { message?: unknown; code?: unknown };
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  // DOMException codes are numbers and say nothing; Node's and undici's are names.
  return typeof err.code === 'string' && !text.includes(err.code) ? `${text} (${err.code})` : text;
}
