import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Registry } from 'prom-client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { registerCliApi } from './cli-api.js';
import { parseReadLogs, parseStartLogging, parseStopLogging, type ReadLogsRequest, type StartLoggingRequest } from './messages.js';

/** What the HTTP layer needs from the daemon; nothing here knows about files or stores. */
export interface LogDriver {
  startLogging(request: StartLoggingRequest): Promise<void>;
  /** Must not fail or wait for the FIFO: dockerd closes it only after the answer (docs/docker-compat.md §4.7). */
  stopLogging(file: string): void;
  /** Framed LogEntry bytes, batch by batch, until done or `signal` aborts. */
  readLogs(request: ReadLogsRequest, signal: AbortSignal): AsyncIterable<Buffer>;
}

export interface ServerOptions {
  driver: LogDriver;
  logger?: FastifyBaseLogger;
  /** Served as Prometheus text on GET /metrics. */
  metrics?: Registry;
}

/**
 * The docker.logdriver/1.0 endpoints (docs/docker-compat.md §4). dockerd POSTs JSON without a
 * Content-Type, so one catch-all parser takes every body as bytes.
 */
export function buildServer({ driver, logger, metrics }: ServerOptions): FastifyInstance {
  // Per-request log lines would be one per container start and `docker logs`: too chatty for a log driver.
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    void reply.code(err.statusCode ?? 500).send({ Err: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ Err: `tslogs does not implement ${req.method} ${req.url}` });
  });

  if (metrics !== undefined) registerMetricsRoute(app, metrics);
  registerCliApi(app, driver);

  app.post('/Plugin.Activate', async () => ({ Implements: ['LogDriver'] }));
  app.post('/LogDriver.Capabilities', async () => ({ Cap: { ReadLogs: true } }));

  app.post('/LogDriver.StartLogging', async (req) => {
    try {
      await driver.startLogging(parseStartLogging(req.body));
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
    const body = Readable.from(driver.readLogs(request, abort.signal), { objectMode: false });
    body.on('error', (err) => req.log.error(`ReadLogs: ${err.message}`));
    return reply.header('Content-Type', 'application/x-json-stream').send(body);
  });

  return app;
}

export function registerMetricsRoute(app: FastifyInstance, metrics: Registry): void {
  app.get('/metrics', async (_req, reply) => reply.header('Content-Type', metrics.contentType).send(await metrics.metrics()));
}

/** Listens on a unix socket, removing a stale socket file a crash left behind. */
export async function listenOnSocket(app: FastifyInstance, socketPath: string): Promise<void> {
  try {
    if (fs.statSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await app.listen({ path: socketPath });
}
