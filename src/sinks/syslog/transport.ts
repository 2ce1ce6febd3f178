// A container's connection to its syslog server over udp, tcp, tcp+tls, unix
// (stream) or unixgram, or the local syslog socket, as Docker's srslog dials them
// (docs/docker-compat.md §9.2). The connection kinds are in stream.ts, tls.ts, datagram.ts and
// unix-probe.ts; what a resolved write means for each is in connection.ts.
//
// A server that closes (restarts) discards what it had not read yet, although
// those writes succeeded: what a connection carried in the last REPLAY_WINDOW_MS
// is therefore written again first on the next connection (over udp, once a
// refusal showed that the server had gone).
// Outages cost duplicates, not lines (RELP would be needed for exactly-once).
// A failed dial or write rejects with a retryable SinkError and drops the
// connection; the router retries with backoff and the next send dials again.
// This replaces Docker's single re-dial: nothing is dropped after one failure.

import { type Logger, silentLogger } from '../../util/log.js';
import { endsWithReplay, REPLAY_WINDOW_MS, ReplayWindow, replayedMessages, withReplay } from '../shared/replay-window.js';
import { SinkError } from '../sink.js';
import type { SyslogAddress } from './address.js';
import { DIAL_TIMEOUT_MS, retryable, type Connection } from './connection.js';
import { dialUdp } from './datagram.js';
import { syslogError } from './errors.js';
import type { EncodedBatch } from './format.js';
import type { SyslogTlsOptions } from './options.js';
import { dialTcp, dialUnix } from './stream.js';
import { dialTls } from './tls.js';
import { dialLocal, dialUnixgram } from './unix-probe.js';

export interface TransportOptions {
  address: SyslogAddress;
  tls: SyslogTlsOptions | undefined;
  localPaths: readonly string[];
  dialTimeoutMs?: number;
  replayWindowMs?: number;
  /** Milliseconds, for the replay window (tests replace it). */
  now?: () => number;
  log?: Logger;
}

function dial(o: TransportOptions, timeout = o.dialTimeoutMs ?? DIAL_TIMEOUT_MS): Promise<Connection> {
  const a = o.address;
  switch (a.proto) {
    case 'local':
      return dialLocal(o.localPaths, timeout);
    case 'udp':
      return dialUdp(a.host, a.port, a.addr, timeout);
    case 'tcp':
      return dialTcp(a.host, a.port, a.addr, timeout);
    case 'tcp+tls':
      return dialTls(a.host, a.port, a.addr, o.tls ?? { ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true }, timeout);
    case 'unix':
      return dialUnix(a.path, timeout);
    case 'unixgram':
      return dialUnixgram(a.path, timeout);
  }
}

/**
 * One container's connection to its syslog server, dialled on demand.
 *
 * Transports keep what they wrote in the last REPLAY_WINDOW_MS: when the
 * connection is lost, that is written again first on the next one. The cost is
 * that the server may see a few messages twice after an outage; nothing written
 * shortly before it is lost.
 */
export class SyslogTransport {
  private conn: Connection | undefined;
  private dialing: Promise<Connection> | undefined;
  private closed = false;
  private readonly replay: ReplayWindow;
  private readonly replayWindowMs: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: TransportOptions) {
    this.replayWindowMs = options.replayWindowMs ?? REPLAY_WINDOW_MS;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLogger;
    // A write exactly REPLAY_WINDOW_MS old when the loss is noticed is still replayed.
    this.replay = new ReplayWindow({ windowMs: this.replayWindowMs, now: this.now, keepCutoff: true });
  }

  /** The live connection, dialling if there is none (one dial at a time; `timeoutMs` bounds a new one). */
  private connection(timeoutMs?: number): Promise<Connection> {
    if (this.closed) return Promise.reject(retryable(syslogError('TSLOGS_SYSLOG_SINK_CLOSED').message));
    if (this.conn?.alive) return Promise.resolve(this.conn);
    this.drop();
    this.dialing ??= dial(this.options, timeoutMs).then(
      (conn) => {
        this.dialing = undefined;
        if (this.closed) {
          void conn.close();
          throw retryable(syslogError('TSLOGS_SYSLOG_SINK_CLOSED').message);
        }
        this.conn = conn;
        return conn;
      },
      (err: unknown) => {
        this.dialing = undefined;
        throw err instanceof SinkError ? err : retryable((err as Error).message);
      },
    );
    return this.dialing;
  }

  /** Forgets the current connection; what it carried last becomes the replay of the next one. */
  private drop(): void {
    const conn = this.conn;
    if (conn === undefined) return;
    this.conn = undefined;
    void conn.close();
    this.replay.lost();
  }

  /** Dials now (the first send would otherwise). */
  async connect(): Promise<void> {
    await this.connection();
  }

  /**
   * Whether the server can be reached now: a dial (kept for the next send) within
   * `timeoutMs`, then, for datagrams, an empty datagram that a closed port refuses.
   */
  async probe(timeoutMs: number): Promise<boolean> {
    try {
      const conn = await this.connection(timeoutMs);
      return conn.probe === undefined ? conn.alive : await conn.probe();
    } catch {
      return false;
    }
  }

  /**
   * Writes what `encode` produces once connected (messages are stamped when
   * they are sent, as Docker does, not before a slow dial).
   */
  async send(encode: () => EncodedBatch): Promise<void> {
    const conn = await this.connection();
    const batch = encode();
    if (batch.ends.length === 0) return;
    const replay = this.replay.pending;
    try {
      // Whole framed messages, so the replay simply goes first and the batch's ends move.
      await conn.write(replay.length === 0 ? batch : { data: withReplay(replay, batch.data), ends: endsWithReplay(replay, batch.ends) });
    } catch (err) {
      if (this.conn === conn) this.drop();
      throw err instanceof SinkError ? err : retryable((err as Error).message);
    }
    // Datagrams keep their boundaries for a replay; a stream's bytes are written as they are.
    this.replay.written(replay, batch.data, batch.ends.length, this.now(), conn.stream ? undefined : batch.ends);
    if (replay.length > 0) {
      this.log.warn(syslogError('TSLOGS_SYSLOG_REPLAY', conn.label, replayedMessages(replay), this.replayWindowMs).message);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.close();
  }
}
