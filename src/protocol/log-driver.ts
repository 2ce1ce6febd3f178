import type { ReadLogsRequest, StartLoggingRequest } from './messages.js';

/** What the HTTP layer needs from the daemon; nothing here knows about files or stores. */
export interface LogDriver {
  startLogging(request: StartLoggingRequest): Promise<void>;
  /** Must not fail or wait for the FIFO: dockerd closes it only after the answer (docs/docker-compat.md §4.7). */
  stopLogging(file: string): void;
  /** Framed LogEntry bytes, batch by batch, until done or `signal` aborts. */
  readLogs(request: ReadLogsRequest, signal: AbortSignal): AsyncIterable<Buffer>;
}
