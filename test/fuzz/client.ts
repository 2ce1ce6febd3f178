// Requests on the plugin socket with a liveness bound: an answer that does not come
// within HANG_MS is a hang (the watchdog's verdict, not a performance figure).
import http from 'node:http';
import net from 'node:net';

export const HANG_MS = 15_000;

export class Hang extends Error {}

export interface Answer {
  status: number;
  body: Buffer;
}

export interface Request {
  method?: string;
  path: string;
  body?: Buffer;
  headers?: Record<string, string | number>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Sends a request and reads the whole answer; rejects with Hang after `boundMs`. */
export function send(socket: string, req: Request, boundMs = HANG_MS): Promise<Answer> {
  const body = req.body ?? Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const r = http.request(
      { socketPath: socket, agent, method: req.method ?? 'POST', path: req.path, headers: { 'Content-Length': body.length, ...req.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Hang(`${req.method ?? 'POST'} ${req.path} did not answer within ${boundMs} ms`));
    }, boundMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    r.end(body);
  });
}

/** POSTs a JSON value (or raw bytes) as dockerd does. */
export function call(socket: string, method: string, body?: unknown): Promise<Answer> {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body) + '\n');
  return send(socket, { path: `/${method}`, ...(bytes && { body: bytes }) });
}

/** `Err` of a JSON answer ('' for none). */
export function errOf(answer: Answer): string {
  try {
    const json = JSON.parse(answer.body.toString('utf8')) as { Err?: unknown };
    return typeof json.Err === 'string' ? json.Err : '';
  } catch {
    return '';
  }
}

/**
 * Raw bytes on a fresh connection (requests no HTTP client sends: cut short, bad
 * framing). Resolves with what came back once the daemon closes or `quietMs` passes
 * without an answer; the connection is then closed by us.
 */
export function raw(socket: string, bytes: Buffer, closeAfterWrite: boolean, quietMs = 200): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const c = net.connect(socket);
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      c.destroy();
      resolve(Buffer.concat(chunks));
    };
    c.on('connect', () => {
      c.write(bytes);
      if (closeAfterWrite) c.end();
      timer = setTimeout(finish, quietMs);
    });
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('close', finish);
    c.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish() : reject(err)));
  });
}

/** `promise`, or a Hang naming `what` after `boundMs`. */
export function bounded<T>(promise: Promise<T>, what: string, boundMs = HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Hang(`${what} did not finish within ${boundMs} ms`)), boundMs)));
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}
