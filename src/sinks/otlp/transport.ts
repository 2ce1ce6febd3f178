// OTLP/HTTP over one keep-alive undici Pool per container: a POST per batch to
// <endpoint>/v1/logs, answered as opentelemetry-proto docs/specification.md says:
// 2xx is acknowledged (a partial success's rejected records are dropped, not sent
// again); 429, 502, 503 and 504 are retried, as are connection failures, timeouts and
// a receiver that closed without answering; every other status is refused for good.
// Retry-After is not honoured: the router's backoff (and its probe) paces retries.
// Header values never reach a message.

import type { Dispatcher, Pool } from 'undici';
import { httpPool, post, redactSecrets, type RequestFailure } from '../shared/http-pool.js';
import { packageVersion } from '../../util/package-version.js';
import type { Logger } from '../../util/log.js';
import { type SinkAck, SinkError } from '../sink.js';
import { otlpError } from './errors.js';
import type { OtlpOptions } from './options.js';
import { readExportResponse, readFailureMessage } from './response.js';

/** The spec's recommended limits: a client sends no larger request and reads no larger response. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_ERROR_CHARS = 1024;
const CONTENT_TYPES = { 'http/protobuf': 'application/x-protobuf', 'http/json': 'application/json' } as const;
const USER_AGENT = `tslogs/${packageVersion()} (OTLP/HTTP logs exporter; Node.js ${process.version})`;

interface Response {
  statusCode: number;
  status: string;
  contentType: string | undefined;
  body: Buffer;
}

export class OtlpTransport {
  private readonly pool: Pool;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly secrets: string[];
  private readonly closing = new AbortController();
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: OtlpOptions,
    /** `container <id> sink otlp`, in front of what the transport logs itself. */
    private readonly label: string,
    private readonly log: Logger,
  ) {
    this.url = options.origin + options.path;
    const user = options.headers.reveal();
    this.secrets = Object.values(user).filter((v) => v.length >= 4);
    this.headers = {
      ...user,
      'user-agent': USER_AGENT,
      'content-type': CONTENT_TYPES[options.protocol],
      ...(options.gzip && { 'content-encoding': 'gzip' }),
    };
    this.pool = httpPool(options.origin, options.maxInFlight, options.tls);
  }

  private fail(message: string, retryable: boolean): SinkError {
    return new SinkError(redactSecrets(message, this.secrets), retryable);
  }

  private async post(body: Buffer): Promise<Response> {
    let res: Dispatcher.ResponseData;
    try {
      res = await post(this.pool, { path: this.options.path, headers: this.headers, body, closing: this.closing.signal, timeoutMs: this.options.timeoutMs, timeoutOption: 'otlp-timeout' });
    } catch (e) {
      const failure = e as RequestFailure;
      throw this.fail(otlpError('TSLOGS_OTLP_REQUEST', this.url, failure.closed ? otlpError('TSLOGS_OTLP_CLOSED').message : failure.message).message, true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.body.destroy();
          throw this.fail(otlpError('TSLOGS_OTLP_RESPONSE_TOO_LARGE', this.url, MAX_RESPONSE_BYTES).message, false);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof SinkError) throw e;
      // The status arrived; a body cut short says no more than an empty one.
    }
    const type = res.headers['content-type'];
    return {
      statusCode: res.statusCode,
      status: res.statusText ? `${res.statusCode} ${res.statusText}` : String(res.statusCode),
      contentType: Array.isArray(type) ? type[0] : type,
      body: Buffer.concat(chunks),
    };
  }

  /** POSTs one request body holding `records` log records; resolves once the receiver answered 2xx. */
  async send(body: Buffer, records: number): Promise<SinkAck | undefined> {
    if (body.length > MAX_REQUEST_BYTES) throw this.fail(otlpError('TSLOGS_OTLP_REQUEST_TOO_LARGE', body.length, MAX_REQUEST_BYTES).message, false);
    const res = await this.post(body);
    if (res.statusCode < 200 || res.statusCode > 299) {
      const retryable = RETRYABLE.has(res.statusCode);
      const detail = readFailureMessage(res.body, res.contentType, MAX_ERROR_CHARS);
      throw this.fail(otlpError('TSLOGS_OTLP_STATUS', this.url, res.status, detail, retryable).message, retryable);
    }
    const { rejected, message } = readExportResponse(res.body, res.contentType);
    if (rejected > 0) {
      this.log.warn(`${this.label}: ${redactSecrets(otlpError('TSLOGS_OTLP_PARTIAL', rejected, records, message).message, this.secrets)}`);
      return { rejected };
    }
    if (message !== '') this.warnOnce(`${this.label}: ${redactSecrets(otlpError('TSLOGS_OTLP_WARNING', message).message, this.secrets)}`);
    return undefined;
  }

  /** A receiver's advice repeats with every request: once at warn, then at debug. */
  private warnOnce(text: string): void {
    if (this.warned.has(text) || this.warned.size > 100) return this.log.debug(text);
    this.warned.add(text);
    this.log.warn(text);
  }

  /** Ends requests in progress (they fail retryably) and closes the connections. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.pool.destroy();
  }
}
