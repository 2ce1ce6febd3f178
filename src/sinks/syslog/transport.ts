// Connections to a syslog server over udp, tcp, tcp+tls, unix (stream) and
// unixgram, or the local syslog socket, as Docker's srslog dials them (spec §9.2).
//
// What a resolved send() means, per transport. Syslog has no acknowledgement:
//   tcp, tcp+tls, unix  the bytes were written to the socket (handed to the
//                       kernel): that is as much as the protocol can tell. A
//                       close noticed while a write is pending fails that send,
//                       and the router sends the batch again. A server that
//                       closes (restarts) discards what it had not read yet,
//                       although those writes succeeded: what the connection
//                       carried in the last REPLAY_WINDOW_MS is therefore
//                       written again first on the next connection. Outages
//                       cost duplicates, not lines (RELP would be needed for
//                       exactly-once).
//   udp, unixgram       each datagram was handed to the kernel (fire-and-forget;
//                       unixgram delivers straight into the server's queue and
//                       waits while it is full).
// A failed dial or write rejects with a retryable SinkError and drops the
// connection; the router retries with backoff and the next send dials again.
// This replaces Docker's single re-dial: nothing is dropped after one failure.

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { tslogsError } from '../../errors.js';
import { SinkError } from '../sink.js';
import { goErrnoText, type SyslogAddress } from './address.js';
import type { EncodedBatch } from './format.js';
import type { SyslogTlsOptions } from './options.js';

/** Go dials without a deadline; a bound keeps a silent host from stalling retries. */
export const DIAL_TIMEOUT_MS = 10_000;
/** Go's net.Dialer default keep-alive period. */
const KEEPALIVE_MS = 15_000;
/** How long close() lets a stream flush before cutting it. */
const CLOSE_GRACE_MS = 2_000;
/** What a stream connection wrote this recently is written again after it is lost. */
export const REPLAY_WINDOW_MS = 1000;
export const REPLAY_MAX_BYTES = 4 * 1024 * 1024;

/**
 * docker/go-connections tlsconfig: TLS 1.2 minimum and, for TLS 1.2, only these
 * suites (OpenSSL names of Go's ECDHE-(ECDSA|RSA)-AES-(256|128)-GCM). TLS 1.3
 * keeps its default suites, as in Go.
 */
export const GO_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

export interface TransportOptions {
  address: SyslogAddress;
  tls: SyslogTlsOptions | undefined;
  localPaths: readonly string[];
  dialTimeoutMs?: number;
  replayWindowMs?: number;
  /** Milliseconds, for the replay window (tests replace it). */
  now?: () => number;
  report?: (message: string) => void;
}

/** One dialled connection. */
interface Connection {
  /** tcp, tcp+tls, unix: a byte stream (replayed after a loss); udp, unixgram: datagrams. */
  readonly stream: boolean;
  /** Names both ends, for messages. */
  readonly label: string;
  /** False once it failed or the server closed it: the next send dials again. */
  readonly alive: boolean;
  /** Resolves once every message of the batch was handed to the kernel. */
  write(batch: EncodedBatch): Promise<void>;
  close(): Promise<void>;
}

const retryable = (message: string): SinkError => new SinkError(message, true);

/** Go's net.OpError text for a failed dial: `dial tcp 127.0.0.1:514: connect: connection refused`. */
function dialError(network: string, addr: string, e: unknown): SinkError {
  const err = e as NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.syscall === 'getaddrinfo') {
    const why = err.code === 'ENOTFOUND' ? 'no such host' : goErrnoText(err);
    return retryable(tslogsError('TSLOGS_SYSLOG_DIAL', network, '', `lookup ${err.hostname ?? addr}: ${why}`).message);
  }
  const where = err.address !== undefined ? joinHostPort(err.address, err.port) : addr;
  const detail = err.syscall !== undefined && err.code !== undefined ? `${err.syscall}: ${goErrnoText(err)}` : err.message;
  return retryable(tslogsError('TSLOGS_SYSLOG_DIAL', network, where, detail).message);
}

