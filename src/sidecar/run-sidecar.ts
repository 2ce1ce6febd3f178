// `tslogs sidecar`: settings, sink options, the Sidecar, /metrics, and a clean SIGTERM
// (batches in flight acknowledged and checkpointed before exit).
import http from 'node:http';
import { pino } from 'pino';
import { parseContainerOptions } from '../router/container-options.js';
import { createMetrics } from '../daemon/metrics.js';
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
  const metrics = settings.metricsAddress === undefined ? undefined : await serveMetrics(settings.metricsAddress, sidecar, settings.dockerDir);
  logger.info(`tslogs sidecar: watching ${settings.dockerDir}, state in ${settings.stateDir}, sinks: ${sinkNames(options, registry, settings.hostname)}` +
    (metrics === undefined ? '' : `, metrics on http://${settings.metricsAddress}/metrics`));

  let stopping: Promise<boolean> | undefined;
  const stop = (): Promise<boolean> => {
    stopping ??= (async () => {
      const clean = await sidecar.shutdown(settings.shutdownTimeoutMs);
      if (!clean) logger.warn(`shutdown: batches still in flight after ${settings.shutdownTimeoutMs} ms; they will be sent again after the restart`);
      await new Promise<void>((resolve) => (metrics === undefined ? resolve() : metrics.close(() => resolve())));
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

function serveMetrics(address: string, sidecar: Sidecar, dockerDir: string): Promise<http.Server> {
  const registry = createMetrics({
    ingest: () => [],
    deliveries: () => sidecar.router.views(),
    logPath: (id) => `${dockerDir}/${id}/${id}-json.log`,
  });
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  const at = address.lastIndexOf(':');
  const host = at > 0 ? address.slice(0, at) : '127.0.0.1';
  const port = Number(address.slice(at + 1));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
