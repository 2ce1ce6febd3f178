// Stream connections to a syslog server: tcp and unix (tcp+tls in tls.ts). A
// close noticed while a write is pending fails that write, and the router sends
// the batch again; what the server had read but discarded on closing is the
// transport's replay.

import net from 'node:net';
import { endGracefully, nextPoll } from '../shared/socket-waits.js';
import type { SinkError } from '../sink.js';
import { goErrnoText } from '../../go/errno.js';
import { dialError, endpointText, retryable, type Connection } from './connection.js';
import { syslogError } from './errors.js';
import type { EncodedBatch } from './format.js';

/** Go's net.Dialer default keep-alive period. */
export const KEEPALIVE_MS = 15_000;

export class StreamConnection implements Connection {
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
    socket.on('end', () => this.fail(retryable(syslogError('TSLOGS_SYSLOG_CLOSED', this.label).message)));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.ioError(err)));
    socket.on('close', () => this.fail(retryable(syslogError('TSLOGS_SYSLOG_CLOSED', this.label).message)));
  }

  private ioError(err: NodeJS.ErrnoException): SinkError {
    const op = err.syscall === 'read' ? 'read' : 'write';
    return retryable(syslogError('TSLOGS_SYSLOG_IO', op, this.label, `${err.syscall ?? op}: ${goErrnoText(err)}`).message);
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
        // A FIN or RST the server already sent arrives by the next poll: such a write
        // fails and is sent again.
        void nextPoll().then(() => {
          this.pending.delete(reject);
          if (this.alive) resolve();
          else reject(this.failure);
        });
      });
    });
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    this.alive = false;
    return endGracefully(this.socket);
  }
}

export function tcpLabel(network: string, socket: net.Socket, addr: string): string {
  const local = socket.localAddress !== undefined ? `${endpointText(socket.localAddress, socket.localPort)}->` : '';
  const remote = socket.remoteAddress !== undefined ? endpointText(socket.remoteAddress, socket.remotePort) : addr;
  return `${network} ${local}${remote}`;
}

/** Waits for `event` on a connecting socket; any error or the deadline rejects (and destroys it). */
export function connected(socket: net.Socket, event: string, timeoutMs: number, onError: (e: unknown) => SinkError, onTimeout: () => SinkError): Promise<void> {
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

export async function dialTcp(host: string, port: number, addr: string, timeoutMs: number): Promise<Connection> {
  const socket = net.connect({ host: host || '127.0.0.1', port, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS });
  await connected(socket, 'connect', timeoutMs, (e) => dialError('tcp', addr, e), () => dialError('tcp', addr, new Error('i/o timeout')));
  return new StreamConnection(socket, tcpLabel('tcp', socket, addr));
}

export async function dialUnix(path: string, timeoutMs: number): Promise<Connection> {
  const socket = net.connect({ path });
  await connected(socket, 'connect', timeoutMs, (e) => dialError('unix', path, e), () => dialError('unix', path, new Error('i/o timeout')));
  return new StreamConnection(socket, `unix ${path}`);
}