function joinHostPort(host: string, port: number | undefined): string {
  if (port === undefined) return host;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's x509 wording for Node's verification failures. */
function tlsError(host: string, e: unknown): SinkError {
  const err = e as NodeJS.ErrnoException & { reason?: string; cert?: { subjectaltname?: string } };
  switch (err.code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return retryable('x509: certificate signed by unknown authority');
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return retryable('x509: certificate has expired or is not yet valid');
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const wantIp = net.isIP(host) !== 0;
      const names = (err.cert?.subjectaltname ?? '')
        .split(', ')
        .filter((n) => (wantIp ? n.startsWith('IP Address:') : n.startsWith('DNS:')))
        .map((n) => n.slice(n.indexOf(':') + 1));
      return retryable(names.length > 0
        ? `x509: certificate is valid for ${names.join(', ')}, not ${host}`
        : `x509: certificate is not valid for any names, but wanted to match ${host}`);
    }
    default:
      return retryable(`tls: ${err.message}${err.code !== undefined && !err.message.includes(err.code) ? ` (${err.code})` : ''}`);
  }
}

// ---------------------------------------------------------------------------------------
// Streams: tcp, tcp+tls, unix

class StreamConnection implements Connection {
  readonly stream = true;
  alive = true;
  private failure: SinkError | undefined;
  private readonly pending = new Set<(err: SinkError) => void>();

  constructor(
    private readonly socket: net.Socket,
    /** `tcp 127.0.0.1:40000->127.0.0.1:514` or `unix /dev/log`, for messages. */
    readonly label: string,
  ) {
    // A syslog server sends nothing; reading is how its close becomes visible.
    socket.on('data', () => undefined);
    socket.on('end', () => this.fail(retryable(tslogsError('TSLOGS_SYSLOG_CLOSED', this.label).message)));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.ioError(err)));
    socket.on('close', () => this.fail(retryable(tslogsError('TSLOGS_SYSLOG_CLOSED', this.label).message)));
  }

  private ioError(err: NodeJS.ErrnoException): SinkError {
    const op = err.syscall === 'read' ? 'read' : 'write';
    return retryable(tslogsError('TSLOGS_SYSLOG_IO', op, this.label, `${err.syscall ?? op}: ${goErrnoText(err)}`).message);
  }

  private fail(err: SinkError): void {
    if (!this.alive) return;
    this.alive = false;
    this.failure = err;
    // Writes not yet confirmed may not have reached the server: fail them so they are sent again.
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    this.socket.destroy();
  }

  write(batch: EncodedBatch): Promise<void> {
    if (!this.alive) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.pending.add(reject);
      this.socket.write(batch.data, (err) => {
        if (err) {
          this.pending.delete(reject);
          reject(this.failure ?? this.ioError(err as NodeJS.ErrnoException));
          return;
        }
        // One more poll of the event loop delivers a FIN or RST the server already
        // sent (on loopback and local networks): such a write fails and is sent again.
        setImmediate(() =>
          setImmediate(() => {
            this.pending.delete(reject);
            if (this.alive) resolve();
            else reject(this.failure);
          }),
        );
      });
    });
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    this.alive = false;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }
}

function tcpLabel(network: string, socket: net.Socket, addr: string): string {
  const local = socket.localAddress !== undefined ? `${joinHostPort(socket.localAddress, socket.localPort)}->` : '';
  const remote = socket.remoteAddress !== undefined ? joinHostPort(socket.remoteAddress, socket.remotePort) : addr;
  return `${network} ${local}${remote}`;
}

/** Waits for `event` on a connecting socket; any error or the deadline rejects (and destroys it). */
function connected(socket: net.Socket, event: string, timeoutMs: number, onError: (e: unknown) => SinkError, onTimeout: () => SinkError): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(onTimeout());
    }, timeoutMs);
    const fail = (e: unknown): void => {
      cleanup();
      socket.destroy();
      reject(onError(e));
    };
    const ok = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.removeListener('error', fail);
      socket.removeListener(event, ok);
    };
    socket.once('error', fail);
    socket.once(event, ok);
  });
}

async function dialTcp(host: string, port: number, addr: string, timeoutMs: number): Promise<Connection> {
  const socket = net.connect({ host: host || '127.0.0.1', port, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS });
  await connected(socket, 'connect', timeoutMs, (e) => dialError('tcp', addr, e), () => dialError('tcp', addr, new Error('i/o timeout')));
  return new StreamConnection(socket, tcpLabel('tcp', socket, addr));
}

