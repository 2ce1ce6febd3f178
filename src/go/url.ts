// Docker validates `splunk-url` and `gelf-address` with Go's url.Parse followed
// by its own shape checks (docs/docker-compat.md §10.1, §12.1), and the two failures have
// different messages. This is the subset of net/url's parser that decides
// between them: which inputs Go rejects outright, and the parts Docker then
// inspects. Also pkg/urlutil.IsTransportURL, which picks the address form.

export interface GoUrlParts {
  scheme: string;
  /** The authority after `//` (userinfo included), or undefined when there is none. */
  authority: string | undefined;
  /** Still escaped. */
  path: string;
  rawQuery: string;
  fragment: string;
}

const HEX = /^[0-9A-Fa-f]{2}$/;
// shouldEscape(c, encodeHost) is false for these besides letters and digits.
const HOST_OK = /^[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~]$/;
const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

/** url.unescape: every `%` needs two hex digits; hosts have extra rules. */
function unescapes(s: string, host = false): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return false;
      // In a host only %25 or escapes of non-ASCII bytes are allowed.
      if (host && parseInt(hex[0]!, 16) < 8 && hex !== '25') return false;
      i += 2;
    } else if (host && c.charCodeAt(0) < 0x80 && !HOST_OK.test(c)) return false;
  }
  return true;
}

/** validOptionalPort: empty, or `:` followed by digits only. */
function validPort(colonPort: string): boolean {
  return colonPort === '' || /^:\d*$/.test(colonPort);
}

function validAuthority(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  const host = authority.slice(at + 1);
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0 || !validPort(host.slice(close + 1))) return false;
  } else if (host.includes(':') && !validPort(host.slice(host.lastIndexOf(':')))) return false;
  if (!unescapes(host, true)) return false;
  return at < 0 || (USERINFO.test(authority.slice(0, at)) && unescapes(authority.slice(0, at)));
}

/** url.Parse(raw) as Go 1.19 does it; undefined where Go returns an error. */
export function parseGoUrl(raw: string): GoUrlParts | undefined {
  const hash = raw.indexOf('#');
  const fragment = hash < 0 ? '' : raw.slice(hash + 1);
  let rest = hash < 0 ? raw : raw.slice(0, hash);
  if (/[\x00-\x1f\x7f]/.test(rest)) return undefined;

  // getScheme: letters, then letters, digits, + - . up to the first colon.
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*)?:/.exec(rest);
  if (m) {
    if (m[1] === undefined) return undefined; // "missing protocol scheme"
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  }

  let rawQuery = '';
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) {
    rawQuery = rest.slice(rest.indexOf('?') + 1);
    rest = rest.slice(0, rest.indexOf('?'));
  }

  let authority: string | undefined;
  if (!rest.startsWith('/')) {
    // A rootless path without a scheme may not have a colon in its first segment.
    if (scheme === '' && rest.split('/')[0]!.includes(':')) return undefined;
  } else if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    if (!validAuthority(authority)) return undefined;
  }
  if (!unescapes(rest) || !unescapes(fragment)) return undefined;
  // The escaped path is returned: Docker only asks whether it is "" or "/", which
  // unescaping cannot change for a path that starts with "/".
  return { scheme, authority, path: rest, rawQuery, fragment };
}

const TRANSPORT_PREFIXES = ['tcp://', 'tcp+tls://', 'udp://', 'unix://', 'unixgram://'];

/** pkg/urlutil.IsTransportURL: a case-sensitive check of these scheme prefixes. */
export function isTransportUrl(value: string): boolean {
  return TRANSPORT_PREFIXES.some((p) => value.startsWith(p));
}
