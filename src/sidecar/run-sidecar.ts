// `tslogs sidecar`: settings, sink options, the Sidecar, /metrics, and a clean SIGTERM
// (batches in flight acknowledged and checkpointed before exit).
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { parseContainerOptions } from '../router/container-options.js';
import { checkHealth } from '../daemon/health.js';
import { parseListenAddress } from '../daemon/listen-address.js';
import { createMetrics } from '../daemon/metrics.js';
import { serveMetrics } from '../daemon/metrics-listener.js';
import { TslogsError, tslogsError } from '../errors.js';
import { BUILTIN_SINKS, type SinkRegistry } from '../sinks/registry.js';
import { type Logger, silentLogger } from '../util/log.js';
import { packageVersion } from '../util/package-version.js';
import { ownContainerId } from './self-container.js';
import { parseSidecarArgs, SIDECAR_USAGE, type SidecarSettings } from './settings.js';
import { Sidecar } from './sidecar.js';
import { loadSinkOptions, probeInfo } from './sink-options.js';

/** `tslogs sidecar …`: the CLI's entry point. Exit code, or -1 while it runs (until a signal). */
export async function runSidecarCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings: SidecarSettings;
  try {
    settings = parseSidecarArgs(argv, env);
  } catch (err) {
    process.stderr.write(`tslogs sidecar: ${(err as Error).message}\n\nRun 'tslogs sidecar --help' for the flags.\n`);
    return 2;
  }
  if (settings.help) {
    process.stdout.write(SIDECAR_USAGE);
    return 0;
  }
  try {
    const running = await startSidecar(settings, env);
    running.exitOnSignals();
  } catch (err) {
    if (!(err instanceof TslogsError)) throw err;
    process.stderr.write(`tslogs sidecar: ${err.message}\n`);
    return 1;
  }
  return -1;
}

export interface RunningSidecar {
  sidecar: Sidecar;
  /** Stops everything; true when every delivery checkpointed within the timeout. */
  stop(): Promise<boolean>;
  /** SIGTERM/SIGINT: stop, then exit 0. */
  exitOnSignals(): void;
}

