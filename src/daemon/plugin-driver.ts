import type { ContainerInfo } from '../config/container-info.js';
import { parseStoreOptions } from '../config/json-file-options.js';
import { FrameEncoder } from '../codec/frame-encoder.js';
import { tslogsError } from '../errors.js';
import type { ReadLogsRequest, StartLoggingRequest } from '../protocol/messages.js';
import type { LogDriver } from '../protocol/server.js';
import { ContainerLog } from '../store/container-log.js';
import type { RotationPolicy } from '../store/rotating-file.js';
import { parseRfc3339 } from '../store/go-time.js';
import { CONTAINER_ID, currentLogPath } from '../store/layout.js';
import { type Instant, readEntries } from '../store/reader.js';
import { FifoIngest } from './fifo-ingest.js';

export interface DriverOptions {
  root: string;
  report: (message: string) => void;
}

/** Docker's zero time.Time, sent for "no bound" (spec §4.8). */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The log driver: one FifoIngest per logging FIFO, one ContainerLog per
 * container (shared by every session and reader of that container).
 */
export class PluginDriver implements LogDriver {
  private readonly sessions = new Map<string, FifoIngest>();
  private readonly draining = new Set<FifoIngest>();
  private readonly logs = new Map<string, ContainerLog>();

  constructor(private readonly options: DriverOptions) {}

  async startLogging({ File, Info }: StartLoggingRequest): Promise<void> {
    const id = checkId(Info);
    const { policy, attrsJson } = parseStoreOptions(Info);
    const log = this.logs.get(id) ?? this.openLog(id, policy, attrsJson);
    const ingest = new FifoIngest(File, log, this.options.report);
    ingest.start();
    this.sessions.get(File)?.close();
    this.sessions.set(File, ingest);
  }

  private openLog(id: string, policy: RotationPolicy, attrsJson: string | undefined): ContainerLog {
    const log = new ContainerLog(this.options.root, id, policy, attrsJson, this.options.report);
    this.logs.set(id, log);
    // Forget a stopped container; readers still holding the object finish with it.
    log.on('idle', () => {
      if (this.logs.get(id) === log && !log.live) this.logs.delete(id);
    });
    return log;
  }

  stopLogging(file: string): void {
    const ingest = this.sessions.get(file);
    if (ingest === undefined) {
      this.options.report(tslogsError('TSLOGS_UNKNOWN_FIFO', file).message);
      return;
    }
    // dockerd closes its end only after our answer; keep draining to EOF in the background.
    this.sessions.delete(file);
    this.draining.add(ingest);
    void ingest.whenDone().then(() => this.draining.delete(ingest));
  }

  async *readLogs({ Info, Config }: ReadLogsRequest, signal: AbortSignal): AsyncIterable<Buffer> {
    const id = checkId(Info);
    const options = {
      since: bound(Config.Since),
      until: bound(Config.Until),
      tail: Config.Tail,
      follow: Config.Follow,
    };
    const encoder = new FrameEncoder();
    const live = this.logs.get(id);
    for await (const batch of readEntries(currentLogPath(this.options.root, id), options, live, signal)) {
      for (const e of batch) encoder.add({ source: e.stream, sec: e.sec, nsec: e.nsec, line: e.log, partial: false, meta: undefined });
      yield encoder.take();
    }
  }

  /** Stops every ingest, writes what was read and waits for rotated files to be compressed. */
  async shutdown(): Promise<void> {
    const all = [...this.sessions.values(), ...this.draining];
    for (const ingest of all) ingest.close();
    await Promise.all(all.map((i) => i.whenDone()));
    await Promise.all([...this.logs.values()].map((l) => l.settled()));
  }
}

function checkId(info: ContainerInfo): string {
  if (!CONTAINER_ID.test(info.ContainerID)) throw tslogsError('TSLOGS_BAD_CONTAINER_ID', info.ContainerID);
  return info.ContainerID;
}

function bound(value: string): Instant | undefined {
  if (value === '' || value === GO_ZERO_TIME) return undefined;
  return parseRfc3339(value);
}
