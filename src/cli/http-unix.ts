// Minimal HTTP over a unix socket (node:http with socketPath) for the tslogs daemon and
// the Docker engine API: no dependency, no agent (one request per connection).
import http from 'node:http';

export interface RequestOptions {
  body?: unknown;
  /** Abort the request when no answer has started after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sends a request and resolves with the response once its headers arrived. */
export function request(socketPath: string, method: string, path: string, options: RequestOptions = {}): Promise<http.IncomingMessage> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method,
        path,
        headers: { Host: 'localhost', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}) },
        signal: options.signal,
      },
      (res) => {
        clearTimeout(timer);
        resolve(res);
      },
    );
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => req.destroy(new Error(`no answer on ${socketPath} within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(payload);
  });
}

export function readBody(res: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

/** GET/POST returning JSON; a non-2xx answer becomes an HttpError with the server's message. */
export async function requestJson<T>(socketPath: string, method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(socketPath, method, path, options);
  const body = await readBody(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new HttpError(status, errorText(body, status));
  return JSON.parse(body.toString('utf8')) as T;
}

/** The message of an error answer: tslogs' `{"Err": …}`, Docker's `{"message": …}`, or the text. */
export function errorText(body: Buffer, status: number): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { Err?: unknown; message?: unknown };
    if (typeof parsed.Err === 'string') return parsed.Err;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text === '' ? `HTTP ${status}` : text;
}
