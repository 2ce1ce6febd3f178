import type { Sink, SinkDefinition, SinkEntry } from '../../src/sinks/sink.js';
import { SinkError } from '../../src/sinks/sink.js';

export interface Received {
  line: string;
  source: string;
  sec: number;
  nsec: number;
  partial?: SinkEntry['partial'];
}

/** An in-process sink whose failures the test scripts. */
export class ScriptedSink implements Sink {
  readonly received: Received[] = [];
  readonly batches: number[] = [];
  failuresLeft = 0;
  down = false;
  opened = 0;
  lingerMs = 0;
  openBeforeStart = false;
  openError: string | undefined;

  constructor(
    readonly maxBatchEntries = 100,
    readonly maxBatchBytes = 1 << 20,
  ) {}

  async open(): Promise<void> {
    this.opened++;
    if (this.openError !== undefined) throw new SinkError(this.openError);
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (this.down) throw new SinkError('scripted outage');
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new SinkError('scripted failure');
    }
    this.batches.push(batch.length);
    for (const e of batch) this.received.push({ line: e.line.toString('utf8'), source: e.source, sec: e.sec, nsec: e.nsec, partial: e.partial });
  }

  async close(): Promise<void> {}
}

/** A sink definition named `name`, enabled by `<name>-address`, whose instances the test can reach. */
export function scriptedDefinition(name: string, make: () => ScriptedSink = () => new ScriptedSink()): SinkDefinition<null> & { instances: ScriptedSink[] } {
  const instances: ScriptedSink[] = [];
  return {
    name,
    addressKey: `${name}-address`,
    keys: new Set(),
    instances,
    parse: () => null,
    create: () => {
      const sink = make();
      instances.push(sink);
      return sink;
    },
  };
}

/**
 * A sink that lets several batches be in flight; the test settles each send itself
 * (`settle(i, error?)`, sends numbered in call order), so it decides what is acknowledged when.
 */
export class WindowSink implements Sink {
  readonly lingerMs = 0;
  readonly sends: { lines: string[]; settle: (error?: Error) => void }[] = [];
  /** Lines of the sends that were acknowledged, in the order they were acknowledged. */
  readonly acknowledged: string[] = [];
  outstanding = 0;
  maxOutstanding = 0;

  constructor(
    readonly maxInFlight: number,
    readonly maxBatchEntries = 50,
    readonly maxBatchBytes = 1 << 20,
  ) {}

  async open(): Promise<void> {}

  send(batch: readonly SinkEntry[]): Promise<void> {
    const lines = batch.map((e) => e.line.toString('utf8'));
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    return new Promise((resolve, reject) => {
      this.sends.push({
        lines,
        settle: (error) => {
          this.outstanding--;
          if (error !== undefined) return reject(error);
          this.acknowledged.push(...lines);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {}
}
