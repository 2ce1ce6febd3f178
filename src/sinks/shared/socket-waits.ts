// Two waits on sockets that the syslog and GELF transports share: one more poll
// of the event loop before a write counts as done, and a bounded graceful close.

import type net from 'node:net';

/** How long a graceful close lets a stream flush before cutting it. */
export const END_GRACE_MS = 2_000;

/**
 * Resolves after the event loop has polled once more (the second setImmediate runs after
 * the next poll phase): an ICMP error for a datagram just sent, or a FIN or RST the
 * receiver already sent, is reported by then on loopback and local networks.
 */
export function nextPoll(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Ends `socket` after what was written; destroys it if it has not closed within `graceMs`. */
export function endGracefully(socket: net.Socket, graceMs: number = END_GRACE_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
