// A Forward-protocol receiver for tests, built on @msgpack/msgpack: listens on TCP,
// a unix socket or TLS, decodes every message fully (Message mode, as Docker
// sends), keeps each message's exact bytes, and answers `{ack: chunk}` unless told
// to withhold it. It can be stopped and started again on the same address.

import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';
import { msgpackEnd } from './msgpack-end.js';

export interface FluentMessage {
  /** The message's bytes as received. */
  raw: Buffer;
  tag: string;
  /** How the time was encoded: `int32` (d2), `uint32` (ce), `eventtime` (d7 00), … */
  timeKind: string;
  /** The time's bytes as received. */
  timeBytes: Buffer;
  sec: number;
  nsec: number;
  /** Values decoded as UTF-8 (invalid bytes become U+FFFD). */
  record: Record<string, string>;
  /** Values as received. */
  rawRecord: Record<string, Buffer>;
  /** Keys in wire order. */
  keys: string[];
  option: Record<string, string>;
  /** The option map's bytes as received. */
  optionBytes: Buffer;
  /** Which accepted connection (0, 1, …) it came on. */
  connection: number;
}

export interface ReceiverOptions {
  kind?: 'tcp' | 'unix' | 'tls';
  /** TCP/TLS port; 0 (default) picks one. */
  port?: number;
  /** Unix socket path. */
  path?: string;
  tls?: { key: string; cert: string };
  /**
   * How to answer a message with a chunk (`index` counts them): true (default) acks at
   * once, false withholds the ack, or an answer sent after `delayMs` naming `ack`.
   */
  answerAck?: (message: FluentMessage, index: number) => boolean | { delayMs?: number; ack?: string };
  /** Throughput runs: only count messages (and ack them); nothing is kept or fully decoded. */
  countOnly?: boolean;
}

const CHUNK_KEY = Buffer.from([0xa5, ...Buffer.from('chunk')]);

interface EventTime {
  sec: number;
  nsec: number;
}

const codec = new ExtensionCodec();
codec.register({
  type: 0,
  encode: () => null,
  decode: (data: Uint8Array): EventTime => {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return { sec: v.getUint32(0), nsec: v.getUint32(4) };
  },
});

const TIME_KINDS: Record<number, string> = { 0xcc: 'uint8', 0xcd: 'uint16', 0xce: 'uint32', 0xcf: 'uint64', 0xd0: 'int8', 0xd1: 'int16', 0xd2: 'int32', 0xd3: 'int64' };

function strHeaderLength(raw: Buffer, at: number): number {
  const t = raw[at]!;
  if (t >= 0xa0 && t <= 0xbf) return 1 + (t & 0x1f);
  if (t === 0xd9) return 2 + raw[at + 1]!;
  if (t === 0xda) return 3 + raw.readUInt16BE(at + 1);
  if (t === 0xdb) return 5 + raw.readUInt32BE(at + 1);
  throw new Error(`tag is not a str (0x${t.toString(16)})`);
}

/** Decodes one Message-mode message fully; throws on anything else. */
export function decodeMessage(raw: Buffer, connection = 0): FluentMessage {
  const value = decode(raw, { extensionCodec: codec, rawStrings: true }) as unknown;
  if (!Array.isArray(value) || value.length !== 4) throw new Error(`not a Message-mode array of 4: ${JSON.stringify(value)}`);
  const [tag, time, record, option] = value as [Uint8Array, number | EventTime, Record<string, Uint8Array>, Record<string, Uint8Array>];
  if (!(tag instanceof Uint8Array)) throw new Error('tag is not a str');
  if (raw[0] !== 0x94) throw new Error(`not a fixarray of 4 (0x${raw[0]!.toString(16)})`);
  const timeStart = 1 + strHeaderLength(raw, 1);
  const timeEnd = msgpackEnd(raw, timeStart);
  const recordEnd = msgpackEnd(raw, timeEnd);
  const t = raw[timeStart]!;
  const timeKind = t <= 0x7f ? 'fixint' : t === 0xd7 && raw[timeStart + 1] === 0 ? 'eventtime' : (TIME_KINDS[t] ?? `0x${t.toString(16)}`);
  const rawRecord: Record<string, Buffer> = {};
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (!(v instanceof Uint8Array)) throw new Error(`record value ${k} is not a str`);
    rawRecord[k] = Buffer.from(v);
    decoded[k] = new TextDecoder().decode(v);
  }
  const opt: Record<string, string> = {};
  for (const [k, v] of Object.entries(option)) opt[k] = Buffer.from(v).toString('utf8');
  return {
    raw,
    tag: Buffer.from(tag).toString('utf8'),
    timeKind,
    timeBytes: raw.subarray(timeStart, timeEnd),
    sec: typeof time === 'number' ? time : time.sec,
    nsec: typeof time === 'number' ? 0 : time.nsec,
    record: decoded,
    rawRecord,
    keys: Object.keys(record),
    option: opt,
    optionBytes: raw.subarray(recordEnd),
    connection,
  };
}

