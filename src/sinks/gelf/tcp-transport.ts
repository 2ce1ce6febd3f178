// GELF over TCP: one connection per container for its lifetime, made again (and
// the host resolved again) after a failure, with what the lost connection carried
// last written again first.

import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { joinHostPort } from '../../go/host-port.js';
import type { Logger } from '../../util/log.js';
import { REPLAY_WINDOW_MS, ReplayWindow, replayedMessages, withReplay } from '../shared/replay-window.js';
import { endGracefully, nextPoll } from '../shared/socket-waits.js';
import { SinkError } from '../sink.js';
import { gelfError } from './errors.js';
import { adaptLookup, type Lookup } from './lookup.js';
import { closedError, dialError, timeoutError, writeError } from './net-errors.js';
import type { GelfAddress } from './options.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** A receiver that reads nothing for this long counts as gone: the connection is dropped and made again. */
const WRITE_TIMEOUT_MS = 30_000;
/**
 * GELF over TCP has no acknowledgement: whatever the receiver had not read when it
 * went away, and whatever was in flight, is lost without an error. What was written
 * in a window before the failure was noticed is written again on the next connection:
 * REPLAY_WINDOW_MS after a reset, a write timeout or any error (the receiver may have
 * discarded unread data), much less after a clean close (a FIN: the receiver read
 * everything that reached it before closing, so only what was in flight is lost):
 * FIN_REPLAY_BASE_MS plus four times the time the connection took to open (one round
 * trip and the lookup), which covers the flight and our event loop noticing late.
 */
export const FIN_REPLAY_BASE_MS = 100;

export interface TcpSettings {
  /** gelf-tcp-max-reconnect: reconnections tried inside one send, each after the delay. */
  maxReconnect: number;
  /** gelf-tcp-reconnect-delay in ms. */
  reconnectDelayMs: number;
  log: Logger;
  replayWindowMs?: number;
  now?: () => number;
  /** Instead of the system resolver (tests). */
  lookup?: Lookup;
}

/**
 * One TCP connection. send() resolves once the bytes are in the kernel and one more
 * turn of the event loop has passed without the receiver closing or resetting the
 * connection; otherwise it rejects and the router sends the batch again.
 *
 * gelf-tcp-max-reconnect and gelf-tcp-reconnect-delay keep Docker's meaning for the
 * first failure of an outage: up to max-reconnect reconnections inside send(), each
 * after the delay (go-gelf's writeToSocketWithReconnectAttempts). Where Docker then
 * drops the message, send() rejects retryably instead and the router's backoff
 * (sink-retry-min/max) paces one connection attempt per retry until the receiver is
 * back; the first successful write restores the max-reconnect budget.
 */
export class TcpTransport {
  private socket: net.Socket | undefined;
  /** Why the current connection is unusable (the receiver closed or reset it), once known. */
  private broken: Error | undefined;
  /** The receiver closed the current connection cleanly (FIN) before any error. */
  private closedCleanly = false;
  /** How long the current connection took to open. */
  private connectMs = 0;
  private attemptsLeft: number;
  private readonly replay: ReplayWindow;
  /** The window the pending replay comes from, for the report. */
  private replayMs = 0;
  private readonly closing = new AbortController();
  private readonly replayWindowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly address: GelfAddress,
    private readonly settings: TcpSettings,
  ) {
    this.attemptsLeft = settings.maxReconnect;
    this.replayWindowMs = settings.replayWindowMs ?? REPLAY_WINDOW_MS;
    this.now = settings.now ?? Date.now;
    // A write exactly at the cutoff is not replayed: a zero window replays nothing.
    this.replay = new ReplayWindow({ windowMs: this.replayWindowMs, now: this.now, keepCutoff: false });
  }

  /** Connects (Docker connects at container start). */
  async open(): Promise<void> {
    await this.connect();
  }

  /** Whether the receiver accepts a connection now (kept for the next send), within `timeoutMs`. */
  async probe(timeoutMs: number): Promise<boolean> {
    try {
      await this.connect(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  private async connect(timeoutMs = CONNECT_TIMEOUT_MS): Promise<net.Socket> {
    if (this.socket !== undefined && this.broken === undefined) return this.socket;
    this.drop();
    const { host, port } = this.address;
    const started = this.now();
    // net.connect looks the host up on every call: a moved receiver is found on reconnect.
    const socket = net.connect({
      host,
      port,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 15_000,
      ...(this.settings.lookup && { lookup: adaptLookup(this.settings.lookup) }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => socket.destroy(timeoutError()), timeoutMs);
        socket.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } catch (e) {
      socket.destroy();
      throw dialError('tcp', this.address, e);
    }
    if (this.closing.signal.aborted) {
      socket.destroy();
      throw closedError();
    }
    this.socket = socket;
    this.broken = undefined;
    this.closedCleanly = false;
    this.connectMs = this.now() - started;
    const remote = joinHostPort(socket.remoteAddress ?? host, socket.remotePort ?? port);
    const fail = (why: unknown, clean = false): void => {
      if (this.socket !== socket || this.broken !== undefined) return;
      this.broken = writeError('tcp', remote, why);
      this.closedCleanly = clean;
    };
    socket.on('error', fail);
    socket.on('end', () => fail({ code: 'EPIPE' }, true));
    socket.on('close', () => fail({ code: 'EPIPE' }));
    // A GELF server sends nothing; reading is how its FIN or RST is noticed before the next write.
    socket.resume();
    return socket;
  }

  /** Forgets the current connection; what it carried last becomes the replay of the next one. */
  private drop(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.socket = undefined;
    socket.destroy();
    const fin = Math.min(this.replayWindowMs, FIN_REPLAY_BASE_MS + 4 * this.connectMs);
    const replayMs = this.closedCleanly ? fin : this.replayWindowMs;
    if (this.replay.lost(replayMs)) this.replayMs = replayMs;
  }

  /** Writes and waits for the kernel to take it and for one more poll of the event loop. */
  private write(socket: net.Socket, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.broken !== undefined) return reject(this.broken);
      const timer = setTimeout(() => socket.destroy(timeoutError()), WRITE_TIMEOUT_MS);
      socket.write(data, (err) => {
        clearTimeout(timer);
        if (err) return reject(this.broken ?? err);
        void nextPoll().then(() => (this.broken !== undefined ? reject(this.broken) : resolve()));
      });
    });
  }

  /** Writes one batch (NUL-terminated messages), reconnecting as described on the class. */
  async send(payload: Buffer, messages: number): Promise<void> {
    for (;;) {
      try {
        const socket = await this.connect();
        const replay = this.replay.pending;
        await this.write(socket, withReplay(replay, payload));
        this.replay.written(replay, payload, messages, this.now());
        this.attemptsLeft = this.settings.maxReconnect;
        if (replay.length > 0) {
          this.settings.log.warn(gelfError('TSLOGS_GELF_REPLAY', this.address.hostport, replayedMessages(replay), this.replayMs).message);
        }
        return;
      } catch (e) {
        const error = e instanceof SinkError ? e : writeError('tcp', this.address.hostport, e);
        this.drop();
        if (this.closing.signal.aborted || this.attemptsLeft <= 0) throw error;
        this.attemptsLeft--;
        try {
          await sleep(this.settings.reconnectDelayMs, undefined, { signal: this.closing.signal, ref: false });
        } catch {
          throw error;
        }
      }
    }
  }

  /** Ends the connection after what was written; gives up waiting after a moment. */
  async close(): Promise<void> {
    this.closing.abort();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined || socket.destroyed) return;
    await endGracefully(socket);
  }
}
