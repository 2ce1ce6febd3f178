// The `gelf` sink: Docker's gelf driver options and messages (GELF 1.1 over UDP,
// chunked and compressed, or over TCP, NUL-terminated), delivered with the router
// doing batching and retries.

import { randomFillSync } from 'node:crypto';
import { defineSink } from '../shared/define-sink.js';
import type { Sink, SinkContext, SinkDefinition, SinkEntry } from '../sink.js';
import { SinkError } from '../sink.js';
import {
  chunkCount,
  compileMessages,
  compressPayload,
  encodeMessage,
  messageSink,
  safeLineBytes,
  toDatagrams,
  type CompiledMessages,
} from './format.js';
import { gelfError } from './errors.js';
import { describeGelfAddress, GELF_KEYS, parseGelfOptions, type GelfOptions } from './options.js';
import { TcpTransport } from './tcp-transport.js';
import { UdpTransport } from './udp-transport.js';

/** Messages per batch: Docker sends each message on its own, so this only bounds a retry. */
export const GELF_MAX_BATCH_ENTRIES = 1000;
/** Line bytes per TCP batch (one write). */
export const GELF_TCP_MAX_BATCH_BYTES = 1024 * 1024;

/** Random 8-byte chunk message ids (go-gelf reads crypto/rand per message), drawn from a pool. */
class MessageIds {
  private readonly pool = Buffer.alloc(8 * 256);
  private pos = this.pool.length;
  next(): Buffer {
    if (this.pos === this.pool.length) {
      randomFillSync(this.pool);
      this.pos = 0;
    }
    this.pos += 8;
    return this.pool.subarray(this.pos - 8, this.pos);
  }
}

export class GelfSink implements Sink {
  readonly maxBatchEntries = GELF_MAX_BATCH_ENTRIES;
  readonly maxBatchBytes: number;
  readonly lingerMs = 0;
  /** Docker fails `docker run` when a TCP endpoint is down; tslogs starts the container and retries. */
  readonly openBeforeStart = false;
  private readonly compiled: CompiledMessages;
  private readonly udp: UdpTransport | undefined;
  private readonly tcp: TcpTransport | undefined;
  private readonly ids = new MessageIds();

  constructor(
    private readonly options: GelfOptions,
    private readonly context: SinkContext,
  ) {
    this.compiled = compileMessages(options.messages);
    if (options.address.protocol === 'udp') {
      this.udp = new UdpTransport(options.address, Date.now, undefined, context.log);
      // A line that might need more than 128 chunks travels alone, so that rejecting it drops only it.
      this.maxBatchBytes = safeLineBytes(this.compiled, options.compression);
    } else {
      this.tcp = new TcpTransport(options.address, {
        maxReconnect: options.maxReconnect,
        reconnectDelayMs: options.reconnectDelayMs,
        log: context.log,
      });
      this.maxBatchBytes = GELF_TCP_MAX_BATCH_BYTES;
    }
  }

  async open(): Promise<void> {
    await (this.udp ?? this.tcp)!.open();
  }

  probe(timeoutMs: number): Promise<boolean> {
    return this.tcp !== undefined ? this.tcp.probe(timeoutMs) : this.udp!.probe();
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (this.tcp !== undefined) return this.sendTcp(this.tcp, batch);
    return this.sendUdp(this.udp!, batch);
  }

  /** Each message: uncompressed JSON and a NUL byte (go-gelf's TCPWriter), the batch in one write. */
  private async sendTcp(tcp: TcpTransport, batch: readonly SinkEntry[]): Promise<void> {
    const out = messageSink(batch);
    let messages = 0;
    for (const entry of batch) {
      if (!encodeMessage(entry, this.compiled, out)) continue;
      out.reserve(1);
      out.buf[out.pos++] = 0;
      messages++;
    }
    if (messages === 0) return;
    // A copy: the transport may keep it to write again after a lost connection.
    await tcp.send(Buffer.from(out.view()), messages);
  }

  /**
   * Each message compressed on its own and sent as one datagram or as GELF chunks. A
   * message that would need more than 128 chunks is dropped, as Docker does: the batch
   * is rejected (not retryable) when it held nothing else, which the batch byte limit
   * arranges; otherwise it is reported and the others are sent.
   */
  private async sendUdp(udp: UdpTransport, batch: readonly SinkEntry[]): Promise<void> {
    const out = messageSink(batch);
    const datagrams: Buffer[] = [];
    const tooLarge: string[] = [];
    let messages = 0;
    for (const entry of batch) {
      const start = out.pos;
      if (!encodeMessage(entry, this.compiled, out)) continue;
      messages++;
      // The view stays valid when the sink grows (it keeps the old buffer) and nothing overwrites it.
      const payload = compressPayload(out.buf.subarray(start, out.pos), this.options.compression, this.options.compressionLevel);
      const parts = toDatagrams(payload, this.ids.next());
      if (parts === undefined) tooLarge.push(gelfError('TSLOGS_GELF_TOO_LARGE', chunkCount(payload.length)).message);
      else for (const d of parts) datagrams.push(d);
    }
    if (tooLarge.length > 0 && tooLarge.length === messages) throw new SinkError(tooLarge.join('; '), false);
    for (const message of tooLarge) this.context.log.error(message);
    await udp.send(datagrams, messages - tooLarge.length);
  }

  close(): Promise<void> {
    return (this.udp ?? this.tcp)!.close();
  }
}

export const gelfSinkDefinition: SinkDefinition<GelfOptions> = defineSink({
  name: 'gelf',
  addressKey: 'gelf-address',
  keys: GELF_KEYS,
  parse: parseGelfOptions,
  sink: GelfSink,
  // No acknowledgement in GELF: what a dead receiver had not read is sent again on the next endpoint.
  split: (o) => ({
    each: o.addresses.map((address) => ({ ...o, address, addresses: [address] })),
    addresses: o.addresses.map(describeGelfAddress),
    balance: o.balance,
    replayOnFailover: true,
  }),
});
