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
