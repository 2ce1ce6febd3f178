// The `loki` sink: each batch of a container's lines as one push to Grafana Loki
// (protobuf, snappy), grouped into streams by label set, the checkpoint moving only
// over pushes answered 2xx. Enabled by `loki-url`, with the option names of Grafana's
// Loki Docker driver (options.ts).

import { shortId } from '../../util/docker-names.js';
import { canConnect, urlEndpoint } from '../shared/connect-probe.js';
import { defineSink } from '../shared/define-sink.js';
import { type Sink, type SinkContext, type SinkDefinition, type SinkEntry, SinkError } from '../sink.js';
import { lokiError } from './errors.js';
import { encodePushBody, StreamLabels } from './format.js';
import { LOKI_KEYS, type LokiOptions, parseLokiOptions } from './options.js';
import type { LokiTransport } from './transport.js';

/**
 * Lines per push. loki-batch-size (bytes) is the driver's only limit; this one keeps a
 * batch of empty lines from growing without end (Loki's own default per push is 4 MiB).
 */
export const LOKI_MAX_BATCH_ENTRIES = 20_000;

export class LokiSink implements Sink {
  readonly maxBatchEntries = LOKI_MAX_BATCH_ENTRIES;
  readonly maxBatchBytes: number;
  /** loki-batch-wait: as the driver, a batch that is not full waits this long for more lines. */
  readonly lingerMs: number;
  /** One push at a time: Loki wants each stream's entries in order. */
  readonly maxInFlight = 1;
  readonly retryMinMs: number | undefined;
  readonly retryMaxMs: number | undefined;
  private readonly labels: StreamLabels;
  private transport: Promise<LokiTransport> | undefined;
  /** Failed pushes since the last one Loki accepted, for loki-retries. */
  private failures = 0;

  constructor(
    private readonly options: LokiOptions,
    private readonly context: SinkContext,
  ) {
    this.maxBatchBytes = options.maxBatchBytes;
    this.lingerMs = options.lingerMs;
    this.retryMinMs = options.retryMinMs;
    this.retryMaxMs = options.retryMaxMs;
    this.labels = new StreamLabels(options.labels);
  }

  /** undici is loaded with the first HTTP sink, so hosts without one do not pay for it. */
  private http(): Promise<LokiTransport> {
    this.transport ??= import('./transport.js').then((m) => new m.LokiTransport(this.options));
    return this.transport;
  }

  /** Connections are made by send(); nothing is checked before the first batch. */
  async open(): Promise<void> {}

  /** Loki accepts TCP connections (one made and closed; no request, no credentials). */
  probe(timeoutMs: number): Promise<boolean> {
    return canConnect(urlEndpoint(this.options.origin), timeoutMs);
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (batch.length === 0) return;
    const body = encodePushBody(batch, this.labels);
    const transport = await this.http();
    try {
      await transport.send(body);
      this.failures = 0;
    } catch (e) {
      // A refused batch is dropped by the router: the next one starts a new count.
      if (e instanceof SinkError && !e.retryable) {
        this.failures = 0;
        throw e;
      }
      // Where the Loki driver would give the batch up: said once per outage, the batch kept.
      if (++this.failures === this.options.retries + 1) {
        this.context.log.warn(`container ${shortId(this.context.info.ContainerID)} sink loki: ${lokiError('TSLOGS_LOKI_RETRIES_PASSED', this.failures).message}`);
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    await (await this.transport)?.close();
  }
}

export const lokiSinkDefinition: SinkDefinition<LokiOptions> = defineSink({
  name: 'loki',
  addressKey: 'loki-url',
  keys: LOKI_KEYS,
  parse: parseLokiOptions,
  sink: LokiSink,
});