/** Validates everything, then starts; throws TslogsError with a message for the operator. */
export async function startSidecar(settings: SidecarSettings, env: NodeJS.ProcessEnv = process.env, registry: SinkRegistry = BUILTIN_SINKS): Promise<RunningSidecar> {
  const logger = pino({ level: settings.logLevel, base: { name: 'tslogs-sidecar' } });
  // The token is in the sink options, which are not logged; the settings hold none.
  logger.info({ version: packageVersion(), settings }, 'tslogs sidecar starting');
  const loaded = loadSinkOptions({ configFile: settings.configFile, env, registry });
  for (const name of loaded.ignoredEnv) logger.warn(`${name} is neither a tslogs option nor a setting: ignored`);
  const options = await checkSinkOptions(loaded.options, loaded.origin, settings, registry, logger);
  const selfId = ownContainerId();
  const sidecar = new Sidecar({
    dockerDir: settings.dockerDir,
    stateDir: settings.stateDir,
    sinkOptions: options,
    registry,
    rules: settings.rules,
    startAt: settings.startAt,
    hostname: settings.hostname,
    rescanMs: settings.rescanMs,
    pollMs: settings.pollMs,
    selfId,
    log: logger,
  });
  sidecar.start();
  let listeners: Listeners;
  try {
    listeners = await serveSidecar(settings, sidecar);
  } catch (err) {
    await sidecar.shutdown(0);
    throw err instanceof TslogsError ? err : tslogsError('TSLOGS_SIDECAR_USAGE', `cannot listen: ${(err as Error).message}`);
  }
  logger.info(`tslogs sidecar: watching ${settings.dockerDir}, state in ${settings.stateDir}, sinks: ${sinkNames(options, registry, settings.hostname)}` +
    (settings.metricsAddress === undefined ? '' : `, metrics on http://${settings.metricsAddress}/metrics`) + `, health on ${healthSocketPath(settings.stateDir)}`);

  let stopping: Promise<boolean> | undefined;
  const stop = (): Promise<boolean> => {
    stopping ??= (async () => {
      const clean = await sidecar.shutdown(settings.shutdownTimeoutMs);
      if (!clean) logger.warn(`shutdown: batches still in flight after ${settings.shutdownTimeoutMs} ms; they will be sent again after the restart`);
      await listeners.close();
      return clean;
    })();
    return stopping;
  };
  return {
    sidecar,
    stop,
    exitOnSignals: () => {
      const onSignal = (signal: string) => {
        logger.info(`${signal}: finishing batches in flight and exiting`);
        void stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
    },
  };
}

/**
 * Validates the sink options once, as a container's would be, so a mistake stops the
 * sidecar at start rather than being reported per container. `splunk-verify-connection`
 * is checked here, once, instead of before each container's deliveries.
 */
async function checkSinkOptions(
  options: Record<string, string>,
  origin: Record<string, string>,
  settings: SidecarSettings,
  registry: SinkRegistry,
  log: Logger,
): Promise<Record<string, string>> {
  const sources = [...new Set(Object.values(origin))].join(', ') || 'none given';
  let parsed;
  try {
    parsed = parseContainerOptions(probeInfo(options), registry, log, settings.hostname);
  } catch (err) {
    if (err instanceof TslogsError) throw tslogsError('TSLOGS_SIDECAR_OPTIONS', sources, err.message);
    throw err;
  }
  if (parsed.sinks.length === 0) throw tslogsError('TSLOGS_SIDECAR_NO_SINK', sources);
  const checked = { ...options };
  for (const { definition, options: sinkOptions } of parsed.sinks) {
    const sink = definition.create(sinkOptions, { info: probeInfo(options), hostname: settings.hostname, log: log.child({ sink: definition.name }) });
    if (sink.openBeforeStart !== true) continue;
    try {
      await sink.open();
    } catch (err) {
      throw tslogsError('TSLOGS_SIDECAR_VERIFY', definition.name, (err as Error).message);
    } finally {
      await sink.close().catch(() => undefined);
    }
  }
  delete checked['splunk-verify-connection'];
  return checked;
}

function sinkNames(options: Record<string, string>, registry: SinkRegistry, hostname: string): string {
  return parseContainerOptions(probeInfo(options), registry, silentLogger, hostname).sinks.map((s) => s.definition.name).join(', ');
}

/** The health socket's place in the state directory, where `tslogs health --sidecar` (the image's HEALTHCHECK) finds it. */
export function healthSocketPath(stateDir: string): string {
  return path.join(stateDir, 'health.sock');
}

interface Listeners {
  close(): Promise<void>;
}

/** /healthz on the state directory's socket, always; /metrics and /healthz on --metrics-address when given. */
async function serveSidecar(settings: SidecarSettings, sidecar: Sidecar): Promise<Listeners> {
  const health = () => checkHealth({ store: settings.stateDir, deliveries: () => sidecar.router.views(), settings: { ...settings, rules: undefined } });
  const socket = healthSocketPath(settings.stateDir);
  fs.rmSync(socket, { force: true });
  const apps = [await serveMetrics({ path: socket }, undefined, health)];
  if (settings.metricsAddress !== undefined) {
    const address = parseListenAddress(settings.metricsAddress);
    if (typeof address === 'string') throw tslogsError('TSLOGS_SIDECAR_USAGE', `--metrics-address ${settings.metricsAddress}: ${address}`);
    const registry = createMetrics({
      ingest: () => [],
      deliveries: () => sidecar.router.views(),
      logPath: (id) => `${settings.dockerDir}/${id}/${id}-json.log`,
    });
    apps.push(await serveMetrics(address, registry, health));
  }
  return { close: async () => void (await Promise.all(apps.map((a) => a.close()))) };
}