async function dialTls(host: string, port: number, addr: string, options: SyslogTlsOptions, timeoutMs: number): Promise<Connection> {
  const target = host || '127.0.0.1';
  let socket: tls.TLSSocket;
  try {
    socket = tls.connect({
      host: target,
      port,
      // Go sends the address's host as SNI; Node refuses IP literals there (they are still verified).
      servername: net.isIP(target) === 0 ? target : undefined,
      ca: options.ca === undefined ? undefined : [...tls.rootCertificates, ...options.ca],
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized,
      minVersion: 'TLSv1.2',
      ciphers: GO_TLS12_CIPHERS,
    });
  } catch (e) {
    throw retryable(`tls: ${(e as Error).message}`);
  }
  let tcpUp = false;
  socket.once('connect', () => (tcpUp = true));
  await connected(
    socket,
    'secureConnect',
    timeoutMs,
    (e) => (tcpUp ? tlsError(target, e) : dialError('tcp', addr, e)),
    () => dialError('tcp', addr, new Error('i/o timeout')),
  );
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEPALIVE_MS);
  return new StreamConnection(socket, tcpLabel('tcp', socket, addr));
}

async function dialUnix(path: string, timeoutMs: number): Promise<Connection> {
  const socket = net.connect({ path });
  await connected(socket, 'connect', timeoutMs, (e) => dialError('unix', path, e), () => dialError('unix', path, new Error('i/o timeout')));
  return new StreamConnection(socket, `unix ${path}`);
}

// ---------------------------------------------------------------------------------------
// Datagrams: udp, unixgram

class UdpConnection implements Connection {
  readonly stream = false;
  alive = true;
  private failure: SinkError | undefined;

  constructor(
    private readonly socket: dgram.Socket,
    readonly label: string,
  ) {
    // ICMP errors of earlier datagrams surface here (or on the next send).
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.error(err)));
    socket.on('close', () => (this.alive = false));
  }

  private error(err: NodeJS.ErrnoException): SinkError {
    // A datagram the kernel refuses as too long will never be accepted.
    return new SinkError(tslogsError('TSLOGS_SYSLOG_IO', 'write', this.label, `write: ${goErrnoText(err)}`).message, err.code !== 'EMSGSIZE');
  }

  private fail(err: SinkError): void {
    if (!this.alive) return;
    this.alive = false;
    this.failure = err;
  }

  write(batch: EncodedBatch): Promise<void> {
    if (!this.alive) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      let left = batch.ends.length;
      let failed: SinkError | undefined;
      let start = 0;
      for (const end of batch.ends) {
        this.socket.send(batch.data.subarray(start, end), (err) => {
          if (err && failed === undefined) {
            failed = this.error(err as NodeJS.ErrnoException);
            if (failed.retryable) this.fail(failed);
          }
          if (--left === 0) {
            if (failed) reject(failed);
            else resolve();
          }
        });
        start = end;
      }
    });
  }

  close(): Promise<void> {
    this.alive = false;
    return new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}

async function dialUdp(host: string, port: number, addr: string, timeoutMs: number): Promise<Connection> {
  let address = host || '127.0.0.1';
  let family = net.isIP(address);
  if (family === 0) {
    try {
      ({ address, family } = await lookup(address));
    } catch (e) {
      throw dialError('udp', addr, e);
    }
  }
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(dialError('udp', addr, new Error('i/o timeout')));
    }, timeoutMs);
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(dialError('udp', addr, e));
    });
    // A connected socket, as Go's net.Dial("udp") makes: the kernel reports refusals.
    socket.connect(port, address, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve();
    });
  });
  const local = socket.address();
  return new UdpConnection(socket, `udp ${joinHostPort(local.address, local.port)}->${joinHostPort(address, port)}`);
}

