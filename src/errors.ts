// One catalogue of every error tslogs reports, in the manner of fastify's errors.ts.
// Messages that Docker's own drivers produce are copied word for word so that
// `docker run` fails with the text users already know.

export type ErrorCode = keyof typeof catalogue;

const catalogue = {
  // options shared by all drivers
  TSLOGS_UNKNOWN_OPTION: (driver: string, key: string) => `unknown log opt '${key}' for ${driver} log driver`,
  TSLOGS_INVALID_SIZE: (value: string) => `invalid size: '${value}'`,
  TSLOGS_PARSE_BOOL: (value: string) => `strconv.ParseBool: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_INT: (value: string) => `strconv.Atoi: parsing "${value}": invalid syntax`,
  TSLOGS_REGEX: (option: string, detail: string) => `error parsing regexp for ${option}: ${detail}`,
  TSLOGS_TEMPLATE: (detail: string) => `template: log-tag:${detail}`,
  TSLOGS_UNKNOWN_SINK: (name: string, known: string) => `unknown sink '${name}' in log opt 'sinks' (tslogs has: ${known})`,
  TSLOGS_SINK_NOT_ENABLED: (key: string, sink: string, addressKey: string) =>
    `log opt '${key}' belongs to the ${sink} sink, which is not enabled: set ${addressKey} or add ${sink} to log opt 'sinks'`,
  TSLOGS_OPTION_VALUE: (key: string, detail: string) => `invalid value for log opt '${key}': ${detail}`,
  TSLOGS_OPTION_POSITIVE: (key: string, value: string) => `log opt '${key}' must be positive, got '${value}'`,
  // json-file store options, Docker's wording
  TSLOGS_MAX_SIZE_POSITIVE: () => 'max-size must be a positive number',
  TSLOGS_MAX_FILE_MIN: () => 'max-file cannot be less than 1',
  TSLOGS_COMPRESS_NEEDS_ROTATION: () => 'compress cannot be true when max-file is less than 2 or max-size is not set',
  // plugin protocol
  TSLOGS_BAD_REQUEST: (method: string, detail: string) => `${method}: invalid request body: ${detail}`,
  TSLOGS_BAD_CONTAINER_ID: (id: string) => `invalid container ID '${id}': expected 64 hexadecimal characters`,
  TSLOGS_FIFO_OPEN: (file: string, detail: string) => `cannot open log FIFO ${file}: ${detail}`,
  TSLOGS_UNKNOWN_FIFO: (file: string) => `no logging session for FIFO ${file}`,
  // codec
  TSLOGS_FRAME_TOO_LARGE: (length: number, limit: number) =>
    `log frame of ${length} bytes exceeds the limit of ${limit} bytes; the stream is out of sync`,
  TSLOGS_FRAME_MALFORMED: (detail: string) => `malformed LogEntry frame: ${detail}`,
  TSLOGS_FRAME_TRUNCATED: (bytes: number) => `log stream ended inside a frame (${bytes} bytes left over)`,
  // store
  TSLOGS_WRITE_FAILED: (file: string, detail: string) =>
    `cannot write ${file}: ${detail}; ingest paused for this container and retried`,
  TSLOGS_TIME_OUT_OF_RANGE: (sec: number) => `timestamp ${sec}s is outside the years 0-9999 json-file can store`,
  TSLOGS_BAD_TIME: (value: string) => `cannot parse time '${value}'`,
  // Go scalar parsing (src/config); values arrive already escaped the way Go quotes them
  TSLOGS_PARSE_INT_RANGE: (value: string) => `strconv.Atoi: parsing "${value}": value out of range`,
  TSLOGS_PARSE_UINT: (value: string) => `strconv.ParseUint: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_UINT_RANGE: (value: string) => `strconv.ParseUint: parsing "${value}": value out of range`,
  TSLOGS_PARSE_FLOAT: (value: string) => `strconv.ParseFloat: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_FLOAT_RANGE: (value: string) => `strconv.ParseFloat: parsing "${value}": value out of range`,
  TSLOGS_DURATION: (value: string) => `time: invalid duration "${value}"`,
  TSLOGS_DURATION_NO_UNIT: (value: string) => `time: missing unit in duration "${value}"`,
  TSLOGS_DURATION_UNIT: (unit: string, value: string) => `time: unknown unit "${unit}" in duration "${value}"`,
  TSLOGS_REGEX_UNSUPPORTED: (option: string, construct: string, regex: string) =>
    `unsupported regexp for ${option}: ${construct} is not supported by tslogs: \`${regex}\``,
  TSLOGS_TEMPLATE_UNSUPPORTED: (line: number, construct: string) =>
    `template: log-tag:${line}: ${construct} is not supported in tslogs tag templates`,
  TSLOGS_PARSE_INT32: (value: string) => `strconv.ParseInt: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_INT32_RANGE: (value: string) => `strconv.ParseInt: parsing "${value}": value out of range`,
  // Go's *fs.PathError, e.g. `open /x: no such file or directory`
  TSLOGS_PATH_ERROR: (op: string, path: string, detail: string) => `${op} ${path}: ${detail}`,
  // splunk driver options, Docker's wording (the format message keeps Docker 20.10's missing value)
  TSLOGS_SPLUNK_EXPECTED: (key: string) => `splunk: ${key} is expected`,
  TSLOGS_SPLUNK_URL_PARSE: (value: string) => `splunk: failed to parse ${value} as url value in splunk-url`,
  TSLOGS_SPLUNK_URL_FORMAT: () => 'splunk: expected format scheme://dns_name_or_ip:port for splunk-url',
  TSLOGS_SPLUNK_FORMAT: () => 'Unknown format specified , supported formats are inline, json and raw',
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
