// The soak's acknowledging sink: a Forward-protocol receiver that acks every message
// carrying a chunk, tallies the marked lines, and can go down (listener closed, every
// connection dropped) and come back on the same port. Only the log field's start is kept.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import { msgpackEnd } from '../helpers/msgpack-end.js';
import { Tally } from './tally.js';

type Message = [unknown, unknown, { log?: Uint8Array | string }, { chunk?: string } | undefined];

export class FlappingFluentd {
  readonly tally = new Tally();
  messages = 0;
  errors: string[] = [];
  outages = 0;
  port = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  static async start(): Promise<FlappingFluentd> {
    const r = new FlappingFluentd();
    await r.up();
    return r;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let inbox: Buffer = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      inbox = inbox.length === 0 ? data : Buffer.concat([inbox, data]);
      let at = 0;
      for (;;) {
        let end: number;
        try {
          end = msgpackEnd(inbox, at);
        } catch (e) {
          this.errors.push((e as Error).message);
          socket.destroy();
          return;
        }
        if (end < 0) break;
        this.take(inbox.subarray(at, end), socket);
        at = end;
      }
      inbox = inbox.subarray(at);
    });
  }

  private take(raw: Buffer, socket: net.Socket): void {
    this.messages++;
    let message: Message;
    try {
      message = decode(raw) as Message;
    } catch (e) {
      this.errors.push((e as Error).message);
      return;
    }
    const log = message[2]?.log;
    const text = typeof log === 'string' ? log : log === undefined ? '' : Buffer.from(log).toString('utf8');
    // A long line's first chunk carries its mark; later chunks carry none.
    this.tally.add(text.slice(0, 200), false);
    const chunk = message[3]?.chunk;
    if (chunk !== undefined) socket.write(encode({ ack: chunk }));
  }

  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = net.createServer((s) => this.onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.outages++;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.down();
  }
}
