// tcp+tls connections to a syslog server: Docker's TLS settings
// (docker/go-connections tlsconfig) and Go's x509 wording of verification failures.

import net from 'node:net';
import tls from 'node:tls';
import type { SinkError } from '../sink.js';
import { dialError, retryable, type Connection } from './connection.js';
import type { SyslogTlsOptions } from './options.js';
import { connected, KEEPALIVE_MS, StreamConnection, tcpLabel } from './stream.js';
import { MIN_TLS_VERSION } from '../shared/tls-minimum.js';

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

export async function dialTls(host: string, port: number, addr: string, options: SyslogTlsOptions, timeoutMs: number): Promise<Connection> {
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
      minVersion: MIN_TLS_VERSION,
      ciphers: GO_TLS12_CIPHERS,
    });
  } catch (e) {
    throw retryable(`tls: ${(e as Error).message}`);
  }
  // A failure before the TCP connection is up is a dial error; after it, a TLS one.
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
