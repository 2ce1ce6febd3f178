// The two GELF transports: one connected UDP socket, or one TCP connection, per
// container for its lifetime (go-gelf keeps one too; gelf-pro opens one per message).
// Both resolve the host again whenever they reconnect (Docker resolves it once at
// container start: moby #17904). Every failure becomes a retryable SinkError with
// Go's wording where Docker has one; the router then retries the same batch.

import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tslogsError } from '../../errors.js';
import { SinkError } from '../sink.js';
import type { GelfAddress } from './options.js';

/** A UDP socket is dialled again when the host name now resolves elsewhere; checked this often. */
export const DNS_REFRESH_MS = 30_000;
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
export const REPLAY_WINDOW_MS = 1000;
export const FIN_REPLAY_BASE_MS = 100;
export const REPLAY_MAX_BYTES = 4 * 1024 * 1024;

// Go's texts for the errno values a GELF endpoint produces (syscall.Errno.Error()).
const GO_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EMSGSIZE: 'message too long',
  ENOBUFS: 'no buffer space available',
  ENOTCONN: 'socket is not connected',
  ERR_STREAM_DESTROYED: 'use of closed network connection',
  ERR_STREAM_WRITE_AFTER_END: 'broken pipe',
  ERR_SOCKET_DGRAM_NOT_RUNNING: 'use of closed network connection',
};

interface NodeError {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message?: string;
}

function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function errnoText(e: unknown): string {
  const err = e as NodeError;
  return GO_ERRNO[err.code ?? ''] ?? err.message ?? String(e);
}

/** Go's *net.OpError of a failed Dial: `dial tcp 127.0.0.1:12201: connect: connection refused`. */
function dialError(proto: string, address: GelfAddress, e: unknown): SinkError {
  const err = e as NodeError;
  let detail: string;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_NODATA' || err.code === 'EAI_NONAME') {
    const why = err.code === 'EAI_AGAIN' ? 'temporary failure in name resolution' : 'no such host';
    detail = `dial ${proto}: lookup ${err.hostname ?? address.host}: ${why}`;
  } else {
    const to = err.address !== undefined ? joinHostPort(err.address, err.port ?? address.port) : joinHostPort(address.host, address.port);
    detail = err.code === 'TSLOGS_TIMEOUT' ? `dial ${proto} ${to}: i/o timeout` : `dial ${proto} ${to}: connect: ${errnoText(e)}`;
  }
  return new SinkError(tslogsError('TSLOGS_GELF_CONNECT', address.hostport, detail).message, true);
}

/** `gelf: cannot send GELF message: write udp 127.0.0.1:12201: write: connection refused`. */
function writeError(proto: string, remote: string, e: unknown): SinkError {
  return new SinkError(tslogsError('TSLOGS_GELF_SEND', `write ${proto} ${remote}: write: ${errnoText(e)}`).message, true);
}

/** dns.lookup's answer for one address; injectable so tests can move a receiver. */
export type Lookup = (host: string) => Promise<{ address: string; family: number }>;
const systemLookup: Lookup = (host) => dns.lookup(host);

/**
 * Resolves after the event loop has polled once more (the second setImmediate runs after
 * the next poll phase): an ICMP error for a datagram just sent, or a FIN or RST the
 * receiver already sent, is reported by then on loopback and local networks.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function timeoutError(): Error {
  return Object.assign(new Error('i/o timeout'), { code: 'TSLOGS_TIMEOUT' });
}

// ---------------------------------------------------------------------------------------

/** One connected UDP socket; datagrams of a batch are sent in order. */
export class UdpTransport {
  private socket: dgram.Socket | undefined;
  private dialing: Promise<dgram.Socket> | undefined;
  /** An error the socket reported outside a send (an ICMP error on a connected socket). */
  private failure: Error | undefined;
  private remote = '';
  private resolvedAt = 0;
  private closed = false;

  constructor(
    private readonly address: GelfAddress,
    private readonly now: () => number = Date.now,
    private readonly lookup: Lookup = systemLookup,
  ) {}

  /** Resolves the host and connects the socket (no handshake: nothing is sent). */
  async open(): Promise<void> {
    await this.connect();
  }

