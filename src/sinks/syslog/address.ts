// `syslog-address` as Docker 20.10's syslog driver reads it (moby
// daemon/logger/syslog/syslog.go parseAddress): a case-sensitive scheme prefix
// check, Go's url.Parse, then os.Stat for unix sockets or net.SplitHostPort
// (with `:514` appended when the port is missing) for the network ones. Each
// failure carries the exact text Go produces, because `docker run` shows it.

import fs from 'node:fs';
import { splitHostPort } from '../../go/host-port.js';
import { goQuote } from '../../go/strconv.js';
import { isTransportUrl } from '../../go/url.js';
import { tslogsError } from '../../errors.js';

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

/** Go's syscall.Errno texts for the errors os.Stat and socket calls give. */
export const GO_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'software caused connection abort',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EADDRINUSE: 'address already in use',
  EMSGSIZE: 'message too long',
  ENOTSOCK: 'socket operation on non-socket',
  EPROTOTYPE: 'protocol wrong type for socket',
  ENOBUFS: 'no buffer space available',
  EAGAIN: 'resource temporarily unavailable',
};

/** The Go text of a Node errno error, or its own message. */
export function goErrnoText(err: NodeJS.ErrnoException): string {
  return GO_ERRNO[err.code ?? ''] ?? err.message;
}

// ---------------------------------------------------------------------------------------
// net/url (Go 1.19), the parts a transport URL goes through

type Mode = 'host' | 'zone' | 'path' | 'userinfo' | 'fragment';

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** shouldEscape(c, encodeHost): what a host may contain unescaped (ASCII only). */
function hostShouldEscape(c: string): boolean {
  return !/^[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]$/.test(c);
}

class UrlError extends Error {}

/** url.unescape: validates %-escapes (and host characters) and decodes. */
function unescape(s: string, mode: Mode): string {
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new UrlError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      const esc = s.slice(i, i + 3);
      // In a host, %-encoding is only for non-ASCII bytes (and %25 before a zone).
      if (mode === 'host' && parseInt(s[i + 1]!, 16) < 8 && esc !== '%25') {
        throw new UrlError(`invalid URL escape ${goQuote(esc)}`);
      }
      if (mode === 'zone') {
        const v = parseInt(esc.slice(1), 16);
        if (esc !== '%25' && v !== 0x20 && (v >= 0x80 || hostShouldEscape(String.fromCharCode(v)))) {
          throw new UrlError(`invalid URL escape ${goQuote(esc)}`);
        }
      }
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && hostShouldEscape(c)) {
        throw new UrlError(`invalid character ${goQuote(c)} in host name`);
      }
      i++;
    }
  }
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** validOptionalPort. */
function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** url.parseHost. */
function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, i), 'zone') + unescape(host.slice(i), 'host');
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

/** url.parseAuthority: the host (userinfo is validated and dropped). */
function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new UrlError('net/url: invalid userinfo');
    const colon = userinfo.indexOf(':');
    if (colon < 0) unescape(userinfo, 'userinfo');
    else {
      unescape(userinfo.slice(0, colon), 'userinfo');
      unescape(userinfo.slice(colon + 1), 'userinfo');
    }
  }
  return host;
}

interface GoUrl {
  scheme: string;
  host: string;
  path: string;
}

/** url.Parse for `scheme://…` input; throws TslogsError with Go's `parse "…": …` text. */
function parseTransportUrl(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const u = hash < 0 ? raw : raw.slice(0, hash);
  try {
    if (/[\x00-\x1f\x7f]/.test(u)) throw new UrlError('net/url: invalid control character in URL');
    const colon = u.indexOf(':');
    const scheme = u.slice(0, colon).toLowerCase();
    let rest = u.slice(colon + 1);
    const q = rest.indexOf('?');
    if (q >= 0) rest = rest.slice(0, q);
    // The prefix check guarantees `//` here: an authority always follows.
    let authority = rest.slice(2);
    let path = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      path = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const host = parseAuthority(authority);
    path = unescape(path, 'path');
    if (hash >= 0) {
      try {
        unescape(raw.slice(hash + 1), 'fragment');
      } catch (e) {
        // A bad fragment is reported with the whole URL.
        throw tslogsError('TSLOGS_SYSLOG_URL', goQuote(raw), (e as Error).message);
      }
    }
    return { scheme, host, path };
  } catch (e) {
    if (e instanceof UrlError) throw tslogsError('TSLOGS_SYSLOG_URL', goQuote(u), e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------

/**
 * Parses `syslog-address` as Docker does; throws TslogsError with Docker's text.
 * `stat` is os.Stat for unix paths (tests replace it).
 */
export function parseSyslogAddress(value: string, stat: (path: string) => unknown = fs.statSync): SyslogAddress {
  if (value === '') return { proto: 'local' };
  if (!isTransportUrl(value)) throw tslogsError('TSLOGS_SYSLOG_ADDRESS', value);
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
    if (!first.includes('missing port in address')) throw tslogsError('TSLOGS_SYSLOG_HOSTPORT', first);
    addr = `${addr}:${DEFAULT_PORT}`;
  }
  // Docker stops here; what follows is what its dial would refuse when the container starts.
  const net = proto === 'udp' ? 'udp' : 'tcp';
  const split = splitHostPort(addr);
  if (typeof split === 'string') throw tslogsError('TSLOGS_SYSLOG_DIAL_ADDRESS', net, split);
  const [host, portText] = split;
  const port = portText === '' ? 0 : Number(portText);
  if (!/^[0-9]*$/.test(portText) || port > 0xffff) throw tslogsError('TSLOGS_SYSLOG_DIAL_ADDRESS', net, `address ${portText}: invalid port`);
  if (port === 0) throw tslogsError('TSLOGS_OPTION_VALUE', 'syslog-address', `port 0 in ${goQuote(addr)} cannot be connected to`);
  return { proto, host, port, addr };
}
