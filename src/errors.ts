// The shared error catalogue, and the one way every catalogue (this one and each
// sink's errors.ts) builds its errors, in the manner of fastify's errors.ts. Messages that
// Docker's own drivers produce are copied word for word so that `docker run` fails with
// the text users already know. Codes are unique across catalogues: metrics and tests
// match them.

import { GO_ERROR_TEXTS } from './go/error-texts.js';

type Formats = Record<string, (...args: never[]) => string>;

/** Builds one catalogue's error `code` from the arguments of its message. */
export type ErrorBuilder<F extends Formats> = <C extends keyof F & string>(code: C, ...args: Parameters<F[C]>) => TslogsError;

/** A code of any catalogue. */
export type ErrorCode = string;

export class TslogsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TslogsError';
    this.code = code;
  }
}

const definedCodes = new Set<string>();

const FIX_DOCKER_DIR =
  "set it to <data-root>/containers, data-root as `docker info -f '{{.DockerRootDir}}'` prints it: host daemon TSLOGS_DOCKER_CONTAINERS, managed plugin `docker plugin set <plugin> docker-containers.source=…`";

/** Registers a catalogue; a code some other catalogue has throws as its module loads. */
export function defineErrors<F extends Formats>(formats: F): ErrorBuilder<F> {
  for (const code of Object.keys(formats)) {
    if (definedCodes.has(code)) throw new Error(`error code ${code} is defined twice`);
    definedCodes.add(code);
  }
  return (code, ...args) => new TslogsError(code, (formats[code] as (...a: unknown[]) => string)(...args));
}

