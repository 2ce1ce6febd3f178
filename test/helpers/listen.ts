import type net from 'node:net';

/** Listens on `host:port` (port 0: any free one) and resolves with the port; rejects when it cannot (EADDRINUSE). */
export async function listenOn(server: net.Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}
