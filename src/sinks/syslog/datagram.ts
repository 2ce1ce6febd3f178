// Datagram connections to a syslog server: udp and unixgram, one datagram per
// message. A failed send makes the connection unusable (the next send dials
// again) unless the datagram itself was refused as too long, which no new
// connection would change.

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { joinHostPort } from '../../go/host-port.js';
import { nextPoll } from '../shared/socket-waits.js';
import { SinkError } from '../sink.js';
import { goErrnoText } from '../../go/errno.js';
import { dialError, retryable, type Connection } from './connection.js';
import { syslogError } from './errors.js';
import type { EncodedBatch } from './format.js';

/** Sends each message of a batch as one datagram, all at once, and reports the first failure. */
abstract class DatagramConnection implements Connection {
  readonly stream = false;
  alive = true;
  private failure: SinkError | undefined;
  abstract readonly label: string;

  /** The failure of one send; retryable unless the datagram is too long. */
  protected abstract error(err: Error): SinkError;
  /** Hands one datagram to the kernel. */
  protected abstract sendDatagram(datagram: Buffer, done: (err: Error | null | undefined) => void): void;
  abstract close(): Promise<void>;

  protected fail(err: SinkError): void {
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
        this.sendDatagram(batch.data.subarray(start, end), (err) => {
          if (err && failed === undefined) {
            failed = this.error(err);
            if (failed.retryable) this.fail(failed);
          }
          if (--left > 0) return;
          if (failed) return reject(failed);
          // A refusal (ICMP port unreachable) of what was just sent arrives by the next
          // poll: such a batch fails and is sent again instead of counting as delivered.
          void nextPoll().then(() => (this.alive ? resolve() : reject(this.failure)));
        });
        start = end;
      }
    });
  }
}

// ---------------------------------------------------------------------------------------
// udp

class UdpConnection extends DatagramConnection {
  constructor(
    private readonly socket: dgram.Socket,
    readonly label: string,
  ) {
    super();
    // ICMP errors of earlier datagrams surface here (or on the next send).
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.error(err)));
    socket.on('close', () => (this.alive = false));
  }

  protected error(err: NodeJS.ErrnoException): SinkError {
    return new SinkError(syslogError('TSLOGS_SYSLOG_IO', 'write', this.label, `write: ${goErrnoText(err)}`).message, err.code !== 'EMSGSIZE');
  }

  protected sendDatagram(datagram: Buffer, done: (err: Error | null) => void): void {
    this.socket.send(datagram, done);
  }

  /**
   * An empty datagram: a server that is there ignores it (rsyslog drops zero-length
   * messages), a port nobody listens on answers with a refusal, seen by the next poll.
   */
  async probe(): Promise<boolean> {
    if (!this.alive) return false;
    const sent = await new Promise<boolean>((resolve) =>
      this.sendDatagram(Buffer.alloc(0), (err) => {
        if (err) this.fail(this.error(err));
        resolve(!err);
      }),
    );
    if (sent) await nextPoll();
    return this.alive;
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

export async function dialUdp(host: string, port: number, addr: string, timeoutMs: number): Promise<Connection> {
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

// ---------------------------------------------------------------------------------------
// unixgram

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

class UnixgramConnection extends DatagramConnection {
  readonly label: string;

  constructor(
    private readonly socket: DgramSocketLike,
    private readonly path: string,
  ) {
    super();
    this.label = `unixgram ${path}`;
    socket.on('error', (err) => this.fail(this.error(err)));
  }

  protected error(err: Error): SinkError {
    const text = rustIoText(err);
    return new SinkError(syslogError('TSLOGS_SYSLOG_IO', 'write', `unixgram ${this.path}`, `write: ${text}`).message, text !== 'message too long');
  }

  protected sendDatagram(datagram: Buffer, done: (err: Error | undefined) => void): void {
    // Waits (inside the addon) while the server's queue is full, instead of dropping.
    // Always offset 0: node-unix-socket 0.2.7 sends buf[offset, 2*offset+length)
    // and panics (aborting the process) when that runs past the buffer.
    this.socket.sendTo(datagram, 0, datagram.length, this.path, done);
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

/** A unixgram connection to `path`; there is nothing to dial (callers probe first). */
export async function openUnixgram(path: string): Promise<Connection> {
  let DgramSocket: DgramSocketClass;
  try {
    DgramSocket = await loadDgramSocket();
  } catch (e) {
    throw retryable(syslogError('TSLOGS_SYSLOG_UNIXGRAM_MODULE', (e as Error).message).message);
  }
  return new UnixgramConnection(new DgramSocket(), path);
}
