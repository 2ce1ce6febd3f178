// `syslog-address` as Docker 20.10's syslog driver reads it (moby
// daemon/logger/syslog/syslog.go parseAddress): a case-sensitive scheme prefix
// check, Go's url.Parse, then os.Stat for unix sockets or net.SplitHostPort
// (with `:514` appended when the port is missing) for the network ones. Each
// failure carries the exact text Go produces, because `docker run` shows it.

import fs from 'node:fs';
import { goErrnoText } from '../../go/errno.js';
import { splitHostPort } from '../../go/host-port.js';
import { goQuote } from '../../go/strconv.js';
import { type GoUrl, isTransportUrl, parseGoUrlOr } from '../../go/url.js';
import { tslogsError } from '../../errors.js';
import { syslogError } from './errors.js';

export type SyslogAddress =
  /** Empty address: the local syslog socket (/dev/log, /var/run/syslog, /var/run/log). */
  | { readonly proto: 'local' }
  | {
      readonly proto: 'udp' | 'tcp' | 'tcp+tls';
      /** Host without brackets; '' means the local system, as in Go. */
      readonly host: string;
      readonly port: number;
      /** host:port as Docker dials it (brackets kept), for messages. */
      readonly addr: string;
    }
  | { readonly proto: 'unix' | 'unixgram'; readonly path: string };

const DEFAULT_PORT = '514';

/** Go's url.Parse, its error as Docker shows it. */
function parseTransportUrl(raw: string): GoUrl {
  return parseGoUrlOr(raw, (e) => {
    throw syslogError('TSLOGS_SYSLOG_URL', goQuote(e.url), e.detail);
  });
}

/**
 * Parses `syslog-address` as Docker does; throws TslogsError with Docker's text.
 * `stat` is os.Stat for unix paths (tests replace it).
 */
export function parseSyslogAddress(value: string, stat: (path: string) => unknown = fs.statSync): SyslogAddress {
  if (value === '') return { proto: 'local' };
  if (!isTransportUrl(value)) throw syslogError('TSLOGS_SYSLOG_ADDRESS', value);
  const url = parseTransportUrl(value);
  if (url.scheme === 'unix' || url.scheme === 'unixgram') {
    try {
      stat(url.path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw tslogsError('TSLOGS_PATH_ERROR', 'stat', url.path, goErrnoText(err));
    }
    return { proto: url.scheme, path: url.path };
  }
  const proto = url.scheme as 'udp' | 'tcp' | 'tcp+tls';
  let addr = url.host;
  const first = splitHostPort(addr);
  if (typeof first === 'string') {
    if (!first.includes('missing port in address')) throw syslogError('TSLOGS_SYSLOG_HOSTPORT', first);
    addr = `${addr}:${DEFAULT_PORT}`;
  }
  // Docker stops here; what follows is what its dial would refuse when the container starts.
  const net = proto === 'udp' ? 'udp' : 'tcp';
  const split = splitHostPort(addr);
  if (typeof split === 'string') throw syslogError('TSLOGS_SYSLOG_DIAL_ADDRESS', net, split);
  const [host, portText] = split;
  const port = portText === '' ? 0 : Number(portText);
  if (!/^[0-9]*$/.test(portText) || port > 0xffff) throw syslogError('TSLOGS_SYSLOG_DIAL_ADDRESS', net, `address ${portText}: invalid port`);
  if (port === 0) throw tslogsError('TSLOGS_OPTION_VALUE', 'syslog-address', `port 0 in ${goQuote(addr)} cannot be connected to`);
  return { proto, host, port, addr };
}

/** An endpoint as messages and metrics show it, and what makes two list elements the same: `tcp://host:514`, `unix:///dev/log`. */
export function describeSyslogAddress(a: SyslogAddress): string {
  if (a.proto === 'local') return 'local';
  return 'path' in a ? `${a.proto}://${a.path}` : `${a.proto}://${a.addr}`;
}
