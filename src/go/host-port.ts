// Go's net.SplitHostPort and net.JoinHostPort (Go 1.19). Docker's drivers split
// and print addresses with these, and their error texts reach `docker run`, so
// every sink that reads or names a host:port goes through this one copy.

/** net.SplitHostPort: [host, port] (brackets removed), or the AddrError text. */
export function splitHostPort(hostport: string): [string, string] | string {
  const fail = (why: string): string => (hostport === '' ? why : `address ${hostport}: ${why}`);
  const i = hostport.lastIndexOf(':');
  if (i < 0) return fail('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0) return fail("missing ']' in address");
    if (end + 1 === hostport.length) return fail('missing port in address');
    if (end + 1 !== i) return fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return fail('too many colons in address');
  }
  if (hostport.slice(j).includes('[')) return fail("unexpected '[' in address");
  if (hostport.slice(k).includes(']')) return fail("unexpected ']' in address");
  return [host, hostport.slice(i + 1)];
}

/** net.JoinHostPort: `host:port`, IPv6 literals in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
