// `tslogs sidecar` settings: command-line flags, each also settable by a
// TSLOGS_SIDECAR_* environment variable (flags win). Sink options are not flags: they
// come from --config or TSLOGS_<OPTION> (src/sidecar/sink-options.ts).
import os from 'node:os';
import { parseGoDuration } from '../go/duration.js';
import { parseArgs } from 'node:util';
import { tslogsError } from '../errors.js';
import type { StartAt } from '../router/delivery.js';
import { BUILTIN_SINKS, secretOptionKeys } from '../sinks/registry.js';
import { EMPTY_RULES, parseLabelMatch, type SelectionRules } from './selection.js';
import { envNameOf } from './sink-options.js';

export const DEFAULT_DOCKER_DIR = '/var/lib/docker/containers';
export const DEFAULT_STATE_DIR = '/var/lib/tslogs-sidecar';

export interface SidecarSettings {
  /** Docker's per-container directories (`<dir>/<id>/<id>-json.log`, config.v2.json, hostconfig.json). */
  dockerDir: string;
  /** Checkpoints per container and sink, and the sidecar's first start time. */
  stateDir: string;
  configFile: string | undefined;
  /** Where containers that were already there at the sidecar's first start begin. */
  startAt: StartAt;
  rules: SelectionRules;
  /** Full rescans of the Docker directory besides fs.watch. */
  rescanMs: number;
  /** Stat polling of each container's files besides fs.watch. */
  pollMs: number;
  /** How long SIGTERM waits for batches in flight to be acknowledged and checkpointed. */
  shutdownTimeoutMs: number;
  metricsAddress: string | undefined;
  hostname: string;
  logLevel: string;
  help: boolean;
}

interface Flag {
  env: string;
  list?: boolean;
  boolean?: boolean;
}

const FLAGS: Record<string, Flag> = {
  'docker-dir': { env: 'TSLOGS_SIDECAR_DOCKER_DIR' },
  'state-dir': { env: 'TSLOGS_SIDECAR_STATE_DIR' },
  config: { env: 'TSLOGS_SIDECAR_CONFIG' },
  'start-at': { env: 'TSLOGS_SIDECAR_START_AT' },
  'include-label': { env: 'TSLOGS_SIDECAR_INCLUDE_LABEL', list: true },
  'exclude-label': { env: 'TSLOGS_SIDECAR_EXCLUDE_LABEL', list: true },
  'include-name': { env: 'TSLOGS_SIDECAR_INCLUDE_NAME', list: true },
  'exclude-name': { env: 'TSLOGS_SIDECAR_EXCLUDE_NAME', list: true },
  'include-image': { env: 'TSLOGS_SIDECAR_INCLUDE_IMAGE', list: true },
  'exclude-image': { env: 'TSLOGS_SIDECAR_EXCLUDE_IMAGE', list: true },
  'rescan-interval': { env: 'TSLOGS_SIDECAR_RESCAN_INTERVAL' },
  'poll-interval': { env: 'TSLOGS_SIDECAR_POLL_INTERVAL' },
  'shutdown-timeout': { env: 'TSLOGS_SIDECAR_SHUTDOWN_TIMEOUT' },
  'metrics-address': { env: 'TSLOGS_METRICS_ADDRESS' },
  'log-level': { env: 'LOG_LEVEL' },
  help: { env: '', boolean: true },
};

export const SIDECAR_USAGE = `Usage: tslogs sidecar [flags]

Forwards the json-file logs Docker keeps for this host's containers to the sinks
configured by --config and TSLOGS_* variables, with a checkpoint per container and sink.

Flags (each also settable by the environment variable shown):
  --docker-dir DIR          Docker's container directory       [TSLOGS_SIDECAR_DOCKER_DIR]
                            (default ${DEFAULT_DOCKER_DIR})
  --state-dir DIR           checkpoints                        [TSLOGS_SIDECAR_STATE_DIR]
                            (default ${DEFAULT_STATE_DIR})
  --config FILE             JSON object of sink options, e.g.  [TSLOGS_SIDECAR_CONFIG]
                            {"splunk-url": "https://splunk:8088", "splunk-index": "main"}
  --start-at end|beginning  containers already there at the first start: new lines
                            only (end, default) or their whole history  [TSLOGS_SIDECAR_START_AT]
  --include-label K[=V]     forward only containers with this label (repeatable)
  --exclude-label K[=V]     never forward containers with this label (repeatable)
  --include-name GLOB       ... whose name matches (repeatable)
  --exclude-name GLOB
  --include-image GLOB      ... whose image matches (nginx matches nginx:1.25)
  --exclude-image GLOB      (lists in the environment: TSLOGS_SIDECAR_INCLUDE_LABEL=a,b=c …)
  --rescan-interval DUR     full rescan of the Docker directory (default 500ms)
  --poll-interval DUR       stat polling of each container's files (default 250ms)
  --shutdown-timeout DUR    SIGTERM waits this long for batches in flight (default 8s)
  --metrics-address H:P     serve Prometheus /metrics             [TSLOGS_METRICS_ADDRESS]
  --log-level LEVEL         error, warn, info, debug (default info)  [LOG_LEVEL]

Sink options (Docker's --log-opt names) come from --config and from TSLOGS_ + the
option name in upper snake case, e.g. TSLOGS_SPLUNK_URL, TSLOGS_SPLUNK_INDEX (these win).
Secrets (splunk-token, otlp-headers): TSLOGS_SPLUNK_TOKEN, or a file named by
TSLOGS_SPLUNK_TOKEN_FILE or "splunk-token-file" in --config (the same for otlp-headers).
Never on the command line.
A container labelled tslogs.enable=false is never forwarded.
`;

