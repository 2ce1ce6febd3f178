// A Loki push receiver on loopback for the loki sink's tests. It decodes every request
// fully and independently of the sink's code: the body snappy-uncompressed with the
// native `snappy` package (the sink compresses with snappyjs), the PushRequest with
// protobufjs from test/fixtures/loki/push.proto, and each stream's label string with
// a parser of Prometheus' label syntax written here. A request that is not a valid
// push (wrong Content-Type, not snappy, not a PushRequest, labels that do not parse,
// a stream given twice) is answered 400 as Loki would and counted in `invalid`; entries
// out of timestamp order within a stream are counted in `outOfOrder`. It can be told
// to fail, and to stop listening and come back on the same port (an outage).
import http from 'node:http';
import path from 'node:path';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { LoopbackHttpReceiver, type ReceiverTls } from './http-receiver.js';

export type { ReceiverTls };

const root = protobuf.loadSync(path.join(import.meta.dirname, '../fixtures/loki/push.proto'));
export const lokiType = (name: string): protobuf.Type => root.lookupType(`logproto.${name}`);
const RawPush = lokiType('RawPushRequest');

export interface LokiEntry {
  labels: Record<string, string>;
  /** The label string as sent. */
  labelText: string;
  sec: number;
  nsec: number;
  line: string;
  rawLine: Buffer;
}

export interface LokiRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  streams: { labelText: string; labels: Record<string, string>; entries: LokiEntry[] }[];
  status: number;
  /** Why the request was answered 400 by the receiver itself. */
  invalid?: string;
}

type Obj = Record<string, any>;

const GO_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Parses `{a="b", c="d"}` (Prometheus' LabelSet.String(), values in Go's %q syntax); throws on anything else. */
export function parseLabelString(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let p = 0;
  const fail = (why: string): never => {
    throw new Error(`labels ${JSON.stringify(text)}: ${why} at ${p}`);
  };
  if (text[p++] !== '{') fail('no {');
  if (text[p] === '}') return p + 1 === text.length ? out : fail('text after }');
  for (;;) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(p))?.[0] ?? fail('no label name');
    p += name.length;
    if (Object.hasOwn(out, name)) fail(`label ${name} twice`);
    if (text[p++] !== '=' || text[p++] !== '"') fail('no ="');
    const bytes: number[] = [];
    for (;;) {
      if (p >= text.length) fail('unterminated value');
      const ch = String.fromCodePoint(text.codePointAt(p)!);
      p += ch.length;
      if (ch === '"') break;
      if (ch !== '\\') {
        bytes.push(...Buffer.from(ch));
        continue;
      }
      const e = text[p++] ?? fail('unterminated escape');
      if (GO_ESCAPES[e] !== undefined) bytes.push(GO_ESCAPES[e]!.charCodeAt(0));
      else if (e === 'x') {
        bytes.push(parseInt(text.slice(p, p + 2), 16));
        p += 2;
      } else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        bytes.push(...Buffer.from(String.fromCodePoint(parseInt(text.slice(p, p + n), 16))));
        p += n;
      } else fail(`unknown escape \\${e}`);
    }
    out[name] = Buffer.from(bytes).toString('utf8');
    if (text[p] === '}') return p + 1 === text.length ? out : fail('text after }');
    if (text.slice(p, p + 2) !== ', ') fail('no ", " between labels');
    p += 2;
  }
}

/** A push body: snappy, then PushRequest; throws on anything that is not one. */
export function decodePushBody(body: Buffer): LokiRequest['streams'] {
  const proto = snappy.uncompressSync(body) as Buffer;
  // Lines are read as bytes: a Go receiver takes a proto3 string without checking its
  // UTF-8, and protobufjs would refuse the push instead.
  const o = RawPush.toObject(RawPush.decode(proto), { longs: Number, arrays: true, defaults: true }) as Obj;
  const seen = new Set<string>();
  return (o.streams as Obj[]).map((s) => {
    const labelText = s.labels as string;
    if (seen.has(labelText)) throw new Error(`stream ${labelText} twice in one push`);
    seen.add(labelText);
    const labels = parseLabelString(labelText);
    const entries = (s.entries as Obj[]).map((e) => ({
      labels,
      labelText,
      sec: Number(e.timestamp?.seconds ?? 0),
      nsec: Number(e.timestamp?.nanos ?? 0),
      line: Buffer.from(e.line as Uint8Array).toString('utf8'),
      rawLine: Buffer.from(e.line as Uint8Array),
    }));
    return { labelText, labels, entries };
  });
}

export class LokiReceiver extends LoopbackHttpReceiver {
  readonly requests: LokiRequest[] = [];
  /** Entries of every push answered 2xx, in arrival order. */
  readonly accepted: LokiEntry[] = [];
  outOfOrder = 0;
  private readonly answers: { status: number; message: string }[] = [];
  private constructor(tls: ReceiverTls | undefined) {
    super(tls);
  }

  static async start(options: { tls?: ReceiverTls; port?: number } = {}): Promise<LokiReceiver> {
    const receiver = new LokiReceiver(options.tls);
    await receiver.listen(options.port ?? 0);
    return receiver;
  }

  /** The push URL. */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/loki/api/v1/push`;
  }

  /** Requests answered by the receiver itself with 400: a sink bug. */
  get invalid(): LokiRequest[] {
    return this.requests.filter((r) => r.invalid !== undefined);
  }

  /** The next `count` pushes are answered `status` with `message` as Loki's plain-text body. */
  failNext(count: number, status: number, message = 'receiver told to fail'): void {
    for (let i = 0; i < count; i++) this.answers.push({ status, message });
  }

  lines(): string[] {
    return this.accepted.map((e) => e.line);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const record: LokiRequest = { method: req.method!, path: req.url!, headers: req.headers, rawBody, streams: [], status: 0 };
      this.requests.push(record);
      const reply = (status: number, text: string): void => {
        record.status = status;
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(text);
      };
      if (req.method !== 'POST' || !req.url!.startsWith('/loki/api/v1/push')) return reply(404, '404 page not found\n');
      try {
        if (req.headers['content-type'] !== 'application/x-protobuf') throw new Error(`Content-Type ${req.headers['content-type']}`);
        record.streams = decodePushBody(rawBody);
      } catch (e) {
        record.invalid = (e as Error).message;
        return reply(400, `cannot decode: ${record.invalid}\n`);
      }
      const answer = this.answers.shift();
      if (answer !== undefined) return reply(answer.status, `${answer.message}\n`);
      for (const s of record.streams) {
        for (let i = 1; i < s.entries.length; i++) {
          const [a, b] = [s.entries[i - 1]!, s.entries[i]!];
          if (a.sec > b.sec || (a.sec === b.sec && a.nsec > b.nsec)) this.outOfOrder++;
        }
        this.accepted.push(...s.entries);
      }
      reply(204, '');
    });
  }
}