export const tslogsError = defineErrors({
  ...GO_ERROR_TEXTS,
  // options shared by all drivers
  TSLOGS_UNKNOWN_OPTION: (driver: string, key: string) => `unknown log opt '${key}' for ${driver} log driver`,
  TSLOGS_REGEX: (option: string, detail: string) => `error parsing regexp for ${option}: ${detail}`,
  TSLOGS_TEMPLATE: (detail: string) => `template: log-tag:${detail}`,
  TSLOGS_UNKNOWN_SINK: (name: string, known: string) => `unknown sink '${name}' in log opt 'sinks' (tslogs has: ${known})`,
  TSLOGS_SINK_NOT_ENABLED: (key: string, sink: string, addressKey: string) =>
    `log opt '${key}' belongs to the ${sink} sink, which is not enabled: set ${addressKey} or add ${sink} to log opt 'sinks'`,
  TSLOGS_OPTION_VALUE: (key: string, detail: string) => `invalid value for log opt '${key}': ${detail}`,
  TSLOGS_OPTION_NAMED: (key: string, detail: string) => `log opt '${key}': ${detail}`,
  TSLOGS_OPTION_PAIR: (a: string, b: string, detail: string) => `log opts '${a}' and '${b}': ${detail}`,
  TSLOGS_OPTION_NEEDS: (key: string, needed: string) => `log opt '${key}' has no effect without log opt '${needed}': set ${needed} too, or remove ${key}`,
  TSLOGS_OPTION_POSITIVE: (key: string, value: string) => `log opt '${key}' must be positive, got '${value}'`,
  // a comma-separated list of addresses (splunk-url, syslog-address, gelf-address)
  TSLOGS_ADDRESS_ELEMENT: (key: string, position: number, count: number, detail: string) =>
    `log opt '${key}', address ${position} of ${count}: ${detail}`,
  TSLOGS_ADDRESS_EMPTY: (key: string, position: number, count: number) =>
    `log opt '${key}', address ${position} of ${count}: empty address in the comma-separated list`,
  TSLOGS_ADDRESS_DUPLICATE: (key: string, position: number, count: number, first: number) =>
    `log opt '${key}', address ${position} of ${count}: the same endpoint as address ${first}`,
  TSLOGS_BALANCE: (key: string, value: string) => `log opt '${key}': ${JSON.stringify(value)} is neither failover nor round-robin`,
  // json-file store options, Docker's wording
  TSLOGS_MAX_SIZE_POSITIVE: () => 'max-size must be a positive number',
  TSLOGS_MAX_FILE_MIN: () => 'max-file cannot be less than 1',
  TSLOGS_COMPRESS_NEEDS_ROTATION: () => 'compress cannot be true when max-file is less than 2 or max-size is not set',
  // plugin protocol
  TSLOGS_BAD_REQUEST: (method: string, detail: string) => `${method}: invalid request body: ${detail}`,
  // Quoted as Go's %q would (JSON escapes): an ID holding a newline or NUL must not split or cut the message.
  TSLOGS_BAD_CONTAINER_ID: (id: string) => `invalid container ID ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)}: expected 64 hexadecimal characters`,
  TSLOGS_FIFO_OPEN: (file: string, detail: string) => `cannot open log FIFO ${file}: ${detail}`,
  TSLOGS_NOT_A_FIFO: (file: string, kind: string) =>
    `cannot open log FIFO ${file}: it is a ${kind}, not a FIFO (File must be the FIFO dockerd created for the container)`,
  TSLOGS_UNKNOWN_FIFO: (file: string) => `no logging session for FIFO ${file}`,
  // the pruning of removed containers
  TSLOGS_PRUNE_UNREADABLE: (dir: string, detail: string) =>
    `cannot read dockerd's containers directory ${dir}: ${detail}; logs of removed containers are kept until it can be read (${FIX_DOCKER_DIR})`,
  TSLOGS_PRUNE_WRONG_DIR: (dir: string) =>
    `containers logging now have no directory in ${dir}, so it is not dockerd's containers directory (is dockerd's data-root elsewhere?); logs of removed containers are kept (${FIX_DOCKER_DIR})`,
  TSLOGS_PRUNE_NO_ENGINE: (host: string) =>
    `cannot list Docker's containers at ${host}, so nothing is known to be removed and nothing was deleted (run as root, or set DOCKER_HOST to the engine's unix socket)`,
  TSLOGS_PRUNE_OTHER_ENGINE: (id: string, root: string, host: string) =>
    `the store ${root} has a live logging session for container ${id}, which the engine at ${host} does not know: the store belongs to another engine; nothing was deleted (set DOCKER_HOST or TSLOGS_ROOT)`,
  TSLOGS_PRUNE_NO_STORE: (root: string, detail: string) => `cannot read the store ${root}: ${detail} (set TSLOGS_ROOT to the store's host directory)`,
  // codec
  TSLOGS_FRAME_TOO_LARGE: (length: number, limit: number) =>
    `log frame of ${length} bytes exceeds the limit of ${limit} bytes; the stream is out of sync`,
  TSLOGS_FRAME_MALFORMED: (detail: string) => `malformed LogEntry frame: ${detail}`,
  TSLOGS_FRAME_TRUNCATED: (bytes: number) => `log stream ended inside a frame (${bytes} bytes left over)`,
  // store
  TSLOGS_WRITE_FAILED: (file: string, detail: string) =>
    `cannot write ${file}: ${detail}; ingest paused for this container and retried`,
  TSLOGS_STATE_WRITE: (what: string, file: string, detail: string) =>
    `cannot write ${what} ${file}: ${detail} (free space in the store, or remove what is in the way, then try again)`,
  TSLOGS_STATE_REMOVE: (what: string, file: string, detail: string) => `cannot remove ${what} ${file}: ${detail}`,
  TSLOGS_TIME_OUT_OF_RANGE: (sec: number) => `timestamp ${sec}s is outside the years 0-9999 json-file can store`,
  TSLOGS_BAD_TIME: (value: string) => `cannot parse time '${value}'`,
  TSLOGS_TEMPLATE_UNSUPPORTED: (line: number, construct: string) =>
    `template: log-tag:${line}: ${construct} is not supported in tslogs tag templates`,
  // sidecar
  TSLOGS_SIDECAR_USAGE: (detail: string) => detail,
  TSLOGS_SIDECAR_TOKEN_ARG: (key: string, env: string) =>
    `--${key} is refused: a secret on the command line is visible to every user of the host (ps, /proc); set ${env} or ${env}_FILE, or "${key}-file" in --config`,
  TSLOGS_SIDECAR_TOKEN_SOURCE: (key: string, where: string, env: string) =>
    `${key} is refused in ${where}: config files get copied and shared; set ${env} or ${env}_FILE, or "${key}-file"`,
  TSLOGS_SIDECAR_TOKEN_TWICE: (key: string, env: string) => `${key} is given twice: set either ${env} or a file (${env}_FILE / "${key}-file"), not both`,
  TSLOGS_SIDECAR_TOKEN_UNREADABLE: (key: string, file: string, detail: string) => `cannot read the ${key} file ${file}: ${detail}`,
  TSLOGS_SIDECAR_CONFIG_FILE: (file: string, detail: string) => `cannot use the config file ${file}: ${detail}`,
  TSLOGS_SIDECAR_STORE_OPTION: (key: string, origin: string) =>
    `option '${key}' (from ${origin}) is not for the sidecar: it reads the files of Docker's json-file driver, whose rotation is set on the containers (--log-opt ${key}=…)`,
  TSLOGS_SIDECAR_REDACT_STORE: (origin: string) =>
    `option 'redact-store' (from ${origin}) is not for the sidecar: it forwards the files of Docker's json-file driver, which dockerd writes; redact alone masks what the sinks get`,
  TSLOGS_SIDECAR_OPTIONS: (sources: string, detail: string) => `invalid sink options (from ${sources}): ${detail}`,
  TSLOGS_SIDECAR_NO_SINK: (sources: string) =>
    `no sink is enabled (options from ${sources}): set TSLOGS_SPLUNK_URL (or "splunk-url" in --config), or list sinks in TSLOGS_SINKS`,
  TSLOGS_SIDECAR_VERIFY: (sink: string, detail: string) => `the ${sink} sink failed its connection check (splunk-verify-connection=true): ${detail}`,
  TSLOGS_SIDECAR_LABEL_FILTER: (text: string) => `invalid label filter '${text}': expected KEY or KEY=VALUE`,
  TSLOGS_SIDECAR_DOCKER_DIR_UNREADABLE: (dir: string, detail: string) =>
    `cannot read Docker's container directory ${dir}: ${detail} (run as root, with the host's directory mounted, e.g. -v /var/lib/docker/containers:/var/lib/docker/containers:ro)`,
  TSLOGS_SIDECAR_STATE_DIR_UNWRITABLE: (dir: string, detail: string) =>
    `cannot write the state directory ${dir}: ${detail} (mount a writable volume there, or set --state-dir)`,
  // the routes file (README "Routes"): named sink option sets containers use with log opt 'sinks'
  TSLOGS_ROUTES_FILE: (file: string, detail: string) => `routes file ${file}: ${detail}`,
  TSLOGS_UNKNOWN_ROUTE: (name: string, sinks: string, routes: string) =>
    `unknown sink or route '${name}' in log opt 'sinks' (sinks: ${sinks}; routes: ${routes})`,
  TSLOGS_ROUTE_CONFLICT: (route: string, sink: string, other: string) =>
    `log opt 'sinks': route '${route}' is a ${sink} sink, and ${other} configures the ${sink} sink too: a container has one sink of each kind, remove one of them`,
  TSLOGS_ROUTE_OWNS_OPTION: (key: string, sink: string, route: string) =>
    `log opt '${key}' belongs to the ${sink} sink, which route '${route}' configures: set it in the routes file, or configure the ${sink} sink on the container instead of the route`,
  // daemon settings (environment; plugin/config.json env)
  TSLOGS_SETTING: (name: string, value: string, detail: string) =>
    `invalid daemon setting ${name}=${JSON.stringify(value)}: ${detail} (see "Daemon settings" in the README)`,
});