const SECRET_KEYS = secretOptionKeys(BUILTIN_SINKS);

/** parseArgs only splits argv: checks and messages stay ours, one at a time in order. */
const PARSE_OPTIONS = Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.boolean === true ? 'boolean' : 'string' } as const]));

export function parseSidecarArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SidecarSettings {
  const values = new Map<string, string[]>();
  const { tokens } = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional' || (token.kind === 'option' && !token.rawName.startsWith('--'))) {
      throw tslogsError('TSLOGS_SIDECAR_USAGE', `unexpected argument '${argv[token.index]}'`);
    }
    const name = token.kind === 'option' ? token.name : '';
    if (SECRET_KEYS.has(name)) throw tslogsError('TSLOGS_SIDECAR_TOKEN_ARG', name, envNameOf(name));
    const flag = FLAGS[name];
    if (flag === undefined || token.kind !== 'option') {
      throw tslogsError('TSLOGS_SIDECAR_USAGE', `unknown flag --${name} (sink options such as --${name} go in --config or the environment, e.g. TSLOGS_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')})`);
    }
    let value: string;
    if (flag.boolean === true) {
      if (token.inlineValue === true) throw tslogsError('TSLOGS_SIDECAR_USAGE', `--${name} takes no value`);
      value = 'true';
    } else if (token.value === undefined) throw tslogsError('TSLOGS_SIDECAR_USAGE', `--${name} needs a value`);
    else value = token.value;
    if (!flag.list && values.has(name)) throw tslogsError('TSLOGS_SIDECAR_USAGE', `--${name} given twice`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const one = (name: string): string | undefined => values.get(name)?.[0] ?? (env[FLAGS[name]!.env] || undefined);
  const list = (name: string): string[] => {
    const given = values.get(name);
    if (given !== undefined) return given;
    const fromEnv = env[FLAGS[name]!.env];
    return fromEnv ? fromEnv.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
  };
  const duration = (name: string, fallback: number): number => {
    const text = one(name);
    if (text === undefined) return fallback;
    let ms: number;
    try {
      ms = parseGoDuration(text);
    } catch (err) {
      throw tslogsError('TSLOGS_SIDECAR_USAGE', `--${name}: ${(err as Error).message}`);
    }
    if (!(ms > 0)) throw tslogsError('TSLOGS_SIDECAR_USAGE', `--${name} must be positive, got '${text}'`);
    return ms;
  };
  const startAt = one('start-at') ?? 'end';
  if (startAt !== 'end' && startAt !== 'beginning') throw tslogsError('TSLOGS_SIDECAR_USAGE', `--start-at must be end or beginning, got '${startAt}'`);
  return {
    dockerDir: one('docker-dir') ?? DEFAULT_DOCKER_DIR,
    stateDir: one('state-dir') ?? DEFAULT_STATE_DIR,
    configFile: one('config'),
    startAt,
    rules: {
      ...EMPTY_RULES,
      includeLabels: list('include-label').map(parseLabelMatch),
      excludeLabels: list('exclude-label').map(parseLabelMatch),
      includeNames: list('include-name'),
      excludeNames: list('exclude-name'),
      includeImages: list('include-image'),
      excludeImages: list('exclude-image'),
    },
    rescanMs: duration('rescan-interval', 500),
    pollMs: duration('poll-interval', 250),
    shutdownTimeoutMs: duration('shutdown-timeout', 8000),
    metricsAddress: one('metrics-address'),
    hostname: env.TSLOGS_HOSTNAME || os.hostname(),
    logLevel: one('log-level') ?? 'info',
    help: values.has('help'),
  };
}
