// Go's wording for what goes wrong on a GELF socket, as Docker's gelf driver
// reports it (go-gelf over Go's net package). Every failure is a retryable
// SinkError: the router retries the same batch.

import { goErrno } from '../../go/errno.js';
import { joinHostPort } from '../../go/host-port.js';
import { SinkError } from '../sink.js';
import { gelfError } from './errors.js';
import type { GelfAddress } from './options.js';

// Node's own codes for a socket already closed, in Go's words (net.ErrClosed, EPIPE).
const CLOSED: Record<string, string> = {
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

function errnoText(e: unknown): string {
  const err = e as NodeError;
  return goErrno(err.code) ?? CLOSED[err.code ?? ''] ?? err.message ?? String(e);
}

/** Go's *net.OpError of a failed Dial: `dial tcp 127.0.0.1:12201: connect: connection refused`. */
export function dialError(proto: string, address: GelfAddress, e: unknown): SinkError {
  const err = e as NodeError;
  let detail: string;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_NODATA' || err.code === 'EAI_NONAME') {
    const why = err.code === 'EAI_AGAIN' ? 'temporary failure in name resolution' : 'no such host';
    detail = `dial ${proto}: lookup ${err.hostname ?? address.host}: ${why}`;
  } else {
    const to = err.address !== undefined ? joinHostPort(err.address, err.port ?? address.port) : joinHostPort(address.host, address.port);
    detail = err.code === 'TSLOGS_TIMEOUT' ? `dial ${proto} ${to}: i/o timeout` : `dial ${proto} ${to}: connect: ${errnoText(e)}`;
  }
  return new SinkError(gelfError('TSLOGS_GELF_CONNECT', address.hostport, detail).message, true);
}

/** `gelf: cannot send GELF message: write udp 127.0.0.1:12201: write: connection refused`. */
export function writeError(proto: string, remote: string, e: unknown): SinkError {
  return new SinkError(gelfError('TSLOGS_GELF_SEND', `write ${proto} ${remote}: write: ${errnoText(e)}`).message, true);
}

/** What a send fails with once the transport was closed. */
export function closedError(): SinkError {
  return new SinkError(gelfError('TSLOGS_GELF_SEND', 'use of closed network connection').message, true);
}

/** A deadline that passed; dialError words it as Go's `i/o timeout`. */
export function timeoutError(): Error {
  return Object.assign(new Error('i/o timeout'), { code: 'TSLOGS_TIMEOUT' });
}
