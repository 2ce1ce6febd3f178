import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { FrameDecoder } from '../../src/codec/frame-decoder.js';
import { timeNanoOf } from '../../src/codec/log-entry.js';

// Plays dockerd's side of the plugin protocol over a real unix socket and a real
// FIFO, with the exact request shape dockerd sends (docs/docker-compat.md §4.1).

export interface Response {
  status: number;
  body: Buffer;
}

export function call(socket: string, method: string, body?: unknown): Promise<Response> {
  // Go's encoder: compact JSON, HTML characters escaped, trailing newline; empty body for no arguments.
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(goEncode(body) + '\n');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method: 'POST',
        path: `/${method}`,
        headers: { Host: '', 'User-Agent': 'Go-http-client/1.1', 'Content-Length': payload.length, Accept: 'application/vnd.docker.plugins.v1.2+json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function goEncode(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface ReadStream {
  entries: { source: string; timeNano: bigint; line: string }[];
  /** Resolves when the plugin ends the response. */
  ended: Promise<void>;
  /** Resolves after at least n entries arrived. */
  waitFor(n: number): Promise<void>;
  close(): void;
}

/** POST /LogDriver.ReadLogs and decode the framed response as it streams in. */
export function readLogs(socket: string, body: unknown): ReadStream {
  const entries: ReadStream['entries'] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const decoder = new FrameDecoder((e) => {
    entries.push({ source: e.source, timeNano: timeNanoOf(e), line: e.line.toString('utf8') });
    for (const w of waiters.filter((w) => entries.length >= w.n)) w.resolve();
  });
  const payload = Buffer.from(goEncode(body) + '\n');
  let req!: http.ClientRequest;
  let closedByUs = false;
  const ended = new Promise<void>((resolve, reject) => {
    req = http.request(
      { socketPath: socket, method: 'POST', path: '/LogDriver.ReadLogs', headers: { 'Content-Length': payload.length } },
      (res) => {
        res.on('data', (c: Buffer) => decoder.push(c));
        res.on('end', () => resolve());
        res.on('error', (err) => (closedByUs ? resolve() : reject(err)));
        res.on('close', () => resolve());
      },
    );
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
    req.end(payload);
  });
  return {
    entries,
    ended,
    waitFor: (n) => (entries.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => {
      closedByUs = true;
      req.destroy();
    },
  };
}

/** A logging FIFO held open read-write, as dockerd holds it (docs/docker-compat.md §4.5). */
export class Fifo {
  readonly path: string;
  /** dockerd's O_RDWR descriptor: keeps the pipe alive (and writable) whoever reads it. */
  private readonly held: number;
  private readonly socket: net.Socket;
  private closed = false;

  /** `exists`: the FIFO was made already (the fuzzer makes them by the hundred). */
  constructor(dir: string, id: string, { exists = false } = {}) {
    this.path = path.join(dir, id);
    if (!exists) execFileSync('mkfifo', ['-m', '0700', this.path]);
    this.held = fs.openSync(this.path, fs.constants.O_RDWR);
    // Written through a write-only descriptor: a socket on the O_RDWR one would also read,
    // stealing frames from the plugin.
    const fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    this.socket = new net.Socket({ fd, readable: false, writable: true });
    // A refused write rejects write(); the event besides it would only crash the test process.
    this.socket.on('error', () => undefined);
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** dockerd closes and unlinks the FIFO after StopLogging returns. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.socket.end(() => {
        this.socket.destroy();
        fs.closeSync(this.held);
        fs.rmSync(this.path, { force: true });
        resolve();
      });
    });
  }
}
