// How the GELF transports resolve the receiver's host: the system resolver, or
// one a test injects to move a receiver. Both transports resolve again whenever
// they reconnect (Docker resolves once at container start: moby #17904).

import dns from 'node:dns/promises';
import type net from 'node:net';

/** dns.lookup's answer for one address; injectable so tests can move a receiver. */
export type Lookup = (host: string) => Promise<{ address: string; family: number }>;

export const systemLookup: Lookup = (host) => dns.lookup(host);

/** A Lookup as net.connect's callback-style lookup option (which may ask for all addresses). */
export function adaptLookup(lookup: Lookup): net.LookupFunction {
  return ((host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    lookup(host).then(
      ({ address, family }) => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family)),
      (err: unknown) => callback(err),
    );
  }) as unknown as net.LookupFunction;
}
