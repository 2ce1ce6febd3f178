// The `fluentd` sink: Docker's fluentd driver options and Forward-protocol
// messages, delivered from the durable store with the router doing batching and
// retries. Enabled by `fluentd-address`, or by `sinks=fluentd` with Docker's
// default address (127.0.0.1:24224).

import { randomBytes } from 'node:crypto';
import { shortId } from '../../util/docker-names.js';
import { defineSink } from '../shared/define-sink.js';
import type { Sink, SinkContext, SinkDefinition, SinkEntry } from '../sink.js';
import { compileRecords, encodeBatch, type CompiledRecords } from './format.js';
import { FLUENTD_KEYS, parseFluentdOptions, type FluentdOptions } from './options.js';
import { ForwardTransport } from './transport.js';

/** Line bytes per batch, as for the other sinks; a longer single line still goes alone. */
export const FLUENTD_MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class FluentdSink implements Sink {
  readonly maxBatchEntries: number;
  readonly maxBatchBytes = FLUENTD_MAX_BATCH_BYTES;
  /** Docker writes each message at once. */
  readonly lingerMs = 0;
  readonly openBeforeStart: boolean;
  private readonly records: CompiledRecords;
  readonly transport: ForwardTransport;

  constructor(
    private readonly options: FluentdOptions,
    context: SinkContext,
  ) {
    this.maxBatchEntries = options.maxBatchEntries;
    this.openBeforeStart = options.connectBeforeStart;
    this.records = compileRecords(options.records);
    const label = `container ${shortId(context.info.ContainerID)} sink fluentd`;
    this.transport = new ForwardTransport(options, label, context.log);
    for (const warning of options.warnings) context.log.warn(`${label}: ${warning}`);
  }

  open(): Promise<void> {
    return this.transport.open();
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (batch.length === 0) return;
    const random = this.options.requestAck ? randomBytes(8 * batch.length) : undefined;
    const { payload, chunks } = encodeBatch(batch, this.records, random);
    await this.transport.send(payload, chunks, batch.length);
  }

  probe(timeoutMs: number): Promise<boolean> {
    return this.transport.probe(timeoutMs);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

export const fluentdSinkDefinition: SinkDefinition<FluentdOptions> = defineSink({
  name: 'fluentd',
  addressKey: 'fluentd-address',
  keys: FLUENTD_KEYS,
  parse: parseFluentdOptions,
  sink: FluentdSink,
});
