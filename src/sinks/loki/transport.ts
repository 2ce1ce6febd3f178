// Loki's push API over one keep-alive undici Pool per container: a POST of the
// snappy-compressed protobuf to loki-url, with basic auth from the URL's userinfo and
// X-Scope-OrgID from loki-tenant-id. As the promtail client the Loki driver uses: 2xx
// is acknowledged; 429 and 5xx are retried, as are connection failures, timeouts and
// a receiver that closed without answering; any other status is refused for good
// (Loki said the batch is wrong: too old, too long, bad labels), and the router counts
// the batch as dropped. Neither the password nor the tenant ID reaches a message.

import type { Dispatcher, Pool } from 'undici';
import { httpPool, post, redactSecrets, type RequestFailure } from '../shared/http-pool.js';
import { packageVersion } from '../../util/package-version.js';
import { SinkError } from '../sink.js';
import { lokiError } from './errors.js';
import type { LokiOptions } from './options.js';

const MAX_ERROR_CHARS = 1024;
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = `tslogs/${packageVersion()} (Loki push; Node.js ${process.version})`;

export class LokiTransport {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly secrets: string[];
  private readonly closing = new AbortController();

  constructor(private readonly options: LokiOptions) {
    const authorization = options.authorization.reveal();
    const tenant = options.tenantId.reveal();
    // Loki echoes neither, but a proxy in front of it might: both are cut out of every text.
    const credential = authorization?.slice('Basic '.length);
    const decoded = credential === undefined ? undefined : Buffer.from(credential, 'base64').toString('utf8');
    const password = decoded?.slice(decoded.indexOf(':') + 1);
    this.secrets = [credential, decoded, password, tenant].filter((s): s is string => s !== undefined && s.length >= 4);
    this.headers = {
      'user-agent': USER_AGENT,
      'content-type': 'application/x-protobuf',
      ...(authorization !== undefined && { authorization }),
      ...(tenant !== undefined && { 'x-scope-orgid': tenant }),
    };
    this.pool = httpPool(options.origin, 1, options.tls);
  }

  private fail(message: string, retryable: boolean): SinkError {
    return new SinkError(redactSecrets(message, this.secrets), retryable);
  }

  /** POSTs one push body; resolves once Loki answered 2xx. */
  async send(body: Buffer): Promise<void> {
    const url = this.options.shownUrl;
    let res: Dispatcher.ResponseData;
    try {
      res = await post(this.pool, { path: this.options.path, headers: this.headers, body, closing: this.closing.signal, timeoutMs: this.options.timeoutMs, timeoutOption: 'loki-timeout' });
    } catch (e) {
      const failure = e as RequestFailure;
      throw this.fail(lokiError('TSLOGS_LOKI_REQUEST', url, failure.closed ? lokiError('TSLOGS_LOKI_CLOSED').message : failure.message).message, true);
    }
    const text = await readText(res.body);
    if (res.statusCode >= 200 && res.statusCode <= 299) return;
    const retryable = res.statusCode === 429 || res.statusCode >= 500;
    const status = res.statusText ? `${res.statusCode} ${res.statusText}` : String(res.statusCode);
    throw this.fail(lokiError('TSLOGS_LOKI_STATUS', url, status, text, retryable).message, retryable);
  }

  /** Ends a request in progress (it fails retryably) and closes the connection. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.pool.destroy();
  }
}

/** The start of Loki's plain-text answer (the reason of a refusal), one line. */
async function readText(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        body.destroy();
        break;
      }
      chunks.push(chunk);
    }
  } catch {
    // The status arrived; a body cut short says no more than an empty one.
  }
  return Buffer.concat(chunks).toString('utf8', 0, MAX_ERROR_CHARS).replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}
