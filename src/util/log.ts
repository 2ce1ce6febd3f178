/** Fields a log line carries besides its message (`container`, `sink`, …); never secrets. */
export type LogFields = Record<string, unknown>;

export interface LogFn {
  (msg: string): void;
  (fields: LogFields, msg: string): void;
}

/**
 * The part of pino's Logger the components use, so they depend on this and tests can
 * pass a recording one; pino itself is created only by the entry points.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: LogFields): Logger;
}

const ignore: LogFn = () => undefined;

/** For callers that have nowhere to log (a one-off check, a probe). */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore, child: () => silentLogger };
