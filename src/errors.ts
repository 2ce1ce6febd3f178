// One catalogue of every error tslogs reports, in the manner of fastify's errors.ts.
// Messages that Docker's own drivers produce are copied word for word so that
// `docker run` fails with the text users already know.

import { GO_ERROR_TEXTS } from './go/error-texts.js';

export type ErrorCode = keyof typeof catalogue;

const catalogue = {
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
  TSLOGS_OPTION_POSITIVE: (key: string, value: string) => `log opt '${key}' must be positive, got '${value}'`,
  // json-file store options, Docker's wording
  TSLOGS_MAX_SIZE_POSITIVE: () => 'max-size must be a positive number',
  TSLOGS_MAX_FILE_MIN: () => 'max-file cannot be less than 1',
  TSLOGS_COMPRESS_NEEDS_ROTATION: () => 'compress cannot be true when max-file is less than 2 or max-size is not set',
  // plugin protocol
  TSLOGS_BAD_REQUEST: (method: string, detail: string) => `${method}: invalid request body: ${detail}`,
  TSLOGS_BAD_CONTAINER_ID: (id: string) => `invalid container ID '${id}': expected 64 hexadecimal characters`,
  TSLOGS_FIFO_OPEN: (file: string, detail: string) => `cannot open log FIFO ${file}: ${detail}`,
  TSLOGS_NOT_A_FIFO: (file: string, kind: string) =>
    `cannot open log FIFO ${file}: it is a ${kind}, not a FIFO (File must be the FIFO dockerd created for the container)`,
  TSLOGS_UNKNOWN_FIFO: (file: string) => `no logging session for FIFO ${file}`,
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
  TSLOGS_REGEX_UNSUPPORTED: (option: string, construct: string, regex: string) =>
    `unsupported regexp for ${option}: ${construct} is not supported by tslogs: \`${regex}\``,
  TSLOGS_TEMPLATE_UNSUPPORTED: (line: number, construct: string) =>
    `template: log-tag:${line}: ${construct} is not supported in tslogs tag templates`,
  // splunk driver options, Docker's wording (the format message keeps Docker 20.10's missing value)
  TSLOGS_SPLUNK_EXPECTED: (key: string) => `splunk: ${key} is expected`,
  TSLOGS_SPLUNK_URL_PARSE: (value: string) => `splunk: failed to parse ${value} as url value in splunk-url`,
  TSLOGS_SPLUNK_URL_FORMAT: () => 'splunk: expected format scheme://dns_name_or_ip:port for splunk-url',
  TSLOGS_SPLUNK_FORMAT: () => 'Unknown format specified , supported formats are inline, json and raw',
  TSLOGS_SPLUNK_MAX_IN_FLIGHT: (value: string, limit: number) =>
    `splunk-max-in-flight: '${value}' is not a whole number from 1 to ${limit} (requests awaiting Splunk's answer at once)`,
  TSLOGS_SPLUNK_GZIP_LEVEL: (value: string) =>
    `not supported level '${value}' for splunk-gzip-level (supported values between -1 and 9)`,
  // Docker's daemon-log texts for invalid SPLUNK_LOGGING_DRIVER_* variables (the default is used)
  TSLOGS_SPLUNK_ENV_DURATION: (name: string, fallback: string, detail: string) =>
    `Failed to parse value of ${name} as duration. Using default ${fallback}. ${detail}`,
  TSLOGS_SPLUNK_ENV_INT: (name: string, fallback: number, detail: string) =>
    `Failed to parse value of ${name} as integer. Using default ${fallback}. ${detail}`,
  TSLOGS_SPLUNK_ENV_POSITIVE: (name: string, value: string, fallback: string) =>
    `${name}=${value} must be positive (Docker's splunk driver crashes on it). Using default ${fallback}.`,
  // splunk HEC requests; the token never appears in these
  TSLOGS_SPLUNK_REQUEST: (op: string, quotedUrl: string, detail: string) => `${op} ${quotedUrl}: ${detail}`,
  TSLOGS_SPLUNK_VERIFY: (status: string, body: string) => `splunk: failed to verify connection - ${status} - ${body}`,
  TSLOGS_SPLUNK_SEND: (status: string, body: string) => `splunk: failed to send event - ${status} - ${body}`,
  TSLOGS_SPLUNK_ACK_TIMEOUT: (ids: string, ms: number) =>
    `splunk: HEC did not acknowledge indexing of ack ids ${ids} within ${ms} ms; the batch will be sent again`,
  TSLOGS_SPLUNK_ACK_DISABLED: () =>
    'splunk: splunk-ack=true but HEC returned no ackId (indexer acknowledgement is off for this token); batches count as delivered on HTTP 200',
  // gelf sink: Docker's gelf driver texts (Go %q values arrive quoted by goQuote)
  TSLOGS_GELF_ADDRESS_REQUIRED: () => 'gelf-address is a required parameter',
  TSLOGS_GELF_ADDRESS_FORM: (value: string) => `gelf-address should be in form proto://address, got ${value}`,
  TSLOGS_GELF_URL_PARSE: (quotedUrl: string, detail: string) => `parse ${quotedUrl}: ${detail}`,
  TSLOGS_GELF_SCHEME: () => 'gelf: endpoint needs to be TCP or UDP',
  TSLOGS_GELF_HOST_PORT: () => 'gelf: please provide gelf-address as proto://host:port',
  TSLOGS_GELF_UNKNOWN_OPTION: (quotedKey: string) => `unknown log opt ${quotedKey} for gelf log driver`,
  TSLOGS_GELF_UNKNOWN_VALUE: (quotedValue: string, quotedKey: string) =>
    `unknown value ${quotedValue} for log opt ${quotedKey} for gelf log driver`,
  TSLOGS_GELF_UDP_ONLY: () => 'compression is only supported on UDP',
  TSLOGS_GELF_TCP_ONLY: (quotedKey: string) => `${quotedKey} is only valid for TCP`,
  TSLOGS_GELF_POSITIVE: (quotedKey: string) => `${quotedKey} must be a positive integer`,
  TSLOGS_GELF_CONNECT: (hostport: string, detail: string) => `gelf: cannot connect to GELF endpoint: ${hostport} ${detail}`,
  TSLOGS_GELF_SEND: (detail: string) => `gelf: cannot send GELF message: ${detail}`,
  TSLOGS_GELF_TOO_LARGE: (chunks: number) => `gelf: cannot send GELF message: msg too large, would need ${chunks} chunks`,
  TSLOGS_GELF_REPLAY: (hostport: string, messages: number, ms: number) =>
    `gelf: connection to ${hostport} was lost; re-sent the ${messages} messages written in the last ${ms} ms before it (the receiver may see some twice)`,
  // fluentd sink
  TSLOGS_FLUENTD_ADDRESS: (given: string, detail: string) => `invalid fluentd-address ${given}: ${detail}`,
  TSLOGS_FLUENTD_UNKNOWN_NETWORK: (network: string) => `unknown network ${network}`,
  TSLOGS_FLUENTD_DIAL_ADDRESS: (network: string, detail: string) => `dial ${network}: ${detail}`,
  TSLOGS_FLUENTD_NO_PORT: (address: string, host: string) =>
    `fluentd-address ${address} has no port: as with Docker 20.10, logs go to 127.0.0.1:24224, not to ${host}`,
  // Docker's text lacks the closing quote.
  TSLOGS_FLUENTD_ASYNC_CONFLICT: () => "conflicting options: cannot specify both 'fluentd-async' and 'fluentd-async-connect",
  TSLOGS_FLUENTD_TIMEOUT: (key: string, detail: string) => `invalid value for ${key}: value must be a duration: ${detail}`,
  TSLOGS_FLUENTD_TIMEOUT_NEGATIVE: (key: string) => `invalid value for ${key}: value must be a duration that is non-negative`,
  TSLOGS_FLUENTD_DIAL: (endpoint: string, detail: string) => `dial ${endpoint}: ${detail}`,
  TSLOGS_FLUENTD_RETRIES: (attempts: number, detail: string) =>
    `fluent#write: could not connect to fluentd after ${attempts} retries (${detail}); the messages stay in the store and a new series of retries starts`,
  TSLOGS_FLUENTD_WRITE: (endpoint: string, detail: string) => `fluent#write: ${endpoint}: ${detail}`,
  TSLOGS_FLUENTD_ACK_MISMATCH: (got: string, want: string) => `fluent#write: message ack (${got}) doesn't match expected one (${want})`,
  TSLOGS_FLUENTD_ACK_TIMEOUT: (missing: number, ms: number) =>
    `fluent#write: ${missing} message(s) not acknowledged within ${ms} ms (fluentd-read-timeout); the batch will be sent again`,
  TSLOGS_FLUENTD_CLOSED: () => 'fluentd sink closed',
  TSLOGS_FLUENTD_FAILOVER: (endpoint: string, detail: string) => `failed over to ${endpoint} (${detail})`,
  // syslog sink: Docker's syslog driver texts (Go %q values arrive quoted by goQuote)
  TSLOGS_SYSLOG_ADDRESS: (value: string) => `syslog-address should be in form proto://address, got ${value}`,
  TSLOGS_SYSLOG_URL: (quotedUrl: string, detail: string) => `parse ${quotedUrl}: ${detail}`,
  // Go's net.AddrError text, e.g. `address a:b:514: too many colons in address`
  TSLOGS_SYSLOG_HOSTPORT: (detail: string) => detail,
  TSLOGS_SYSLOG_DIAL_ADDRESS: (network: string, detail: string) => `dial ${network}: ${detail}`,
  TSLOGS_SYSLOG_FACILITY: () => 'invalid syslog facility',
  TSLOGS_SYSLOG_FORMAT: () => 'Invalid syslog format',
  TSLOGS_SYSLOG_CA_READ: (quotedPath: string, detail: string) => `could not read CA certificate ${quotedPath}: ${detail}`,
  TSLOGS_SYSLOG_CA_APPEND: (quotedPath: string) => `failed to append certificates from PEM file: ${quotedPath}`,
  TSLOGS_SYSLOG_KEY_PAIR: (detail: string) => `Could not load X509 key pair: ${detail}`,
  TSLOGS_SYSLOG_DIAL: (network: string, addr: string, detail: string) =>
    addr === '' ? `dial ${network}: ${detail}` : `dial ${network} ${addr}: ${detail}`,
  TSLOGS_SYSLOG_IO: (op: string, connection: string, detail: string) => `${op} ${connection}: ${detail}`,
  TSLOGS_SYSLOG_CLOSED: (connection: string) => `${connection}: connection closed by the syslog server`,
  TSLOGS_SYSLOG_LOCAL: () => 'Unix syslog delivery error',
  TSLOGS_SYSLOG_UNIXGRAM_MODULE: (detail: string) => `unixgram sockets need the node-unix-socket package, which did not load: ${detail}`,
  TSLOGS_SYSLOG_SINK_CLOSED: () => 'syslog sink closed',
  TSLOGS_SYSLOG_REPLAY: (connection: string, messages: number, ms: number) =>
    `syslog: connection ${connection} was lost; re-sent the ${messages} messages written in the last ${ms} ms before it (the server may see some twice)`,
  // sidecar
  TSLOGS_SIDECAR_USAGE: (detail: string) => detail,
  TSLOGS_SIDECAR_TOKEN_ARG: () =>
    '--splunk-token is refused: a token on the command line is visible to every user of the host (ps, /proc); set TSLOGS_SPLUNK_TOKEN or TSLOGS_SPLUNK_TOKEN_FILE, or "splunk-token-file" in --config',
  TSLOGS_SIDECAR_TOKEN_SOURCE: (where: string) =>
    `splunk-token is refused in ${where}: config files get copied and shared; set TSLOGS_SPLUNK_TOKEN or TSLOGS_SPLUNK_TOKEN_FILE, or "splunk-token-file"`,
  TSLOGS_SIDECAR_TOKEN_TWICE: () =>
    'the Splunk token is given twice: set either TSLOGS_SPLUNK_TOKEN or a token file (TSLOGS_SPLUNK_TOKEN_FILE / "splunk-token-file"), not both',
  TSLOGS_SIDECAR_TOKEN_UNREADABLE: (file: string, detail: string) => `cannot read the Splunk token file ${file}: ${detail}`,
  TSLOGS_SIDECAR_CONFIG_FILE: (file: string, detail: string) => `cannot use the config file ${file}: ${detail}`,
  TSLOGS_SIDECAR_STORE_OPTION: (key: string, origin: string) =>
    `option '${key}' (from ${origin}) is not for the sidecar: it reads the files of Docker's json-file driver, whose rotation is set on the containers (--log-opt ${key}=…)`,
  TSLOGS_SIDECAR_OPTIONS: (sources: string, detail: string) => `invalid sink options (from ${sources}): ${detail}`,
  TSLOGS_SIDECAR_NO_SINK: (sources: string) =>
    `no sink is enabled (options from ${sources}): set TSLOGS_SPLUNK_URL (or "splunk-url" in --config), or list sinks in TSLOGS_SINKS`,
  TSLOGS_SIDECAR_VERIFY: (sink: string, detail: string) => `the ${sink} sink failed its connection check (splunk-verify-connection=true): ${detail}`,
  TSLOGS_SIDECAR_LABEL_FILTER: (text: string) => `invalid label filter '${text}': expected KEY or KEY=VALUE`,
  TSLOGS_SIDECAR_DOCKER_DIR_UNREADABLE: (dir: string, detail: string) =>
    `cannot read Docker's container directory ${dir}: ${detail} (run as root, with the host's directory mounted, e.g. -v /var/lib/docker/containers:/var/lib/docker/containers:ro)`,
  TSLOGS_SIDECAR_STATE_DIR_UNWRITABLE: (dir: string, detail: string) =>
    `cannot write the state directory ${dir}: ${detail} (mount a writable volume there, or set --state-dir)`,
} as const;

export class TslogsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TslogsError';
    this.code = code;
  }
}

export function tslogsError<C extends ErrorCode>(
  code: C,
  ...args: Parameters<(typeof catalogue)[C]>
): TslogsError {
  const format = catalogue[code] as (...a: unknown[]) => string;
  return new TslogsError(code, format(...args));
}
