// A Splunk HTTP Event Collector stand-in on loopback for the splunk sink's tests:
// records every request (method, path, headers, fully decoded body and the
// events in it), can be told to fail the next requests, and implements indexer
// acknowledgement with ack ids that can be withheld.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { onRequestBody } from './http-body.js';
import { EC_KEY, issueLeaf, opensslIn, writeCaConfig } from './test-pki.js';
import { listenOn } from './listen.js';

export interface HecRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  /** Lower-cased names, as node:http gives them. */
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  /** The body gunzipped when Content-Encoding is gzip. */
  body: Buffer;
  /** The concatenated JSON objects of an event POST, each as bytes and parsed. */
  eventBytes: Buffer[];
  events: unknown[];
  /** What the receiver answered. */
  status: number;
  /** The client's port: equal for requests that shared a keep-alive connection. */
  remotePort: number;
}

export interface TestCa {
  dir: string;
  caFile: string;
  key: string;
  cert: string;
}

/** A throw-away CA and a server certificate for localhost and 127.0.0.1, made with openssl in `dir`. */
export function makeTestCa(dir: string): TestCa {
  const file = (name: string) => path.join(dir, name);
  writeCaConfig(dir, 'tslogs test CA');
  opensslIn(dir)('req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-config', 'ca.cnf');
  issueLeaf(dir, 'server', 'server.ext', 'localhost');
  return { dir, caFile: file('ca.pem'), key: fs.readFileSync(file('server.key'), 'utf8'), cert: fs.readFileSync(file('server.pem'), 'utf8') };
}

/** Splits concatenated JSON objects by tracking nesting outside strings. */
export function splitConcatenatedJson(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth++ === 0) start = i;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) out.push(body.subarray(start, i + 1));
    }
  }
  if (depth !== 0 || inString) throw new Error(`truncated JSON in body: ${body.toString('utf8', start)}`);
  return out;
}

interface Failure {
  status: number;
  body: (req: HecRequest) => string;
}

export class HecReceiver {
  readonly requests: HecRequest[] = [];
  /** Parsed events of every event POST answered 200, in arrival order. */
  readonly accepted: unknown[] = [];
  private readonly failures: Failure[] = [];
  private nextAckId = new Map<string, number>();
  private withheld = new Set<string>();
  private withholdCount = 0;
  url = '';

  private constructor(
    private readonly server: http.Server,
    /** Answer event POSTs with ack ids (the token has indexer acknowledgement on). */
    readonly acks: boolean,
  ) {}

  /** `port` (default 0: any free port) lets a test bring a receiver up on an address chosen earlier. */
  static async start(options: { tls?: { key: string; cert: string }; acks?: boolean; port?: number } = {}): Promise<HecReceiver> {
    const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }) : http.createServer();
    const receiver = new HecReceiver(server, options.acks ?? false);
    server.on('request', (req, res) => receiver.handle(req, res));
    receiver.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${await listenOn(server, options.port ?? 0)}`;
    return receiver;
  }

  /** The next `count` event POSTs or OPTIONS get `status` with `body` (which may look at the request). */
  failNext(count: number, status: number, body: string | ((req: HecRequest) => string) = '{"text":"Server is busy","code":9}'): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, body: typeof body === 'string' ? () => body : body });
  }

  /** Forgets the failures failNext() queued that were not used yet. */
  stopFailing(): void {
    this.failures.length = 0;
  }

  /** The ack ids given to the next `count` accepted POSTs are never acknowledged. */
  withholdNextAcks(count: number): void {
    this.withholdCount += count;
  }

  eventPosts(): HecRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/services/collector/event'));
  }

  ackPolls(): HecRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/services/collector/ack'));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    onRequestBody(req, (rawBody, body) => {
      const record: HecRequest = {
        method: req.method!, path: req.url!, headers: req.headers, rawBody, body, eventBytes: [], events: [], status: 0,
        remotePort: req.socket.remotePort!,
      };
      this.requests.push(record);
      const answer = (status: number, json: string) => {
        record.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.end(json);
      };
      if (record.path.startsWith('/services/collector/ack')) return answer(200, this.ackStatus(record));
      if (req.method === 'POST') {
        record.eventBytes = splitConcatenatedJson(body);
        record.events = record.eventBytes.map((e) => JSON.parse(e.toString('utf8')) as unknown);
      }
      const failure = this.failures.shift();
      if (failure) return answer(failure.status, failure.body(record));
      if (req.method !== 'POST') return answer(200, '');
      const channel = req.headers['x-splunk-request-channel'] as string | undefined;
      if (this.acks && channel === undefined) return answer(400, '{"text":"Data channel is missing","code":10}');
      this.accepted.push(...record.events);
      if (!this.acks) return answer(200, '{"text":"Success","code":0}');
      const ackId = this.nextAckId.get(channel!) ?? 0;
      this.nextAckId.set(channel!, ackId + 1);
      if (this.withholdCount > 0) {
        this.withholdCount--;
        this.withheld.add(`${channel}/${ackId}`);
      }
      answer(200, JSON.stringify({ text: 'Success', code: 0, ackId }));
    });
  }

  private ackStatus(record: HecRequest): string {
    const channel = record.headers['x-splunk-request-channel'] as string;
    const { acks } = JSON.parse(record.body.toString('utf8')) as { acks: number[] };
    const status: Record<string, boolean> = {};
    for (const id of acks) status[id] = id < (this.nextAckId.get(channel) ?? 0) && !this.withheld.has(`${channel}/${id}`);
    return JSON.stringify({ acks: status });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
