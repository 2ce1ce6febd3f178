// TCP addresses of the daemon's own listeners (the metrics listener), in Go's host:port
// syntax so IPv6 literals work as they do in Docker's options: `[::1]:9400`.
import { joinHostPort, splitHostPort } from '../go/host-port.js';

/**
 * The metrics port when an address names no port. Docker itself uses 2375/2376 (API),
 * 2377, 7946 and 4789 (swarm) and 9323 (dockerd's own metrics-addr), so 9400 is clear of
 * all of them; see "Daemon settings" in the README for the choice.
 */
export const DEFAULT_METRICS_PORT = 9400;

export interface ListenAddress {
  host: string;
  port: number;
  /** As a URL authority: `127.0.0.1:9400`, `[::1]:9400`. */
  display: string;
}

/**
 * `host:port`, `[v6]:port`, `:port` (loopback), `host` or `[v6]` (the default port).
 * Returns the reason as a string when the text is not an address.
 */
export function parseListenAddress(text: string, defaultPort = DEFAULT_METRICS_PORT): ListenAddress | string {
  let host: string;
  let portText: string;
  const split = splitHostPort(text);
  if (typeof split === 'string') {
    if (!split.endsWith('missing port in address')) return split;
    // A bare host: an IPv6 literal must be bracketed, or its last group would read as a port.
    const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    if (bare.includes('[') || bare.includes(']')) return split;
    host = bare;
    portText = String(defaultPort);
  } else {
    [host, portText] = split;
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return `port ${JSON.stringify(portText)} is not a number from 0 to 65535`;
  // An empty host would mean every interface: metrics name containers, so that must be asked for (0.0.0.0 or [::]).
  if (host === '') host = '127.0.0.1';
  const port = Number(portText);
  return { host, port, display: joinHostPort(host, port) };
}
