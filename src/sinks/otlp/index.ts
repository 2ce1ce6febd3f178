// The `otlp` sink: each batch of a container's lines as one OTLP/HTTP logs export
// request (protobuf or JSON, optionally gzipped) to an OpenTelemetry collector or any
// OTLP/HTTP receiver, the checkpoint moving only over requests answered 2xx. Enabled
// by `otlp-endpoint`, or by `sinks=otlp` with http://localhost:4318.

import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { shortId } from '../../util/docker-names.js';
import { packageVersion } from '../../util/package-version.js';
import { canConnect, urlEndpoint } from '../shared/connect-probe.js';
import { defineSink } from '../shared/define-sink.js';
import type { Sink, SinkAck, SinkContext, SinkDefinition, SinkEntry } from '../sink.js';
import { type CompiledRequest, compileRequest, encodeRequest } from './format.js';
import { OTLP_KEYS, type OtlpOptions, parseOtlpOptions } from './options.js';
import type { OtlpTransport } from './transport.js';

const gzipAsync = promisify(gzip);

/** Line bytes per request, as for the other sinks: far below OTLP/HTTP's 64 MiB even as escaped JSON. */
export const OTLP_MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class OtlpSink implements Sink {
  readonly maxBatchEntries: number;
  readonly maxBatchBytes = OTLP_MAX_BATCH_BYTES;
  /**
   * A batch that is not full waits up to this for more lines, as long as the collector's
   * batch processor waits by default: a delivery caught up with a busy container would
   * otherwise send a request per FIFO read (1M lines of `seq`, one request in flight:
   * 9.6 s at once, 5.4 s with the wait, on a loaded machine: BENCHMARKS.md, 2026-12-05).
   */
  readonly lingerMs = 200;
  readonly maxInFlight: number;
  private readonly request: CompiledRequest;
  private transport: Promise<OtlpTransport> | undefined;

  constructor(
    private readonly options: OtlpOptions,
    private readonly context: SinkContext,
  ) {
    this.maxBatchEntries = options.maxBatchEntries;
    this.maxInFlight = options.maxInFlight;
    this.request = compileRequest(options.resource, { name: 'tslogs', version: packageVersion() }, options.protocol);
  }

  /** undici is loaded with the first HTTP sink, so hosts without one do not pay for it. */
  private http(): Promise<OtlpTransport> {
    this.transport ??= import('./transport.js').then((m) => new m.OtlpTransport(this.options, `container ${shortId(this.context.info.ContainerID)} sink otlp`, this.context.log));
    return this.transport;
  }

  /** Connections are made by send(); nothing is checked before the first batch. */
  async open(): Promise<void> {}

  /** The receiver accepts TCP connections (one made and closed; no request, no headers). */
  probe(timeoutMs: number): Promise<boolean> {
    return canConnect(urlEndpoint(this.options.origin), timeoutMs);
  }

  async send(batch: readonly SinkEntry[]): Promise<SinkAck | undefined> {
    if (batch.length === 0) return undefined;
    const now = Date.now();
    const body = encodeRequest(batch, this.request, { sec: Math.floor(now / 1000), nsec: (now % 1000) * 1_000_000 });
    const transport = await this.http();
    return transport.send(this.options.gzip ? await gzipAsync(body) : body, batch.length);
  }

  async close(): Promise<void> {
    await (await this.transport)?.close();
  }
}

export const otlpSinkDefinition: SinkDefinition<OtlpOptions> = defineSink({
  name: 'otlp',
  addressKey: 'otlp-endpoint',
  keys: OTLP_KEYS,
  secretKeys: new Set(['otlp-headers']),
  parse: parseOtlpOptions,
  sink: OtlpSink,
});
