// The keep-alive connection pool the HTTP sinks (Splunk HEC, OTLP/HTTP, Loki) send through.
import { buildConnector, type Dispatcher, Pool } from 'undici';
import { MIN_TLS_VERSION } from './tls-minimum.js';

export interface HttpTls {
  /** Replaces the system roots when given. */
  ca?: string | string[] | undefined;
  /** A client certificate and its key, both or neither. */
  cert?: string | undefined;
  key?: string | undefined;
  /** The name the server's certificate must carry, when not the URL's host. */
  servername?: string | undefined;
  rejectUnauthorized: boolean;
}

/**
 * One pool to `origin`, TLS 1.2 at least. undici sets a server name per request from
 * the host, which would override a connector option: a configured one is put back on
 * each connection, as Go's tls.Config.ServerName wins there.
 */
export function httpPool(origin: string, connections: number, tls: HttpTls | undefined, more: Pool.Options = {}): Pool {
  if (tls === undefined) return new Pool(origin, { ...more, connections });
  const connector = buildConnector({
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.cert !== undefined && { cert: tls.cert, key: tls.key }),
    rejectUnauthorized: tls.rejectUnauthorized,
    minVersion: MIN_TLS_VERSION,
  });
  const servername = tls.servername;
  return new Pool(origin, {
    ...more,
    connections,
    connect: servername === undefined ? connector : (opts, callback) => connector({ ...opts, servername }, callback),
  });
}

/** `text` with each secret cut out: a receiver may echo what it was sent into an error. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => t.split(s).join('<redacted>'), text);
}

/** A request that got no answer: `closed` when the sink was closing, else why, in words. */
export class RequestFailure extends Error {
  constructor(
    message: string,
    readonly closed: boolean,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

export interface Post {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Aborted when the sink closes. */
  closing: AbortSignal;
  timeoutMs: number;
  /** The option that sets the timeout, named when it ran out. */
  timeoutOption: string;
}

/** One POST through `pool`; rejects with a RequestFailure when no answer came. */
export async function post(pool: Pool, p: Post): Promise<Dispatcher.ResponseData> {
  try {
    return await pool.request({ method: 'POST', path: p.path, headers: p.headers, body: p.body, signal: AbortSignal.any([p.closing, AbortSignal.timeout(p.timeoutMs)]) });
  } catch (e) {
    throw new RequestFailure(p.closing.aborted ? 'closed' : describeFailure(e, p.timeoutMs, p.timeoutOption), p.closing.aborted);
  }
}

/** The cause of a failed request, with Node's error code when the text lacks it (TLS errors). */
function describeFailure(e: unknown, timeoutMs: number, timeoutOption: string): string {
  const err = e as { name?: unknown; message?: unknown; code?: unknown };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms (${timeoutOption})`;
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  return typeof err.code === 'string' && !text.includes(err.code) ? `${text} (${err.code})` : text;
}