/** node-unix-socket's DgramSocket, loaded on first use (a native addon). */
interface DgramSocketLike {
  sendTo(buf: Buffer, offset: number, length: number, destPath: string, onWrite?: (err: Error | undefined) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
type DgramSocketClass = new () => DgramSocketLike;
let dgramSocketClass: Promise<DgramSocketClass> | undefined;

function loadDgramSocket(): Promise<DgramSocketClass> {
  dgramSocketClass ??= import('node-unix-socket').then((m: { DgramSocket?: DgramSocketClass; default?: { DgramSocket?: DgramSocketClass } }) => {
    const cls = m.DgramSocket ?? m.default?.DgramSocket;
    if (cls === undefined) throw new Error('node-unix-socket has no DgramSocket');
    return cls;
  });
  return dgramSocketClass;
}

/** The Go errno text of node-unix-socket's (Rust io::Error) messages: "Connection refused (os error 111)". */
function rustIoText(err: Error): string {
  const text = err.message.replace(/ \(os error \d+\)$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}

class UnixgramConnection implements Connection {
  readonly stream = false;
  alive = true;
  private failure: SinkError | undefined;
  readonly label: string;

  constructor(
    private readonly socket: DgramSocketLike,
    private readonly path: string,
  ) {
    this.label = `unixgram ${path}`;
    socket.on('error', (err) => this.fail(this.error(err)));
  }

  private error(err: Error): SinkError {
    const text = rustIoText(err);
    return new SinkError(tslogsError('TSLOGS_SYSLOG_IO', 'write', `unixgram ${this.path}`, `write: ${text}`).message, text !== 'message too long');
  }

  private fail(err: SinkError): void {
    if (!this.alive) return;
    this.alive = false;
    this.failure = err;
  }

  write(batch: EncodedBatch): Promise<void> {
    if (!this.alive) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      let left = batch.ends.length;
      let failed: SinkError | undefined;
      let start = 0;
      for (const end of batch.ends) {
        // Waits (inside the addon) while the server's queue is full, instead of dropping.
        // Always offset 0: node-unix-socket 0.2.7 sends buf[offset, 2*offset+length)
        // and panics (aborting the process) when that runs past the buffer.
        const datagram = batch.data.subarray(start, end);
        this.socket.sendTo(datagram, 0, datagram.length, this.path, (err) => {
          if (err && failed === undefined) {
            failed = this.error(err);
            if (failed.retryable) this.fail(failed);
          }
          if (--left === 0) {
            if (failed) reject(failed);
            else resolve();
          }
        });
        start = end;
      }
    });
  }

  async close(): Promise<void> {
    this.alive = false;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

type SocketKind = { kind: 'dgram' } | { kind: 'stream'; socket: net.Socket } | { kind: 'none'; error: unknown };

/**
 * What listens on a unix socket path. A stream connect() to a datagram socket
 * fails with EPROTOTYPE, which tells the two apart without sending anything.
 */
function probeUnixSocket(path: string, timeoutMs: number): Promise<SocketKind> {
  return new Promise<SocketKind>((resolve) => {
    const socket = net.connect({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ kind: 'none', error: new Error('i/o timeout') });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ kind: 'stream', socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err.code === 'EPROTOTYPE' ? { kind: 'dgram' } : { kind: 'none', error: err });
    });
  });
}

async function openUnixgram(path: string): Promise<Connection> {
  let DgramSocket: DgramSocketClass;
  try {
    DgramSocket = await loadDgramSocket();
  } catch (e) {
    throw retryable(tslogsError('TSLOGS_SYSLOG_UNIXGRAM_MODULE', (e as Error).message).message);
  }
  return new UnixgramConnection(new DgramSocket(), path);
}

async function dialUnixgram(path: string, timeoutMs: number): Promise<Connection> {
  const probe = await probeUnixSocket(path, timeoutMs);
  if (probe.kind === 'none') throw dialError('unixgram', path, probe.error);
  if (probe.kind === 'stream') {
    probe.socket.destroy();
    throw retryable(tslogsError('TSLOGS_SYSLOG_DIAL', 'unixgram', path, `connect: ${goErrnoText({ code: 'EPROTOTYPE' } as NodeJS.ErrnoException)}`).message);
  }
  return openUnixgram(path);
}

