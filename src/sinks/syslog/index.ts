// The `syslog` sink: Docker's syslog driver options and bytes (docs/docker-compat.md §9), sent
// over udp, tcp, tcp+tls, unix or unixgram, or to the local syslog socket, with
// the router doing retries from the durable cursor.

import { defineSink } from '../shared/define-sink.js';
import type { Sink, SinkContext, SinkDefinition, SinkEntry } from '../sink.js';
import { SyslogEncoder, wallClockMicros, type ZoneOffset, localZoneOffset } from './format.js';
import { parseSyslogOptions, SYSLOG_KEYS, type SyslogOptions } from './options.js';
import { SyslogTransport } from './transport.js';
import { describeSyslogAddress } from './address.js';

/** Entries per send: one write on streams, one datagram each on udp/unixgram. */
export const SYSLOG_MAX_BATCH_ENTRIES = 1000;
/** Line bytes per send. */
export const SYSLOG_MAX_BATCH_BYTES = 1024 * 1024;

export interface SyslogSinkClock {
  /** Wall-clock microseconds (the send time Docker stamps messages with). */
  now: () => number;
  zone: ZoneOffset;
}

export class SyslogSink implements Sink {
  readonly maxBatchEntries = SYSLOG_MAX_BATCH_ENTRIES;
  readonly maxBatchBytes = SYSLOG_MAX_BATCH_BYTES;
  // Docker sends every message as soon as it has it.
  readonly lingerMs = 0;
  private readonly encoder: SyslogEncoder;
  private readonly transport: SyslogTransport;
  private readonly now: () => number;

  constructor(
    options: SyslogOptions,
    context: SinkContext,
    clock: SyslogSinkClock = { now: wallClockMicros, zone: localZoneOffset },
  ) {
    const { address, format } = options;
    this.encoder = new SyslogEncoder(
      {
        format,
        facility: options.facility,
        hostname: context.hostname,
        tag: options.tag,
        // Docker puts dockerd's PID; the process that sends here is tslogs.
        pid: process.pid,
        octetCounting: address.proto === 'tcp+tls' && (format === 'rfc5424' || format === 'rfc5424micro'),
      },
      clock.zone,
    );
    this.now = clock.now;
    this.transport = new SyslogTransport({ address, tls: options.tls, localPaths: options.localPaths, log: context.log });
  }

  /**
   * Starts dialling and resolves at once: an unreachable server must not hold up
   * the container (Docker fails its start instead) nor the router's cursor. The
   * first send waits for this dial, and a failure there is retried with backoff.
   */
  async open(): Promise<void> {
    this.transport.connect().catch(() => undefined);
  }

  probe(timeoutMs: number): Promise<boolean> {
    return this.transport.probe(timeoutMs);
  }

  async send(batch: readonly SinkEntry[]): Promise<void> {
    // Docker skips empty lines; a batch of nothing else needs no connection.
    if (!batch.some((e) => e.line.length > 0)) return;
    await this.transport.send(() => this.encoder.encode(batch, this.now));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

export const syslogSinkDefinition: SinkDefinition<SyslogOptions> = defineSink({
  name: 'syslog',
  addressKey: 'syslog-address',
  keys: SYSLOG_KEYS,
  parse: parseSyslogOptions,
  sink: SyslogSink,
  // No acknowledgement in syslog: what a dead server had not read is sent again on the next endpoint.
  split: (o) => ({
    each: o.addresses.map((address) => ({ ...o, address, addresses: [address], tls: address.proto === 'tcp+tls' ? o.tls : undefined })),
    addresses: o.addresses.map(describeSyslogAddress),
    balance: o.balance,
    replayOnFailover: true,
  }),
});
