// Whether a stream receiver accepts connections now: the probe of sinks whose
// transport has no connection of its own to make (HTTP pools), and of the others'
// dials with a short deadline.

import net from 'node:net';

/** True once a connection to `where` is established (then closed at once); false on any error or after `timeoutMs`. */
export function canConnect(where: net.NetConnectOpts, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(where);
    const done = (reachable: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(reachable);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** host and port of an http(s) URL, the port defaulted by its scheme. */
export function urlEndpoint(url: string): { host: string; port: number } {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}
