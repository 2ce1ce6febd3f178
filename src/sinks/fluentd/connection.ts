// One established connection to fluentd: writes, and the acks read back from it
// (fluentd-request-ack), with Docker's closing of the connection on a timeout or an
// unexpected answer.

import type net from 'node:net';
import { PassThrough } from 'node:stream';
import { Decoder } from '@msgpack/msgpack';
import { SinkError } from '../sink.js';
import { describeEndpoint, type FluentdEndpoint } from './address.js';
import { fluentdError } from './errors.js';

/** Acks are tiny maps; more bytes than this without a whole answer is not fluentd talking. */
const MAX_INBOX = 64 * 1024;

// Go's texts for the errors a dial or a connection can meet.
export const GO_CONNECT: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  ENOENT: 'connect: no such file or directory',
  EACCES: 'connect: permission denied',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ENOTSOCK: 'connect: socket operation on non-socket',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'i/o timeout',
};

export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const go = GO_CONNECT[err.code ?? ''];
  if (go !== undefined) return go;
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  return typeof err.code === 'string' && !text.includes(err.code) ? `${text} (${err.code})` : text;
}


interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

const ACK_LIMITS = { maxStrLength: 1024, maxBinLength: 1024, maxArrayLength: 16, maxMapLength: 16, maxExtLength: 64 };

/** One established connection: writes, and the acks read back from it. */
export class Connection {
  dead: SinkError | undefined;
  /** What fluentd sent, for the ack decoder; ended when the socket is gone. */
  private readonly answers = new PassThrough();
  /** Bytes received since the last whole answer. */
  private unanswered = 0;
  /** Why the socket is gone, once it is: the connection dies when the answers before it are read. */
  private gone: string | undefined;
  /** Chunk ids written and not acknowledged yet, in the order sent. */
  private outstanding = new Set<string>();
  private ackWaiter: Waiter | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private writeWaiter: Waiter | undefined;
  /** Whether answers are expected at all (fluentd-request-ack); otherwise whatever arrives is ignored. */
  private acking = false;
  private ackTimeoutMs = 0;
  readonly name: string;

  constructor(
    readonly socket: net.Socket,
    readonly endpoint: FluentdEndpoint,
  ) {
    this.name = describeEndpoint(endpoint);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (e) => this.onGone(describeError(e)));
    // fluentd closing its side (restart, shutdown) ends the connection.
    socket.on('end', () => this.onGone('EOF'));
    socket.on('close', () => this.onGone('connection closed'));
    void this.readAnswers();
  }

  /** Ends the connection; whatever waits on it fails retryably with `detail`. */
  kill(detail: string): void {
    if (this.dead !== undefined) return;
    this.dead = new SinkError(fluentdError('TSLOGS_FLUENTD_WRITE', this.name, detail).message);
    clearTimeout(this.ackTimer);
    this.socket.destroy();
    if (!this.answers.writableEnded) this.answers.end();
    this.writeWaiter?.reject(this.dead);
    this.ackWaiter?.reject(this.dead);
    this.writeWaiter = this.ackWaiter = undefined;
  }

  /** Resolves once the bytes were handed to the kernel. */
  write(payload: Buffer, timeoutMs: number): Promise<void> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    return new Promise<void>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => this.kill(`write i/o timeout after ${timeoutMs} ms (fluentd-write-timeout)`), timeoutMs) : undefined;
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.writeWaiter = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.writeWaiter = { resolve: () => settle(), reject: (e) => settle(e) };
      this.socket.write(payload, (err) => {
        if (err) this.kill(describeError(err));
        else settle();
      });
    });
  }

  /** Chunk ids whose acks the next acked() waits for; set before writing (acks can be quick). */
  expect(chunks: readonly string[]): void {
    this.acking = true;
    this.outstanding = new Set(chunks);
  }

  /** Resolves when every expected chunk was acknowledged; gives up after `timeoutMs` without one. */
  acked(timeoutMs: number): Promise<void> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    if (this.outstanding.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(this.ackTimer);
        this.ackWaiter = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.ackWaiter = { resolve: () => settle(), reject: (e) => settle(e) };
      this.armAckTimer(timeoutMs);
    });
  }

  private armAckTimer(timeoutMs: number): void {
    clearTimeout(this.ackTimer);
    if (timeoutMs <= 0) return;
    this.ackTimer = setTimeout(() => {
      const missing = this.outstanding.size;
      // No more acks can be trusted on this connection: close it, as Docker does.
      const error = new SinkError(fluentdError('TSLOGS_FLUENTD_ACK_TIMEOUT', missing, timeoutMs).message);
      const waiter = this.ackWaiter;
      this.ackWaiter = undefined;
      this.kill('acknowledgement timeout');
      waiter?.reject(error);
    }, timeoutMs);
    this.ackTimeoutMs = timeoutMs;
  }

  private onData(data: Buffer): void {
    if (!this.acking || this.dead !== undefined) return;
    // Checked before adding: one read (up to 64 KiB) full of acks is fine, the decoder
    // has read the previous one by the time the next arrives.
    if (this.unanswered > MAX_INBOX) return this.kill('unreadable answer from fluentd: too long');
    this.unanswered += data.length;
    this.answers.write(data);
  }

  /**
   * The decoder reads asynchronously: a socket's end or error waits for the answers
   * that arrived before it, which fluentd may have sent just before closing.
   */
  private onGone(detail: string): void {
    if (!this.acking) return this.kill(detail);
    this.gone ??= detail;
    if (!this.answers.writableEnded) this.answers.end();
  }

  private async readAnswers(): Promise<void> {
    try {
      for await (const answer of new Decoder(ACK_LIMITS).decodeStream(this.answers)) {
        this.unanswered = 0;
        this.onAnswer(answer);
        if (this.dead !== undefined) return;
      }
    } catch (e) {
      this.kill(`unreadable answer from fluentd: ${(e as Error).message}`);
    } finally {
      if (this.gone !== undefined) this.kill(this.gone);
    }
  }

  private onAnswer(answer: unknown): void {
    const ack = typeof answer === 'object' && answer !== null && typeof (answer as { ack?: unknown }).ack === 'string' ? (answer as { ack: string }).ack : undefined;
    if (ack !== undefined && this.outstanding.delete(ack)) {
      if (this.outstanding.size === 0) this.ackWaiter?.resolve();
      else if (this.ackWaiter !== undefined) this.armAckTimer(this.ackTimeoutMs);
      return;
    }
    // Docker closes the connection on an answer that is not the expected ack.
    const want = this.outstanding.values().next().value ?? '';
    const error = new SinkError(fluentdError('TSLOGS_FLUENTD_ACK_MISMATCH', ack ?? '', want).message);
    const waiter = this.ackWaiter;
    this.ackWaiter = undefined;
    this.kill('unexpected answer');
    waiter?.reject(error);
  }
}
