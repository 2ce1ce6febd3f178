import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { startPluginProcess } from '../helpers/processes.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

// The TCP /metrics listener is reachable by any local user (TCP has no file mode), so it
// must not be reachable from other hosts unless the operator names an address.

/** The local addresses (hex, as the kernel lists them) listening on TCP `port`, IPv4 and IPv6. */
function listeners(pid: number, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['tcp', 'tcp6'].flatMap((table) => fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === '0A' && f[1]!.endsWith(`:${hexPort}`))
    .map((f) => f[1]!.slice(0, -5)));
}

describe('the TCP metrics listener', () => {
  it.each([
    ['loopback when the address names only a port', (port: number) => `:${port}`, ['0100007F']],
    ['every address only when told so', (port: number) => `0.0.0.0:${port}`, ['00000000']],
  ])('binds to %s', { timeout: 60_000 }, async (_, address, expected) => {
    const dir = tmpDir();
    const port = await closedPort();
    const child = await startPluginProcess(path.join(dir, 'store'), path.join(dir, 'plugin.sock'), undefined, { TSLOGS_METRICS_ADDRESS: address(port) });
    await waitUntil(() => listeners(child.pid!, port).length > 0, 'the metrics listener', 30_000);
    expect(listeners(child.pid!, port)).toEqual(expected);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(await res.text()).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});