export class FluentdReceiver {
  readonly messages: FluentMessage[] = [];
  /** Every msgpack object received, undecoded (Message-mode or not). */
  readonly objects: Buffer[] = [];
  /** Decode failures (must stay empty). */
  readonly errors: string[] = [];
  connections = 0;
  /** Messages received (all modes). */
  count = 0;
  /** The last message's bytes (countOnly). */
  last: Buffer | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private acksSeen = 0;
  port = 0;

  private constructor(private readonly options: ReceiverOptions) {}

  static async start(options: ReceiverOptions = {}): Promise<FluentdReceiver> {
    const r = new FluentdReceiver(options);
    await r.listen();
    return r;
  }

  /** The value for `fluentd-address`. */
  get address(): string {
    const kind = this.options.kind ?? 'tcp';
    if (kind === 'unix') return `unix://${this.options.path}`;
    return kind === 'tls' ? `tls://127.0.0.1:${this.port}` : `127.0.0.1:${this.port}`;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  private onConnection(socket: net.Socket): void {
    const id = this.connections++;
    this.sockets.add(socket);
    // Acks go out at once, as fluentd's own server sends them.
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let inbox = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      inbox = Buffer.concat([inbox, data]);
      for (;;) {
        let end: number;
        try {
          end = msgpackEnd(inbox, 0);
        } catch (e) {
          this.errors.push((e as Error).message);
          socket.destroy();
          return;
        }
        if (end < 0) return;
        if (this.options.countOnly) {
          const raw = inbox.subarray(0, end);
          inbox = inbox.subarray(end);
          this.count++;
          this.last = raw;
          if (raw.includes(CHUNK_KEY)) {
            const [, , , option] = decode(raw) as [unknown, unknown, unknown, { chunk: string }];
            socket.write(encode({ ack: option.chunk }));
          }
          continue;
        }
        const raw = Buffer.from(inbox.subarray(0, end));
        inbox = inbox.subarray(end);
        this.objects.push(raw);
        this.count++;
        let message: FluentMessage;
        try {
          message = decodeMessage(raw, id);
        } catch (e) {
          this.errors.push((e as Error).message);
          continue;
        }
        this.messages.push(message);
        const chunk = message.option.chunk;
        if (chunk !== undefined) {
          const index = this.acksSeen++;
          const answer = this.options.answerAck?.(message, index) ?? true;
          if (answer === true) socket.write(encode({ ack: chunk }));
          else if (answer !== false) {
            const bytes = encode({ ack: answer.ack ?? chunk });
            setTimeout(() => socket.write(bytes), answer.delayMs ?? 0);
          }
        }
      }
    });
  }

  private async listen(): Promise<void> {
    const kind = this.options.kind ?? 'tcp';
    const server =
      kind === 'tls'
        ? tls.createServer({ key: this.options.tls!.key, cert: this.options.tls!.cert }, (s) => this.onConnection(s))
        : net.createServer((s) => this.onConnection(s));
    if (kind === 'tls') server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (kind === 'unix') {
        fs.rmSync(this.options.path!, { force: true });
        server.listen(this.options.path, () => resolve());
      } else server.listen(this.port || this.options.port || 0, '127.0.0.1', () => resolve());
    });
    if (kind !== 'unix') this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection (fluentd going down). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts every open connection; the server keeps listening. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Listens again on the same port or path. */
  async restart(): Promise<void> {
    if (this.server === undefined) await this.listen();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Waits until at least `n` messages arrived. */
  async waitForMessages(n: number, timeoutMs = 15_000, what = `${n} messages`): Promise<FluentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.messages;
  }

  /** Messages of one container (by record container_id). */
  of(containerId: string): FluentMessage[] {
    return this.messages.filter((m) => m.record.container_id === containerId);
  }
}

