// Unix socket paths whose kind is not known in advance: `unixgram://` (which
// srslog dials as a datagram socket) and the local syslog socket (either kind).
// A probe finds out what listens without sending anything.

import net from 'node:net';
import { goErrnoText } from '../../go/errno.js';
import { dialError, retryable, type Connection } from './connection.js';
import { openUnixgram } from './datagram.js';
import { syslogError } from './errors.js';
import { StreamConnection } from './stream.js';

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

export async function dialUnixgram(path: string, timeoutMs: number): Promise<Connection> {
  const probe = await probeUnixSocket(path, timeoutMs);
  if (probe.kind === 'none') throw dialError('unixgram', path, probe.error);
  if (probe.kind === 'stream') {
    probe.socket.destroy();
    throw retryable(syslogError('TSLOGS_SYSLOG_DIAL', 'unixgram', path, `connect: ${goErrnoText({ code: 'EPROTOTYPE' } as NodeJS.ErrnoException)}`).message);
  }
  return openUnixgram(path);
}

/** srslog's unixSyslog: the first path with a datagram listener, else the first with a stream one. */
export async function dialLocal(paths: readonly string[], timeoutMs: number): Promise<Connection> {
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
  throw retryable(syslogError('TSLOGS_SYSLOG_LOCAL').message);
}
