import type { LogFields, Logger } from '../../src/util/log.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: Level;
  msg: string;
  /** The child bindings and the line's own fields, merged as pino would. */
  fields: LogFields;
}

export interface RecordingLogger extends Logger {
  readonly records: LogRecord[];
  /** The messages alone, in order. */
  messages(): string[];
}

/** A Logger that keeps every record (of every child) in one shared list; `seen` is called with each, as it comes. */
export function recordingLogger(seen?: (record: LogRecord) => void): RecordingLogger {
  const records: LogRecord[] = [];
  const make = (bindings: LogFields): Logger => {
    const at = (level: Level) => (a: LogFields | string, b?: string): void => {
      const record = typeof a === 'string' ? { level, msg: a, fields: { ...bindings } } : { level, msg: b ?? '', fields: { ...bindings, ...a } };
      records.push(record);
      seen?.(record);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => make({ ...bindings, ...more }) };
  };
  return Object.assign(make({}), { records, messages: () => records.map((r) => r.msg) });
}
