import net from 'node:net';

/**
 * A loopback TCP port nothing listened on when asked (bound to port 0, then released):
 * for a server the test starts right after, or, as closedPort, an address that
 * refuses connections.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback port that refuses connections: a receiver that is down. */
export const closedPort = freePort;
