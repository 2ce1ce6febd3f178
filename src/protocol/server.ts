import fs from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type ErrorCode, TslogsError, tslogsError } from '../errors.js';
import { registerCliApi, type RoutesApi } from './cli-api.js';
import type { LogDriver } from './log-driver.js';
import { parseReadLogs, parseStartLogging, parseStopLogging } from './messages.js';
import { sendFrames } from './stream-reply.js';

export interface ServerOptions {
  driver: LogDriver;
  logger?: FastifyBaseLogger;
  /** Served as Prometheus text on GET /metrics. */
  metrics?: Registry;
  /** Served on GET /healthz. */
  health?: HealthCheck;
  /** POST /tslogs/reload and GET /tslogs/routes. */
  routes?: RoutesApi;
}

/** A health report; `status` other than 'ok' is answered 503. */
export type HealthCheck = () => Promise<{ status: string }>;

/**
 * The docker.logdriver/1.0 endpoints (docs/docker-compat.md §4). dockerd POSTs JSON without a
 * Content-Type, so one catch-all parser takes every body as bytes.
 */
export function buildServer({ driver, logger, metrics, health, routes }: ServerOptions): FastifyInstance {
  // Per-request log lines would be one per container start and `docker logs`: too chatty for a log driver.
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch (err) {
      done(tslogsError('TSLOGS_BAD_REQUEST', endpoint(req.url), notJson(err as Error, body.length)), undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode ?? (err instanceof TslogsError && CLIENT_ERRORS.has(err.code) ? 400 : 500);
    void reply.code(status).send({ Err: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ Err: `tslogs does not implement ${req.method} ${req.url}` });
  });

  if (metrics !== undefined) registerMetricsRoute(app, metrics);
  if (health !== undefined) registerHealthRoute(app, health);
  registerCliApi(app, driver, routes);

  app.post('/Plugin.Activate', async () => ({ Implements: ['LogDriver'] }));
  app.post('/LogDriver.Capabilities', async () => ({ Cap: { ReadLogs: true } }));

  app.post('/LogDriver.StartLogging', async (req) => {
    const request = parseStartLogging(req.body); // a malformed body is a 400, not a failed start
    try {
      await driver.startLogging(request);
      return {};
    } catch (err) {
      // dockerd shows a 200 answer's Err as "error creating logger: <Err>".
      return { Err: (err as Error).message };
    }
  });

  app.post('/LogDriver.StopLogging', async (req) => {
    try {
      driver.stopLogging(parseStopLogging(req.body).File);
    } catch (err) {
      req.log.warn(`StopLogging: ${(err as Error).message}`);
    }
    return {};
  });

  app.post('/LogDriver.ReadLogs', async (req, reply) => {
    const request = parseReadLogs(req.body);
    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    return sendFrames(req, reply, driver.readLogs(request, abort.signal), 'application/x-json-stream', 'ReadLogs');
  });

  return app;
}

/** Errors in what the client sent: answered 400. */
const CLIENT_ERRORS: ReadonlySet<ErrorCode> = new Set(['TSLOGS_BAD_REQUEST', 'TSLOGS_BAD_CONTAINER_ID', 'TSLOGS_BAD_TIME']);

function endpoint(url: string): string {
  const end = url.indexOf('?');
  return (end < 0 ? url : url.slice(0, end)).replace(/^\//, '');
}

/** V8's parser messages quote the body; say where it broke instead. */
function notJson(err: Error, length: number): string {
  const at = /at position (\d+)/.exec(err.message);
  if (at !== null) return `not valid JSON (error at byte ${at[1]} of ${length})`;
  if (err.message.includes('end of JSON')) return `not valid JSON (it ends after ${length} bytes, inside a value)`;
  return `not valid JSON (${length} bytes)`;
}

export function registerMetricsRoute(app: FastifyInstance, metrics: Registry): void {
  app.get('/metrics', async (_req, reply) => reply.header('Content-Type', metrics.contentType).send(await metrics.metrics()));
}

export function registerHealthRoute(app: FastifyInstance, health: HealthCheck): void {
  app.get('/healthz', async (_req, reply) => {
    const report = await health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
}

/** Owner (root: dockerd) and group only: through the socket anyone can read every container's log. */
export const SOCKET_MODE = 0o660;

/**
 * Listens on a unix socket with mode SOCKET_MODE whatever the umask, removing a stale
 * socket file a crash left behind. The socket is bound inside a fresh 0700 directory,
 * chmodded, then renamed into place, so it is never reachable with a wider mode.
 */
export async function listenOnSocket(app: FastifyInstance, socketPath: string): Promise<void> {
  try {
    if (fs.statSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const privateDir = fs.mkdtempSync(path.join(path.dirname(socketPath), '.tslogs-'));
  let inode: number;
  try {
    fs.chmodSync(privateDir, 0o700);
    const bound = path.join(privateDir, 's');
    await app.listen({ path: bound });
    fs.chmodSync(bound, SOCKET_MODE);
    fs.renameSync(bound, socketPath);
    inode = fs.statSync(socketPath).ino;
  } finally {
    fs.rmSync(privateDir, { recursive: true, force: true });
  }
  // Node unlinks the path it bound, which is gone: remove the renamed socket ourselves.
  app.server.once('close', () => {
    try {
      if (fs.statSync(socketPath).ino === inode) fs.unlinkSync(socketPath);
    } catch {
      // already gone
    }
  });
}
