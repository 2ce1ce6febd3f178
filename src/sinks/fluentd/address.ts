// `fluentd-address` as Docker 20.10's parseAddress reads it (moby
// daemon/logger/fluentd/fluentd.go, with pkg/urlutil, net/url and net.SplitHostPort),
// followed by what fluent-logger-golang v1.8.0 does with the result when it dials,
// so that every address is accepted, rewritten or refused as Docker does, with its
// messages. tslogs adds a comma-separated list (failover, in order) and
// `tls://host[:port]` (the form of newer engines).

import { joinHostPort, splitHostPort } from '../../go/host-port.js';
import { goQuote, parseGoInt } from '../../go/strconv.js';
import { GoUrlError, isTransportUrl, parseGoUrlOr } from '../../go/url.js';
import { TslogsError, tslogsError } from '../../errors.js';
import { fluentdError } from './errors.js';

export type FluentdEndpoint =
  | { readonly network: 'tcp' | 'tls'; readonly host: string; readonly port: number }
  | { readonly network: 'unix'; readonly path: string };

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 24224;

/** How dial errors name the endpoint: `tcp 127.0.0.1:24224`, `unix /run/fluent.sock`. */
export function describeEndpoint(e: FluentdEndpoint): string {
  return e.network === 'unix' ? `unix ${e.path}` : `${e.network} ${joinHostPort(e.host, e.port)}`;
}

export interface ParsedAddress {
  endpoints: FluentdEndpoint[];
  /** Docker quirks that change where logs go, for the daemon log. */
  warnings: string[];
}

function wrap(given: string, e: unknown): never {
  if (e instanceof GoUrlError || e instanceof TslogsError) throw fluentdError('TSLOGS_FLUENTD_ADDRESS', given, e.message);
  throw e;
}

/** A dialable port, as the library and Go's dialer see it (0 means the default). */
function dialPort(port: number): number {
  if (port === 0) return DEFAULT_PORT;
  if (port < 0 || port > 0xffff) throw fluentdError('TSLOGS_FLUENTD_DIAL_ADDRESS', 'tcp', `address ${port}: invalid port`);
  return port;
}

/** tslogs' `tls://host[:port]`, read as newer engines read `tls://` (host and port kept apart). */
function parseTls(address: string): FluentdEndpoint {
  const url = parseGoUrlOr(address, (e) => wrap(address, e));
  if (url.path !== '') throw fluentdError('TSLOGS_FLUENTD_ADDRESS', address, 'should not contain a path element');
  let host = url.host;
  let port = '';
  const close = host.startsWith('[') ? host.lastIndexOf(']') : -1;
  const colon = host.lastIndexOf(':');
  if (colon > close) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[')) host = host.slice(1, -1);
  let portNum = DEFAULT_PORT;
  if (port !== '') {
    const n = Number(port);
    if (n > 0xffff) {
      throw fluentdError('TSLOGS_FLUENTD_ADDRESS', address, `invalid port: ${tslogsError('TSLOGS_PARSE_UINT_RANGE', port).message}`);
    }
    portNum = n === 0 ? DEFAULT_PORT : n;
  }
  return { network: 'tls', host: host === '' ? DEFAULT_HOST : host, port: portNum };
}

/**
 * One address, as Docker 20.10 reads it, then dials it. Where Docker accepts a host
 * or socket path with a control character or `{{` (no dial can reach it, and it
 * retries for ever), tslogs refuses it; Docker's own errors come first.
 */
function parseOne(address: string, warnings: string[]): FluentdEndpoint {
  // url.Parse refuses control characters in the URL forms, with its own text.
  if (!address.startsWith('tls://') && !isTransportUrl(address) && /[\x00-\x1f\x7f]/.test(address)) {
    throw fluentdError('TSLOGS_FLUENTD_ADDRESS', goQuote(address), 'contains a control character');
  }
  const endpoint = parseDockerAddress(address, warnings);
  const target = endpoint.network === 'unix' ? endpoint.path : endpoint.host;
  if (/[\x00-\x1f\x7f]/.test(target)) throw fluentdError('TSLOGS_FLUENTD_ADDRESS', goQuote(address), 'contains a control character');
  if (target.includes('{{')) throw fluentdError('TSLOGS_FLUENTD_ADDRESS', address, "contains '{{': it is not a template, was one left unrendered?");
  return endpoint;
}

function parseDockerAddress(address: string, warnings: string[]): FluentdEndpoint {
  if (address.startsWith('tls://')) return parseTls(address);
  let protocol = 'tcp';
  let hostport = address;
  // Anything that is not a transport URL is taken as host:port.
  if (isTransportUrl(address)) {
    const url = parseGoUrlOr(address, (e) => wrap(address, e));
    if (url.scheme === 'unix' || url.scheme === 'unixgram') {
      if (url.scheme === 'unixgram') throw fluentdError('TSLOGS_FLUENTD_UNKNOWN_NETWORK', url.scheme);
      // The library dials the path as is; Go refuses an empty one.
      if (url.path === '') throw fluentdError('TSLOGS_FLUENTD_DIAL_ADDRESS', 'unix', 'missing address');
      return { network: 'unix', path: url.path };
    }
    protocol = url.scheme;
    hostport = url.host;
  }
  const split = splitHostPort(hostport);
  if (typeof split === 'string') {
    if (!split.endsWith('missing port in address')) throw fluentdError('TSLOGS_FLUENTD_ADDRESS', address, split);
    // Docker keeps the host SplitHostPort returns with this error: none. The library
    // then dials its default host, so `myhost` or `tcp://myhost` means 127.0.0.1:24224.
    if (protocol !== 'tcp') throw fluentdError('TSLOGS_FLUENTD_UNKNOWN_NETWORK', protocol);
    const lost = hostport.replace(/^\[(.*)\]$/, '$1');
    if (lost !== '') warnings.push(fluentdError('TSLOGS_FLUENTD_NO_PORT', address, lost).message);
    return { network: 'tcp', host: DEFAULT_HOST, port: DEFAULT_PORT };
  }
  const host = split[0];
  let port: number;
  try {
    port = parseGoInt(split[1]);
  } catch (e) {
    return wrap(address, e);
  }
  // udp, tcp+tls: parsed by Docker, refused by the library when it dials.
  if (protocol !== 'tcp') throw fluentdError('TSLOGS_FLUENTD_UNKNOWN_NETWORK', protocol);
  return { network: 'tcp', host: host === '' ? DEFAULT_HOST : host, port: dialPort(port) };
}

/**
 * The endpoints of `fluentd-address`: Docker's default when unset or empty, else one
 * address or a comma-separated list (tried in order; blanks around commas ignored).
 */
export function parseFluentdAddress(value: string | undefined): ParsedAddress {
  const warnings: string[] = [];
  if (value === undefined || value === '') return { endpoints: [{ network: 'tcp', host: DEFAULT_HOST, port: DEFAULT_PORT }], warnings };
  if (!value.includes(',')) return { endpoints: [parseOne(value, warnings)], warnings };
  const endpoints = value.split(',').map((part) => {
    const address = part.trim();
    if (address === '') throw fluentdError('TSLOGS_FLUENTD_ADDRESS', value, 'empty address in the comma-separated list');
    return parseOne(address, warnings);
  });
  return { endpoints, warnings };
}
