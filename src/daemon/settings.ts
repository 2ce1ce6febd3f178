// The plugin daemon's settings: every one comes from the environment, which a managed
// plugin takes from plugin/config.json `env` (changed with `docker plugin set`). This
// table is the one list: README's "Daemon settings" table and plugin/config.json are
// checked against it (test/unit/daemon/settings.test.ts).
import os from 'node:os';
import { tslogsError } from '../errors.js';
import { DEFAULT_ROOT } from '../store/layout.js';
import { type ListenAddress, parseListenAddress } from './listen-address.js';
import { DEFAULT_DOCKER_CONTAINERS, type RetentionSettings, retentionFromEnv } from './retention-settings.js';

export interface SettingSpec {
  name: string;
  /** As documented; '' when unset means something (said in `meaning`). */
  default: string;
  meaning: string;
  /**
   * `value`: `docker plugin set NAME KEY=VALUE` on the managed plugin. `mount`: fixed inside
   * the plugin, where it must match config.json (a mount or the socket); set with `plugin`.
   */
  managed: 'value' | { fixed: string };
}

/** Under /etc/tslogs, which the managed plugin mounts from the host (the `certs` mount). */
export const DEFAULT_ROUTES_FILE = '/etc/tslogs/routes.json';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const DAEMON_SETTINGS: readonly SettingSpec[] = [
  { name: 'TSLOGS_ROOT', default: DEFAULT_ROOT, meaning: 'the log store: containers/<id>/ (logs, checkpoints), sessions/', managed: { fixed: 'store.source=/host/dir' } },
  { name: 'TSLOGS_SOCKET', default: '/run/docker/plugins/tslogs.sock', meaning: 'the plugin API socket (docker.logdriver/1.0, the CLI API, /metrics, /healthz)', managed: { fixed: 'interface.socket (tslogs.sock in the plugin\'s directory)' } },
  { name: 'LOG_LEVEL', default: 'info', meaning: `the daemon log's level: ${LOG_LEVELS.join(', ')}`, managed: 'value' },
  { name: 'TSLOGS_HOSTNAME', default: '', meaning: 'the host name sinks put in messages (empty: the machine\'s, as Docker\'s drivers do)', managed: 'value' },
  { name: 'TSLOGS_METRICS_ADDRESS', default: '', meaning: 'also serve /metrics and /healthz over TCP: host:port, [v6]:port, :port (127.0.0.1) or host alone (port 9400); empty: only on the plugin socket', managed: 'value' },
  { name: 'TSLOGS_ROUTES_FILE', default: DEFAULT_ROUTES_FILE, meaning: "the routes file: named sink settings containers use with --log-opt sinks=NAME, re-read on change, SIGHUP or tslogs reload; absent: no routes (a managed plugin sees it under the certs mount, /etc/tslogs)", managed: 'value' },
  { name: 'TSLOGS_RETAIN_REMOVED', default: '0', meaning: 'how long the logs of a removed container are kept: a Go duration (0: deleted within a minute of docker rm) or forever', managed: 'value' },
  { name: 'TSLOGS_PRUNE_INTERVAL', default: '30s', meaning: 'how often stored containers are checked for removal (a Go duration, at least 100ms)', managed: 'value' },
  { name: 'TSLOGS_DOCKER_CONTAINERS', default: DEFAULT_DOCKER_CONTAINERS, meaning: "dockerd's <data-root>/containers: a stored container whose directory there is gone was removed", managed: { fixed: 'docker-containers.source=/host/dir' } },
  { name: 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY', default: '5s', meaning: 'Docker\'s splunk tunable: longest wait for a batch to fill (Go duration)', managed: 'value' },
  { name: 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE', default: '1000', meaning: 'Docker\'s splunk tunable: events per HEC request', managed: 'value' },
  { name: 'SPLUNK_LOGGING_DRIVER_BUFFER_MAX', default: '10000', meaning: 'Docker\'s splunk tunable: validated only (the store replaces Docker\'s in-memory buffer)', managed: 'value' },
  { name: 'SPLUNK_LOGGING_DRIVER_CHANNEL_SIZE', default: '4000', meaning: 'Docker\'s splunk tunable: validated only (as BUFFER_MAX)', managed: 'value' },
];

export interface PluginSettings {
  /** Where container logs are stored (`<root>/containers/<id>/<id>-json.log`). */
  root: string;
  /** The plugin socket dockerd connects to. */
  socket: string;
  logLevel: string;
  /** The host name sinks put in messages (Docker uses the daemon host's). */
  hostname: string;
  /** Also serve /metrics and /healthz over TCP here, besides the plugin socket. */
  metricsAddress: ListenAddress | undefined;
  /** The SPLUNK_LOGGING_DRIVER_* tunables as given (the splunk sink validates them per container). */
  splunk: Record<string, string>;
  /** The routes file (README "Routes"); it need not exist. */
  routesFile: string;
  /** What happens to the logs of containers removed with `docker rm`. */
  retention: RetentionSettings;
}

/** Settings from the environment; throws TslogsError naming the setting when one is invalid. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): PluginSettings {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw tslogsError('TSLOGS_SETTING', 'LOG_LEVEL', logLevel, `expected one of ${LOG_LEVELS.join(', ')}`);
  let metricsAddress: ListenAddress | undefined;
  if (env.TSLOGS_METRICS_ADDRESS) {
    const parsed = parseListenAddress(env.TSLOGS_METRICS_ADDRESS);
    if (typeof parsed === 'string') throw tslogsError('TSLOGS_SETTING', 'TSLOGS_METRICS_ADDRESS', env.TSLOGS_METRICS_ADDRESS, parsed);
    metricsAddress = parsed;
  }
  const splunk: Record<string, string> = {};
  for (const { name } of DAEMON_SETTINGS) if (name.startsWith('SPLUNK_') && env[name]) splunk[name] = env[name];
  return {
    root: env.TSLOGS_ROOT || DEFAULT_ROOT,
    socket: env.TSLOGS_SOCKET || '/run/docker/plugins/tslogs.sock',
    logLevel,
    hostname: env.TSLOGS_HOSTNAME || os.hostname(),
    metricsAddress,
    splunk,
    routesFile: routesFile(env.TSLOGS_ROUTES_FILE),
    retention: retentionFromEnv(env),
  };
}

function routesFile(value: string | undefined): string {
  if (!value) return DEFAULT_ROUTES_FILE;
  // The daemon's working directory is no place anyone would look for it.
  if (!value.startsWith('/')) throw tslogsError('TSLOGS_SETTING', 'TSLOGS_ROUTES_FILE', value, 'expected an absolute path, such as /etc/tslogs/routes.json');
  return value;
}
