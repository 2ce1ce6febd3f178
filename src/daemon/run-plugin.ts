import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildServer, listenOnSocket, registerMetricsRoute } from '../protocol/server.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { currentLogPath, DEFAULT_ROOT, makeDir } from '../store/layout.js';
import { packageVersion } from '../util/package-version.js';
import { createMetrics } from './metrics.js';
import { PluginDriver } from './plugin-driver.js';
import { RemovedContainersPruner } from './removed-pruner.js';
import { type RetentionSettings, retentionFromEnv } from './retention-settings.js';

export interface PluginSettings {
  /** Where container logs are stored (`<root>/containers/<id>/<id>-json.log`). */
  root: string;
  /** The plugin socket dockerd connects to. */
  socket: string;
  logLevel: string;
  /** The host name sinks put in messages (Docker uses the daemon host's). */
  hostname: string;
  /** Also serve /metrics over TCP here (`host:port`), besides the plugin socket. */
  metricsAddress: string | undefined;
  /** What happens to the logs of containers removed with `docker rm`. */
  retention: RetentionSettings;
}

/** Settings from the environment: a managed plugin gets them from its config.json `env`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): PluginSettings {
  return {
    root: env.TSLOGS_ROOT || DEFAULT_ROOT,
    socket: env.TSLOGS_SOCKET || '/run/docker/plugins/tslogs.sock',
    logLevel: env.LOG_LEVEL || 'info',
    hostname: env.TSLOGS_HOSTNAME || os.hostname(),
    metricsAddress: env.TSLOGS_METRICS_ADDRESS || undefined,
    retention: retentionFromEnv(env),
  };
}

/** Runs the plugin daemon until SIGTERM or SIGINT, then flushes everything and exits 0. */
export async function runPlugin(settings: PluginSettings): Promise<void> {
  const logger = pino({ level: settings.logLevel, base: { name: 'tslogs' } });
  // Every setting is a path, an address or a name: none is a secret.
  logger.info({ version: packageVersion(), settings }, 'tslogs plugin starting');
  const driver = new PluginDriver({ root: settings.root, hostname: settings.hostname, log: logger });
  const { retainRemoved, dockerContainers, pruneInterval } = settings.retention;
  const pruner =
    retainRemoved === 'forever' ? undefined : new RemovedContainersPruner(driver, { retainMs: retainRemoved, dockerContainers, intervalMs: pruneInterval }, logger);
  if (pruner !== undefined) driver.onStart((id) => pruner.containerStarted(id));
  const metrics = createMetrics({
    ingest: () => driver.ingestViews(),
    deliveries: () => driver.router.views(),
    logPath: (id) => currentLogPath(settings.root, id),
    pruner: () => pruner?.view,
  });
  const app = buildServer({ driver, logger, metrics });
  makeDir(settings.root);
  makeDir(path.join(settings.root, 'containers'));
  // Usually dockerd's directory, left as it is; one we create lets nobody else write where the socket goes.
  fs.mkdirSync(path.dirname(settings.socket), { recursive: true, mode: 0o755 });
  await driver.resume();
  await listenOnSocket(app, settings.socket);
  logger.info(`tslogs plugin listening on ${settings.socket}, storing logs in ${settings.root}`);
  pruner?.start();
  const metricsApp = settings.metricsAddress === undefined ? undefined : await serveMetrics(settings.metricsAddress, metrics, logger);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: flushing and exiting`);
    await pruner?.stop();
    await driver.shutdown();
    await app.close();
    await metricsApp?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** /metrics on TCP for Prometheus, which cannot scrape a unix socket. */
async function serveMetrics(address: string, metrics: Registry, logger: pino.Logger): Promise<FastifyInstance> {
  const at = address.lastIndexOf(':');
  const host = at > 0 ? address.slice(0, at) : '127.0.0.1';
  const port = Number(address.slice(at + 1));
  const app = Fastify();
  registerMetricsRoute(app, metrics);
  await app.listen({ host, port });
  logger.info(`metrics on http://${address}/metrics`);
  return app;
}
