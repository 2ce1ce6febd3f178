// What every syslog connection kind (tcp, tcp+tls, unix, udp, unixgram) offers the
// transport, and how a failed dial is worded: as Go's net.OpError, which Docker's
// srslog returns.
//
// What a resolved write means, per kind. Syslog has no acknowledgement:
//   tcp, tcp+tls, unix  the bytes were written to the socket (handed to the
//                       kernel): that is as much as the protocol can tell. A
//                       close noticed while a write is pending fails that write.
//   udp, unixgram       each datagram was handed to the kernel and no refusal came
//                       back by the next poll (unixgram delivers straight into the
//                       server's queue and waits while it is full).

import { joinHostPort } from '../../go/host-port.js';
import { SinkError } from '../sink.js';
import { goErrnoText } from '../../go/errno.js';
import { syslogError } from './errors.js';
import type { EncodedBatch } from './format.js';

/** Go dials without a deadline; a bound keeps a silent host from stalling retries. */
export const DIAL_TIMEOUT_MS = 10_000;

/** One dialled connection. */
export interface Connection {
  /** tcp, tcp+tls, unix: a byte stream (replayed after a loss); udp, unixgram: datagrams. */
  readonly stream: boolean;
  /** Names both ends, for messages. */
  readonly label: string;
  /** False once it failed or the server closed it: the next send dials again. */
  readonly alive: boolean;
  /** Resolves once every message of the batch was handed to the kernel. */
  write(batch: EncodedBatch): Promise<void>;
  /**
   * Datagram kinds: whether the server is there now (an empty datagram, refused when
   * nobody listens). Stream kinds need none: the dial itself tells.
   */
  probe?(): Promise<boolean>;
  close(): Promise<void>;
}

/** Every failure of a syslog connection may succeed on a new one. */
export const retryable = (message: string): SinkError => new SinkError(message, true);

/** host:port, or the host alone where Node gives no port. */
export function endpointText(host: string, port: number | undefined): string {
  return port === undefined ? host : joinHostPort(host, port);
}

/** Go's net.OpError text for a failed dial: `dial tcp 127.0.0.1:514: connect: connection refused`. */
export function dialError(network: string, addr: string, e: unknown): SinkError {
  const err = e as NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.syscall === 'getaddrinfo') {
    const why = err.code === 'ENOTFOUND' ? 'no such host' : goErrnoText(err);
    return retryable(syslogError('TSLOGS_SYSLOG_DIAL', network, '', `lookup ${err.hostname ?? addr}: ${why}`).message);
  }
  const where = err.address !== undefined ? endpointText(err.address, err.port) : addr;
  const detail = err.syscall !== undefined && err.code !== undefined ? `${err.syscall}: ${goErrnoText(err)}` : err.message;
  return retryable(syslogError('TSLOGS_SYSLOG_DIAL', network, where, detail).message);
}
