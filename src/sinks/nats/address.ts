// `nats-url`: a comma list of servers as NATS clients write them (`nats://host:port`,
// `tls://host:port`, or a bare `host[:port]`; port 4222 by default). The client library
// takes any scheme and ignores it, so a `tls://` server is made to require TLS here.

import net from 'node:net';
import { natsError } from './errors.js';

export const NATS_DEFAULT_PORT = 4222;
export const NATS_DEFAULT_URL = `nats://127.0.0.1:${NATS_DEFAULT_PORT}`;

export interface NatsServer {
  /** `host:port` (an IPv6 host in brackets), what the client is given. */
  readonly hostPort: string;
  readonly tls: boolean;
}

/** A host the client can dial: a name, an IPv4 address, or a bracketed IPv6 address. */
function validHost(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return net.isIPv6(host.slice(1, -1));
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(host);
}

function parseServer(text: string): NatsServer {
  // WHATWG's URL drops tabs and line breaks before parsing (`h\n:9` would be `h:9`): refuse them first.
  if (/[\x00-\x1f\x7f]/.test(text)) throw natsError('TSLOGS_NATS_URL_PARSE', JSON.stringify(text).slice(1, -1));
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `nats://${text}`;
  const scheme = withScheme.slice(0, withScheme.indexOf(':')).toLowerCase();
  if (scheme !== 'nats' && scheme !== 'tls') throw natsError('TSLOGS_NATS_URL_SCHEME', scheme);
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw natsError('TSLOGS_NATS_URL_PARSE', text);
  }
  // Never echo userinfo: it is a password more often than not.
  if (url.username !== '' || url.password !== '') throw natsError('TSLOGS_NATS_URL_CREDENTIALS', url.host);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') throw natsError('TSLOGS_NATS_URL_PATH', text);
  if (!validHost(url.hostname)) throw natsError('TSLOGS_NATS_URL_PARSE', text);
  const port = url.port === '' ? NATS_DEFAULT_PORT : Number(url.port);
  if (!(port >= 1 && port <= 65535)) throw natsError('TSLOGS_NATS_URL_PARSE', text);
  return { hostPort: `${url.hostname}:${port}`, tls: scheme === 'tls' };
}

/** The servers of `nats-url`, in the order given (the client shuffles them when connecting). */
export function parseNatsUrl(value: string): NatsServer[] {
  return value.split(',').map((part) => {
    const text = part.trim();
    if (text === '') throw natsError('TSLOGS_NATS_URL_EMPTY');
    return parseServer(text);
  });
}
