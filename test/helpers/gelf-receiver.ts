// GELF receivers for tests, on loopback: UDP (reassembles chunks by message id,
// decompresses gzip and zlib, parses the JSON, records the datagram layout) and TCP
// (NUL-delimited JSON; can be stopped and started again on the same port).
import dgram from 'node:dgram';
import net from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { waitUntil } from './wait.js';
import { listenOn } from './listen.js';

export type Compression = 'gzip' | 'zlib' | 'none';

export interface GelfMessage {
  /** The parsed JSON. */
  fields: Record<string, unknown>;
  /** The JSON bytes (decompressed). */
  json: Buffer;
  /** The payload as received (compressed; for chunked messages, reassembled). */
  payload: Buffer;
  compression: Compression;
  /** UDP: datagram sizes in sequence order (one when not chunked). TCP: []. */
  datagrams: number[];
  /** UDP: the 8-byte chunk message id in hex, when chunked. */
  messageId?: string;
  /** UDP: the source port of the (first) datagram; TCP: the connection's number (0, 1, …). */
  source: number;
}

export function decodePayload(payload: Buffer): { json: Buffer; compression: Compression } {
  if (payload[0] === 0x1f && payload[1] === 0x8b) return { json: gunzipSync(payload), compression: 'gzip' };
  if (payload[0] === 0x78) return { json: inflateSync(payload), compression: 'zlib' };
  return { json: payload, compression: 'none' };
}

function parse(json: Buffer): Record<string, unknown> {
  return JSON.parse(json.toString('utf8')) as Record<string, unknown>;
}


interface Pending {
  count: number;
  parts: (Buffer | undefined)[];
  sizes: number[];
  received: number;
  source: number;
}

export class GelfUdpReceiver {
  readonly messages: GelfMessage[] = [];
  /** Every datagram as received. */
  readonly datagrams: Array<{ data: Buffer; port: number }> = [];
  /** Protocol anomalies (inconsistent counts, repeated sequence numbers, undecodable payloads). */
  readonly errors: string[] = [];
  private readonly pending = new Map<string, Pending>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly host: string,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => this.onDatagram(data, rinfo.port));
  }

  static async start(host = '127.0.0.1', port = 0): Promise<GelfUdpReceiver> {
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new GelfUdpReceiver(socket, host, socket.address().port);
  }

  get address(): string {
    return `udp://${net.isIPv6(this.host) ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Chunked messages still missing chunks. */
  incomplete(): number {
    return this.pending.size;
  }

  private complete(payload: Buffer, datagrams: number[], source: number, messageId?: string): void {
    try {
      const { json, compression } = decodePayload(payload);
      this.messages.push({ fields: parse(json), json, payload, compression, datagrams, source, ...(messageId && { messageId }) });
    } catch (e) {
      this.errors.push(`undecodable payload of ${payload.length} bytes: ${(e as Error).message}`);
    }
  }

  private onDatagram(data: Buffer, port: number): void {
    this.datagrams.push({ data, port });
    if (!(data[0] === 0x1e && data[1] === 0x0f)) return this.complete(data, [data.length], port);
    if (data.length < 12) return void this.errors.push(`chunk of ${data.length} bytes`);
    const id = data.toString('hex', 2, 10);
    const seq = data[10]!;
    const count = data[11]!;
    let p = this.pending.get(id);
    if (p === undefined) {
      p = { count, parts: new Array<Buffer | undefined>(count), sizes: new Array<number>(count).fill(0), received: 0, source: port };
      this.pending.set(id, p);
    }
    if (count !== p.count || seq >= count) return void this.errors.push(`message ${id}: chunk ${seq}/${count} after count ${p.count}`);
    if (p.parts[seq] !== undefined) return void this.errors.push(`message ${id}: chunk ${seq} twice`);
    p.parts[seq] = data.subarray(12);
    p.sizes[seq] = data.length;
    if (++p.received < p.count) return;
    this.pending.delete(id);
    this.complete(Buffer.concat(p.parts as Buffer[]), p.sizes, p.source, id);
  }

  async waitForMessages(n: number, timeoutMs = 10_000): Promise<GelfMessage[]> {
    await waitUntil(() => this.messages.length >= n, `${n} GELF messages (have ${this.messages.length})`, timeoutMs);
    return this.messages;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export class GelfTcpReceiver {
  readonly messages: GelfMessage[] = [];
  readonly errors: string[] = [];
  /** Connections accepted so far. */
  connections = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly host: string,
    public port: number,
  ) {}

  static async start(host = '127.0.0.1', port = 0): Promise<GelfTcpReceiver> {
    const r = new GelfTcpReceiver(host, port);
    await r.listen();
    return r;
  }

  get address(): string {
    return `tcp://${this.host}:${this.port}`;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /**
   * Starts listening (again, on the same port after stop()). `unread`: accept connections
   * but never read them, so what is sent stays in the kernel and stop() resets them (RST).
   */
  async listen({ unread = false }: { unread?: boolean } = {}): Promise<void> {
    const server = net.createServer({ pauseOnConnect: unread }, (socket) => this.onConnection(socket));
    this.port = await listenOn(server, this.port, this.host);
    this.server = server;
  }

  private onConnection(socket: net.Socket): void {
    const n = this.connections++;
    this.sockets.add(socket);
    let rest = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      for (let nul = data.indexOf(0); nul !== -1; nul = data.indexOf(0)) {
        const json = Buffer.from(data.subarray(0, nul));
        data = data.subarray(nul + 1);
        try {
          this.messages.push({ fields: parse(json), json, payload: json, compression: 'none', datagrams: [], source: n });
        } catch (e) {
          this.errors.push(`connection ${n}: bad JSON: ${(e as Error).message}`);
        }
      }
      rest = Buffer.from(data);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (rest.length > 0) this.errors.push(`connection ${n}: ${rest.length} bytes without a NUL terminator`);
    });
  }

  /**
   * Stops like a receiver that shuts down: stops listening and closes every connection
   * (what it has not read yet is lost, as with a real receiver).
   */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Connections open now (paused or not). */
  openSockets(): net.Socket[] {
    return [...this.sockets];
  }

  async waitForMessages(n: number, timeoutMs = 10_000): Promise<GelfMessage[]> {
    await waitUntil(() => this.messages.length >= n, `${n} GELF messages over TCP (have ${this.messages.length})`, timeoutMs);
    return this.messages;
  }

  close(): Promise<void> {
    return this.stop();
  }
}
