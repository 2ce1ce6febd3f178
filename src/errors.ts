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
