// Go 1.19's net/url.Parse, with its acceptance set and error texts. Docker validates
// `splunk-url`, `gelf-address`, `syslog-address` and `fluentd-address` with it before
// its own shape checks (docs/docker-compat.md §10.1, §12.1), and `docker run` shows
// Go's message. Also pkg/urlutil.IsTransportURL, which picks the address form.

import { utf8Width } from './json-escape.js';
import { goQuote } from './strconv.js';

export interface GoUrl {
  /** Lower-cased. */
  scheme: string;
  /** A rootless path after a scheme (`mailto:x`); Go parses nothing more then. */
  opaque: string;
  /** url.Host: the authority without userinfo, unescaped, port included; '' when none. */
  host: string;
  /** url.Path: unescaped. */
  path: string;
  rawQuery: string;
  /** url.Fragment: unescaped. */
  fragment: string;
}

/** url.Error for op "parse": `parse "<url>": <detail>`, the URL as Go names it. */
export class GoUrlError extends Error {
  constructor(
    /** The input Go names: the URL before `#`, or all of it when the fragment is at fault. */
    readonly url: string,
    readonly detail: string,
  ) {
    super(`parse ${goQuote(url)}: ${detail}`);
    this.name = 'GoUrlError';
  }
}

// Go indexes strings by byte: the parse runs over a "binary" string, one char per
// UTF-8 byte (latin1), and decodes the parts it returns.
const toBytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const fromBytes = (b: string): string => Buffer.from(b, 'latin1').toString('utf8');

/** The inside of strconv.Quote of Go bytes: valid UTF-8 as text, each invalid byte as \xNN. */
function quoteBytes(b: string): string {
  const buf = Buffer.from(b, 'latin1');
  let text = '';
  for (let i = 0; i < buf.length; ) {
    const width = buf[i]! < 0x80 ? 1 : utf8Width(buf, i, buf.length);
    text += width === 0 ? '\\x' + buf[i]!.toString(16).padStart(2, '0') : goQuote(buf.toString('utf8', i, i + width)).slice(1, -1);
    i += Math.max(width, 1);
  }
  return text;
}

/** A failure inside parse, before url.Parse names the URL. */
class Detail extends Error {}

const escapeError = (s: string): Detail => new Detail(`invalid URL escape "${quoteBytes(s)}"`);
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
// shouldEscape(c, encodeHost) is false for these ASCII bytes.
const HOST_OK = /^[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]$/;
const USERINFO_OK = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

type Mode = 'host' | 'zone' | 'path' | 'userinfo' | 'fragment';

/** url.unescape: validates %-escapes (and, in a host, its bytes), then decodes. */
function unescape(s: string, mode: Mode): string {
  const host = mode === 'host' || mode === 'zone';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) throw escapeError(s.slice(i, i + 3));
      const esc = s.slice(i, i + 3);
      // In a host, %-encoding is only for non-ASCII bytes (and %25 before a zone).
      if (mode === 'host' && parseInt(s[i + 1]!, 16) < 8 && esc !== '%25') throw escapeError(esc);
      if (mode === 'zone') {
        const v = parseInt(esc.slice(1), 16);
        if (esc !== '%25' && v !== 0x20 && (v >= 0x80 || !HOST_OK.test(String.fromCharCode(v)))) throw escapeError(esc);
      }
      i += 3;
    } else {
      if (host && c.charCodeAt(0) < 0x80 && !HOST_OK.test(c)) throw new Detail(`invalid character ${goQuote(c)} in host name`);
      i++;
    }
  }
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** validOptionalPort: empty, or `:` followed by digits only. */
function validOptionalPort(colonPort: string): boolean {
  return colonPort === '' || /^:[0-9]*$/.test(colonPort);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new Detail("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Detail(`invalid port "${quoteBytes(colonPort)}" after host`);
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, close), 'zone') + unescape(host.slice(close), 'host');
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) {
      throw new Detail(`invalid port "${quoteBytes(host.slice(colon))}" after host`);
    }
  }
  return unescape(host, 'host');
}

/** url.parseAuthority: the host; the userinfo is validated and dropped. */
function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!USERINFO_OK.test(userinfo)) throw new Detail('net/url: invalid userinfo');
    const colon = userinfo.indexOf(':');
    unescape(colon < 0 ? userinfo : userinfo.slice(0, colon), 'userinfo');
    if (colon >= 0) unescape(userinfo.slice(colon + 1), 'userinfo');
  }
  return host;
}

/** url.parse (not via a request) over bytes. */
function parse(u: string): Omit<GoUrl, 'fragment'> {
  if (/[\x00-\x1f\x7f]/.test(u)) throw new Detail('net/url: invalid control character in URL');
  const url = { scheme: '', opaque: '', host: '', path: '', rawQuery: '' };
  if (u === '*') return { ...url, path: '*' };
  let rest = u;
  // getScheme: a letter, then letters, digits, + - . up to the first colon.
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*)?:/.exec(u);
  if (m !== null) {
    if (m[1] === undefined) throw new Detail('missing protocol scheme');
    url.scheme = m[1].toLowerCase();
    rest = u.slice(m[0].length);
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) {
    url.rawQuery = rest.slice(rest.indexOf('?') + 1);
    rest = rest.slice(0, rest.indexOf('?'));
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest };
    if (rest.split('/')[0]!.includes(':')) throw new Detail('first path segment in URL cannot contain colon');
  }
  if (rest.startsWith('//') && (url.scheme !== '' || !rest.startsWith('///'))) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    url.host = parseAuthority(authority);
  }
  url.path = unescape(rest, 'path');
  return url;
}

/** url.Parse(raw); throws GoUrlError with Go's text. */
export function parseGoUrl(raw: string): GoUrl {
  const bytes = toBytes(raw);
  const hash = bytes.indexOf('#');
  const u = hash < 0 ? bytes : bytes.slice(0, hash);
  const fail = (e: unknown, named: string): never => {
    if (e instanceof Detail) throw new GoUrlError(fromBytes(named), e.message);
    throw e;
  };
  let url: Omit<GoUrl, 'fragment'> | undefined;
  let fragment = '';
  try {
    url = parse(u);
  } catch (e) {
    fail(e, u);
  }
  try {
    if (hash >= 0) fragment = unescape(bytes.slice(hash + 1), 'fragment');
  } catch (e) {
    fail(e, bytes);
  }
  const { scheme, opaque, host, path, rawQuery } = url!;
  return {
    scheme: fromBytes(scheme),
    opaque: fromBytes(opaque),
    host: fromBytes(host),
    path: fromBytes(path),
    rawQuery: fromBytes(rawQuery),
    fragment: fromBytes(fragment),
  };
}

const TRANSPORT_PREFIXES = ['tcp://', 'tcp+tls://', 'udp://', 'unix://', 'unixgram://'];

/** pkg/urlutil.IsTransportURL: a case-sensitive check of these scheme prefixes. */
export function isTransportUrl(value: string): boolean {
  return TRANSPORT_PREFIXES.some((p) => value.startsWith(p));
}

/** parseGoUrl, with Go's parse error turned into the caller's own (which names its option). */
export function parseGoUrlOr(raw: string, fail: (e: GoUrlError) => never): GoUrl {
  try {
    return parseGoUrl(raw);
  } catch (e) {
    if (e instanceof GoUrlError) fail(e);
    throw e;
  }
}
