import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { buildServer, listenOnSocket } from '../protocol/server.js';
import { currentLogPath, makeDir } from '../store/layout.js';
import { packageVersion } from '../util/package-version.js';
import { checkHealth } from './health.js';
import { createMetrics } from './metrics.js';
import { serveMetrics } from './metrics-listener.js';
import { PluginDriver } from './plugin-driver.js';
import type { PluginSettings } from './settings.js';

export { type PluginSettings, settingsFromEnv } from './settings.js';
import { RemovedContainersPruner } from './removed-pruner.js';
import { BUILTIN_SINKS } from '../sinks/registry.js';
import { RoutesReloader } from './routes-reloader.js';
import { routesReport } from './routes-report.js';

/** Runs the plugin daemon until SIGTERM or SIGINT, then flushes everything and exits 0. */
export async function runPlugin(settings: PluginSettings): Promise<void> {
  const logger = pino({ level: settings.logLevel, base: { name: 'tslogs' } });
  // Every setting is a path, an address, a name or a number: none is a secret.
  const shown = { ...settings, metricsAddress: settings.metricsAddress?.display };
  logger.info({ version: packageVersion(), settings: shown }, 'tslogs plugin starting');
  const driver = new PluginDriver({ root: settings.root, hostname: settings.hostname, log: logger, registry: BUILTIN_SINKS });
  const reloader = new RoutesReloader(settings.routesFile, driver, BUILTIN_SINKS, logger);
  // Before the sessions resume: a resumed container names its routes. A bad file is no reason to stop logging.
  reloader.reload('start');
  // At once: SIGHUP's default action would end the daemon.
  process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
  const { retainRemoved, dockerContainers, pruneInterval } = settings.retention;
  const pruner =
    retainRemoved === 'forever' ? undefined : new RemovedContainersPruner(driver, { retainMs: retainRemoved, dockerContainers, intervalMs: pruneInterval }, logger);
  if (pruner !== undefined) driver.onStart((id) => pruner.containerStarted(id));
  const metrics = createMetrics({
    ingest: () => driver.ingestViews(),
    deliveries: () => driver.router.views(),
    logPath: (id) => currentLogPath(settings.root, id),
    pruner: () => pruner?.view,
    routes: () => reloader.view,
  });
  const health = () => checkHealth({
    store: settings.root,
    deliveries: () => driver.router.views(),
    blockedWrites: () => driver.blockedWrites(),
    settings: { ...shown, logLevel: logger.level },
  });
  const routes = {
    reload: () => reloader.reload('tslogs reload'),
    report: () => routesReport(settings.routesFile, driver.routes, driver.router.views(), BUILTIN_SINKS, reloader.last),
  };
  const app = buildServer({ driver, logger, metrics, health, routes });
  makeDir(settings.root);
  makeDir(path.join(settings.root, 'containers'));
  // Usually dockerd's directory, left as it is; one we create lets nobody else write where the socket goes.
  fs.mkdirSync(path.dirname(settings.socket), { recursive: true, mode: 0o755 });
  await driver.resume();
  await listenOnSocket(app, settings.socket);
  logger.info(`tslogs plugin listening on ${settings.socket}, storing logs in ${settings.root}`);
  pruner?.start();
  reloader.watch();
  const address = settings.metricsAddress;
  const metricsApp = address === undefined ? undefined : await serveMetrics(address, metrics, health);
  if (address !== undefined) logger.info(`metrics on http://${address.display}/metrics, health on http://${address.display}/healthz`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: flushing and exiting`);
    reloader.stop();
    await pruner?.stop();
    await driver.shutdown();
    await app.close();
    await metricsApp?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