/** srslog's unixSyslog: the first path with a datagram listener, else the first with a stream one. */
async function dialLocal(paths: readonly string[], timeoutMs: number): Promise<Connection> {
  const probes = await Promise.all(paths.map((p) => probeUnixSocket(p, timeoutMs)));
  const dgramAt = probes.findIndex((p) => p.kind === 'dgram');
  const streamAt = probes.findIndex((p) => p.kind === 'stream');
  probes.forEach((p, i) => {
    if (p.kind === 'stream' && (dgramAt >= 0 || i !== streamAt)) p.socket.destroy();
  });
  if (dgramAt >= 0) return openUnixgram(paths[dgramAt]!);
  if (streamAt >= 0) {
    const probe = probes[streamAt] as { kind: 'stream'; socket: net.Socket };
    return new StreamConnection(probe.socket, `unix ${paths[streamAt]!}`);
  }
  throw retryable(tslogsError('TSLOGS_SYSLOG_LOCAL').message);
}

function dial(o: TransportOptions): Promise<Connection> {
  const timeout = o.dialTimeoutMs ?? DIAL_TIMEOUT_MS;
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

interface Written {
  data: Buffer;
  messages: number;
  at: number;
}

/**
 * One container's connection to its syslog server, dialled on demand.
 *
 * Stream transports keep what they wrote in the last REPLAY_WINDOW_MS: when the
 * connection is lost, that is written again first on the next one, because a
 * server that closes (a restart) discards what it had not read yet, and the
 * write had already succeeded. The cost is that the server may see a few
 * messages twice after an outage; nothing written shortly before it is lost.
 */
export class SyslogTransport {
  private conn: Connection | undefined;
  private dialing: Promise<Connection> | undefined;
  private closed = false;
  private window: Written[] = [];
  private windowBytes = 0;
  private replay: Written[] = [];
  private readonly replayWindowMs: number;
  private readonly now: () => number;
  private readonly report: (message: string) => void;

  constructor(private readonly options: TransportOptions) {
    this.replayWindowMs = options.replayWindowMs ?? REPLAY_WINDOW_MS;
    this.now = options.now ?? Date.now;
    this.report = options.report ?? (() => undefined);
  }

  /** The live connection, dialling if there is none (one dial at a time). */
  private connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(retryable(tslogsError('TSLOGS_SYSLOG_SINK_CLOSED').message));
    if (this.conn?.alive) return Promise.resolve(this.conn);
    this.drop();
    this.dialing ??= dial(this.options).then(
      (conn) => {
        this.dialing = undefined;
        if (this.closed) {
          void conn.close();
          throw retryable(tslogsError('TSLOGS_SYSLOG_SINK_CLOSED').message);
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

  /**
   * Forgets the current connection. What it carried in the last replay window
   * becomes the replay of the next one (when nothing was written on it, an
   * earlier replay is still pending and stays).
   */
  private drop(): void {
    const conn = this.conn;
    if (conn === undefined) return;
    this.conn = undefined;
    void conn.close();
    if (this.window.length > 0) {
      const cutoff = this.now() - this.replayWindowMs;
      this.replay = this.window.filter((w) => w.at >= cutoff);
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

  /** Dials now (the first send would otherwise). */
  async connect(): Promise<void> {
    await this.connection();
  }

  /**
   * Writes what `encode` produces once connected (messages are stamped when
   * they are sent, as Docker does, not before a slow dial).
   */
  async send(encode: () => EncodedBatch): Promise<void> {
    const conn = await this.connection();
    const batch = encode();
    if (batch.ends.length === 0) return;
    const replay = conn.stream ? this.replay : [];
    try {
      if (replay.length === 0) await conn.write(batch);
      else {
        // Whole framed messages, so the replay simply goes first.
        const data = Buffer.concat([...replay.map((w) => w.data), batch.data]);
        const shift = data.length - batch.data.length;
        await conn.write({ data, ends: batch.ends.map((e) => e + shift) });
      }
    } catch (err) {
      if (this.conn === conn) this.drop();
      throw err instanceof SinkError ? err : retryable((err as Error).message);
    }
    if (!conn.stream) return;
    const at = this.now();
    this.replay = [];
    for (const w of replay) this.remember({ ...w, at });
    this.remember({ data: batch.data, messages: batch.ends.length, at });
    if (replay.length > 0) {
      const count = replay.reduce((n, w) => n + w.messages, 0);
      this.report(tslogsError('TSLOGS_SYSLOG_REPLAY', conn.label, count, this.replayWindowMs).message);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.close();
  }
}
