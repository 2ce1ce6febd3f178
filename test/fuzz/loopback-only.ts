// Preloaded into the fuzzed daemon (node --import): sink addresses drawn by the option
// fuzzer must not reach beyond this machine, so names other than localhost do not
// resolve (the generators never draw an IP literal that is not loopback).
import dns from 'node:dns';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

type Callback = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

function answer(hostname: string, options: unknown): { address: string; family: number }[] | undefined {
  const family = typeof options === 'number' ? options : ((options as { family?: number } | undefined)?.family ?? 0);
  const kind = net.isIP(hostname);
  if (kind !== 0) return [{ address: hostname, family: kind }];
  if (hostname !== 'localhost') return undefined;
  return family === 6 ? [{ address: '::1', family: 6 }] : [{ address: '127.0.0.1', family: 4 }];
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
}

function lookup(hostname: string, options: unknown, callback?: Callback): void {
  const cb = (typeof options === 'function' ? options : callback) as Callback;
  const opts = typeof options === 'function' ? undefined : options;
  const found = answer(hostname, opts);
  process.nextTick(() => {
    if (found === undefined) cb(notFound(hostname));
    else if ((opts as { all?: boolean } | undefined)?.all === true) cb(null, found);
    else cb(null, found[0]!.address, found[0]!.family);
  });
}

(dns as { lookup: unknown }).lookup = lookup;
(dns.promises as { lookup: unknown }).lookup = async (hostname: string, options?: unknown) => {
  const found = answer(hostname, options);
  if (found === undefined) throw notFound(hostname);
  return (options as { all?: boolean } | undefined)?.all === true ? found : found[0];
};
syncBuiltinESMExports();

// The fuzzer holds our stdin: when it is gone (killed by a timeout), so are we.
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();
