// The `splunk` sink: Docker's splunk driver options and events, delivered to
// Splunk's HTTP Event Collector with the router doing batching and retries.

import type { Logger } from '../../util/log.js';
import { canConnect, urlEndpoint } from '../shared/connect-probe.js';
import { defineSink } from '../shared/define-sink.js';
import type { Sink, SinkContext, SinkDefinition, SinkEntry } from '../sink.js';
import { compileEvents, encodeBatch, gzipBody, type CompiledEvents } from './format.js';
import { parseSplunkOptions, SPLUNK_KEYS, type SplunkOptions } from './options.js';
import type { HecTransport } from './transport.js';

/**
 * Line bytes per request. Docker has no byte limit (only 1000 events), which with
 * reassembled 1 MiB lines makes requests of up to a gigabyte; this keeps a body
 * (at most ~6x after JSON escaping) far below HEC's max_content_length.
 */
export const SPLUNK_MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class SplunkSink implements Sink {
  readonly maxBatchEntries: number;
  readonly maxBatchBytes = SPLUNK_MAX_BATCH_BYTES;
  readonly maxInFlight: number;
  readonly lingerMs: number;
  readonly openBeforeStart: boolean;
  private readonly events: CompiledEvents;
  private transport: Promise<HecTransport> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly options: SplunkOptions,
    context: SinkContext,
  ) {
    this.maxBatchEntries = options.maxBatchEntries;
    this.maxInFlight = options.maxInFlight;
    this.lingerMs = options.lingerMs;
    this.openBeforeStart = options.verifyConnection;
    this.events = compileEvents(options.events);
    this.log = context.log;
  }

  /**
   * The HTTP client is loaded with the first Splunk sink: undici and its WebAssembly
   * HTTP parser are a fifth of an idle daemon's memory, which hosts without Splunk need not pay.
   */
  private hec(): Promise<HecTransport> {
    this.transport ??= import('./transport.js').then((m) => new m.HecTransport(this.options, this.log));
    return this.transport;
  }

  /** Docker's connection check when asked for; otherwise connections are made by send(). */
  async open(): Promise<void> {
    if (this.options.verifyConnection) await (await this.hec()).verify();
  }

  /** HEC accepts TCP connections (one made and closed; no request, no token). */
  probe(timeoutMs: number): Promise<boolean> {
    return canConnect(urlEndpoint(this.options.origin), timeoutMs);
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    const { body, count } = encodeBatch(batch, this.events);
    // Only raw skips lines; Docker makes no request for a batch without events.
    if (count === 0) return;
    const hec = await this.hec();
    await hec.send(this.options.gzip ? await gzipBody(body, this.options.gzipLevel) : body);
  }

  async close(): Promise<void> {
    await (await this.transport)?.close();
  }
}

export const splunkSinkDefinition: SinkDefinition<SplunkOptions> = defineSink({
  name: 'splunk',
  addressKey: 'splunk-url',
  keys: SPLUNK_KEYS,
  secretKeys: new Set(['splunk-token']),
  parse: parseSplunkOptions,
  sink: SplunkSink,
  // HEC answers every request: nothing needs sending again when an endpoint fails.
  split: (o) => ({ each: o.origins.map((origin) => ({ ...o, origin, origins: [origin] })), addresses: o.origins, balance: o.balance, replayOnFailover: false }),
});