  private connect(): Promise<dgram.Socket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    this.dialing ??= this.dial().finally(() => (this.dialing = undefined));
    return this.dialing;
  }

  private async dial(): Promise<dgram.Socket> {
    const { host, port } = this.address;
    let resolved: { address: string; family: number };
    try {
      resolved = await this.lookup(host);
    } catch (e) {
      throw dialError('udp', this.address, e);
    }
    const socket = dgram.createSocket(resolved.family === 6 ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(port, resolved.address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      throw dialError('udp', this.address, e);
    }
    if (this.closed) {
      socket.close();
      throw new SinkError(tslogsError('TSLOGS_GELF_SEND', 'use of closed network connection').message, true);
    }
    socket.on('error', (err) => {
      // A closed socket's late errors must not fail the one that replaced it.
      if (this.socket === socket) this.failure ??= err;
    });
    this.socket = socket;
    this.remote = joinHostPort(resolved.address, port);
    this.resolvedAt = this.now();
    return socket;
  }

  /** Closes the socket; the next send dials again (and resolves the host again). */
  private reset(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.failure = undefined;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }

  /** Every DNS_REFRESH_MS, looks the host up again and moves the socket if it now resolves elsewhere. */
  private async refresh(): Promise<void> {
    if (this.socket === undefined || net.isIP(this.address.host) !== 0) return;
    if (this.now() - this.resolvedAt < DNS_REFRESH_MS) return;
    this.resolvedAt = this.now();
    try {
      const { address } = await this.lookup(this.address.host);
      if (joinHostPort(address, this.address.port) !== this.remote) this.reset();
    } catch {
      // Keep the socket we have; a lookup failure says nothing about it.
    }
  }

  /**
   * Sends the datagrams in order; resolves once the kernel took them all and no error
   * came back by the next poll. A connected UDP socket learns from ICMP that nobody
   * listens (ECONNREFUSED, reported after the send): the batch then fails and is sent
   * again, instead of counting as delivered while the receiver is down.
   */
  async send(datagrams: readonly Buffer[]): Promise<void> {
    if (datagrams.length === 0) return;
    await this.refresh();
    const socket = await this.connect();
    try {
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        let left = datagrams.length;
        let failed = false;
        const done = (err: Error | null): void => {
          if (failed) return;
          if (err) {
            failed = true;
            reject(err);
          } else if (--left === 0) resolve();
        };
        for (const d of datagrams) socket.send(d, done);
      });
      await settle();
      if (this.failure !== undefined) throw this.failure;
    } catch (e) {
      this.reset();
      throw writeError('udp', this.remote, e);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reset();
  }
}

// ---------------------------------------------------------------------------------------

interface Written {
  data: Buffer;
  messages: number;
  at: number;
}

export interface TcpSettings {
  /** gelf-tcp-max-reconnect: reconnections tried inside one send, each after the delay. */
  maxReconnect: number;
  /** gelf-tcp-reconnect-delay in ms. */
  reconnectDelayMs: number;
  report: (message: string) => void;
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
  /** Batches written recently on the current connection, oldest first. */
  private window: Written[] = [];
  private windowBytes = 0;
  /** Batches to write again first on the next connection, and the window they come from. */
  private replay: Written[] = [];
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
  }

  /** Connects (Docker connects at container start). */
  async open(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<net.Socket> {
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
        const timer = setTimeout(() => socket.destroy(timeoutError()), CONNECT_TIMEOUT_MS);
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
      throw new SinkError(tslogsError('TSLOGS_GELF_SEND', 'use of closed network connection').message, true);
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

  /**
   * Forgets the current connection. What it carried in the last REPLAY_WINDOW_MS becomes
   * the replay of the next one (when nothing was written on it, an earlier replay is
   * still pending and stays).
   */
  private drop(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.socket = undefined;
    socket.destroy();
    if (this.window.length > 0) {
      const fin = Math.min(this.replayWindowMs, FIN_REPLAY_BASE_MS + 4 * this.connectMs);
      this.replayMs = this.closedCleanly ? fin : this.replayWindowMs;
      const cutoff = this.now() - this.replayMs;
      this.replay = this.window.filter((w) => w.at > cutoff);
    }
    this.window = [];
    this.windowBytes = 0;
  }

  private remember(written: Written): void {
    this.window.push(written);
    this.windowBytes += written.data.length;
    const cutoff = written.at - this.replayWindowMs;
    while (this.window.length > 1 && (this.window[0]!.at < cutoff || this.windowBytes > REPLAY_MAX_BYTES)) {
      this.windowBytes -= this.window.shift()!.data.length;
    }
  }

  /** Writes and waits for the kernel to take it and for one more poll of the event loop. */
  private write(socket: net.Socket, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.broken !== undefined) return reject(this.broken);
      const timer = setTimeout(() => socket.destroy(timeoutError()), WRITE_TIMEOUT_MS);
      socket.write(data, (err) => {
        clearTimeout(timer);
        if (err) return reject(this.broken ?? err);
        void settle().then(() => (this.broken !== undefined ? reject(this.broken) : resolve()));
      });
    });
  }

  /** Writes one batch (NUL-terminated messages), reconnecting as described on the class. */
  async send(payload: Buffer, messages: number): Promise<void> {
    for (;;) {
      try {
        const socket = await this.connect();
        const replay = this.replay;
        const data = replay.length === 0 ? payload : Buffer.concat([...replay.map((w) => w.data), payload]);
        await this.write(socket, data);
        const at = this.now();
        this.replay = [];
        for (const w of replay) this.remember({ ...w, at });
        this.remember({ data: payload, messages, at });
        this.attemptsLeft = this.settings.maxReconnect;
        if (replay.length > 0) {
          const count = replay.reduce((n, w) => n + w.messages, 0);
          this.settings.report(tslogsError('TSLOGS_GELF_REPLAY', this.address.hostport, count, this.replayMs).message);
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
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

/** A Lookup as net.connect's callback-style lookup option (which may ask for all addresses). */
function adaptLookup(lookup: Lookup): net.LookupFunction {
  return ((host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    lookup(host).then(
      ({ address, family }) => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family)),
      (err: unknown) => callback(err),
    );
  }) as unknown as net.LookupFunction;
}
