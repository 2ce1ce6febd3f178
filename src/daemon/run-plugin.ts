import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildServer, listenOnSocket } from '../protocol/server.js';
import { DEFAULT_ROOT } from '../store/layout.js';
import { PluginDriver } from './plugin-driver.js';

export interface PluginSettings {
  /** Where container logs are stored (`<root>/containers/<id>/<id>-json.log`). */
  root: string;
  /** The plugin socket dockerd connects to. */
  socket: string;
  logLevel: string;
  /** The host name sinks put in messages (Docker uses the daemon host's). */
  hostname: string;
}

/** Settings from the environment: a managed plugin gets them from its config.json `env`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): PluginSettings {
  return {
    root: env.TSLOGS_ROOT || DEFAULT_ROOT,
    socket: env.TSLOGS_SOCKET || '/run/docker/plugins/tslogs.sock',
    logLevel: env.LOG_LEVEL || 'info',
    hostname: env.TSLOGS_HOSTNAME || os.hostname(),
  };
}

/** Runs the plugin daemon until SIGTERM or SIGINT, then flushes everything and exits 0. */
export async function runPlugin(settings: PluginSettings): Promise<void> {
  const logger = pino({ level: settings.logLevel, base: { name: 'tslogs' } });
  const driver = new PluginDriver({ root: settings.root, hostname: settings.hostname, report: (message) => logger.warn(message) });
  const app = buildServer({ driver, logger });
  fs.mkdirSync(settings.root, { recursive: true });
  fs.mkdirSync(path.dirname(settings.socket), { recursive: true });
  driver.resume();
  await listenOnSocket(app, settings.socket);
  logger.info(`tslogs plugin listening on ${settings.socket}, storing logs in ${settings.root}`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: flushing and exiting`);
    await driver.shutdown();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
