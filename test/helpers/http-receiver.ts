// The part the decoding HTTP receivers (OTLP, Loki) share: loopback HTTP or HTTPS, and a
// stop that cuts every connection while keeping the port for restart().
import http from 'node:http';
import https from 'node:https';
import { listenOn } from './listen.js';

export interface ReceiverTls {
  key: string;
  cert: string;
  /** With `ca`, client certificates are required and verified against it. */
  ca?: string;
}

export abstract class LoopbackHttpReceiver {
  private server: http.Server | undefined;
  port = 0;

  protected constructor(protected readonly tls: ReceiverTls | undefined) {}

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void;

  protected async listen(port: number): Promise<void> {
    const tls = this.tls;
    const server = tls
      ? https.createServer({ key: tls.key, cert: tls.cert, ...(tls.ca !== undefined && { ca: tls.ca, requestCert: true, rejectUnauthorized: true }) })
      : http.createServer();
    server.on('request', (req, res) => this.handle(req, res));
    this.port = await listenOn(server, port);
    this.server = server;
  }

  /** Stops listening (connections cut), keeping the port for restart(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
  }
}
