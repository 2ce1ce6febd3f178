// The `nats` sink: one JSON message per line to a NATS JetStream stream the operator
// created, the checkpoint moving only over batches whose every publish JetStream
// acknowledged. Enabled by `nats-url`, or by `sinks=nats` with nats://127.0.0.1:4222.

import { shortId } from '../../util/docker-names.js';
import { defineSink } from '../shared/define-sink.js';
import type { Sink, SinkContext, SinkDefinition, SinkEntry } from '../sink.js';
import { compileMessages, encodeBatch, type CompiledMessages } from './format.js';
import { NATS_KEYS, parseNatsOptions, type NatsOptions } from './options.js';
import type { JetStreamPublisher } from './transport.js';

/** Lines per batch: the publishes awaiting acknowledgement per batch in flight. */
export const NATS_MAX_BATCH_ENTRIES = 1000;
/** Line bytes per batch, as for the other sinks; a longer single line still goes alone. */
export const NATS_MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class NatsSink implements Sink {
  readonly maxBatchEntries = NATS_MAX_BATCH_ENTRIES;
  readonly maxBatchBytes = NATS_MAX_BATCH_BYTES;
  /** Publishes are pipelined on one connection: nothing is gained by waiting for a fuller batch. */
  readonly lingerMs = 0;
  readonly maxInFlight: number;
  private readonly messages: CompiledMessages;
  private publisher: Promise<JetStreamPublisher> | undefined;
  private readonly label: string;

  constructor(
    private readonly options: NatsOptions,
    private readonly context: SinkContext,
  ) {
    this.maxInFlight = options.maxInFlight;
    this.messages = compileMessages(options.messages);
    this.label = `container ${shortId(context.info.ContainerID)} sink nats`;
  }

  /** The NATS client is loaded with the first NATS sink, so hosts without one do not pay for it. */
  private transport(): Promise<JetStreamPublisher> {
    this.publisher ??= import('./transport.js').then((m) => new m.JetStreamPublisher(this.options, this.label, this.context.log));
    return this.publisher;
  }

  async open(): Promise<void> {
    await (await this.transport()).open();
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (batch.length === 0) return;
    const publisher = await this.transport();
    await publisher.open();
    const { payloads, cuts } = encodeBatch(batch, this.messages, publisher.maxPayload);
    for (const bytes of cuts) publisher.reportCut(bytes);
    await publisher.publish(payloads);
  }

  async close(): Promise<void> {
    await (await this.publisher)?.close();
  }
}

export const natsSinkDefinition: SinkDefinition<NatsOptions> = defineSink({
  name: 'nats',
  addressKey: 'nats-url',
  keys: NATS_KEYS,
  parse: parseNatsOptions,
  sink: NatsSink,
});
