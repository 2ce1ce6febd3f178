// An OTLP/HTTP logs receiver on loopback for the otlp sink's tests: decodes every
// request fully with protobufjs from the .proto definitions in test/fixtures/otlp
// (an implementation independent of the sink's encoder), in either encoding the
// Content-Type names (application/x-protobuf, application/json), gunzipped when
// Content-Encoding says gzip; records it; answers as an OTLP/HTTP server does, in the
// request's encoding. It can be told to fail, to partially accept, and to stop
// listening and come back on the same port (an outage).
import http from 'node:http';
import path from 'node:path';
import protobuf from 'protobufjs';
import { onRequestBody } from './http-body.js';
import { LoopbackHttpReceiver, type ReceiverTls } from './http-receiver.js';

export type { ReceiverTls };

const root = protobuf.loadSync(path.join(import.meta.dirname, '../fixtures/otlp/logs.proto'));
export const otlpType = (name: string): protobuf.Type => root.lookupType(`otlp.${name}`);
const Request = otlpType('ExportLogsServiceRequest');
const RawRequest = otlpType('RawExportLogsServiceRequest');
const Response = otlpType('ExportLogsServiceResponse');
const Status = otlpType('Status');

export type DecodedValue = string | boolean | number | Buffer | DecodedValue[] | { [key: string]: DecodedValue } | undefined;

export interface DecodedRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: DecodedValue;
  attributes: Record<string, DecodedValue>;
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

export interface DecodedScopeLogs {
  scope: { name: string; version: string; attributes: Record<string, DecodedValue> };
  schemaUrl: string;
  logRecords: DecodedRecord[];
}

export interface DecodedResourceLogs {
  resource: Record<string, DecodedValue>;
  schemaUrl: string;
  scopeLogs: DecodedScopeLogs[];
}

type Obj = Record<string, any>;

function anyValue(v: Obj | undefined): DecodedValue {
  if (v === undefined || v === null) return undefined;
  if (v.stringValue !== undefined) return v.stringValue as string;
  if (v.boolValue !== undefined) return v.boolValue as boolean;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue as number;
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue as Uint8Array);
  if (v.arrayValue !== undefined) return ((v.arrayValue.values ?? []) as Obj[]).map(anyValue);
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue.values);
  return undefined;
}

/** KeyValue list → object; a key given twice fails the test (OTLP forbids it). */
function attributes(list: Obj[] | undefined): Record<string, DecodedValue> {
  const out: Record<string, DecodedValue> = {};
  for (const kv of list ?? []) {
    if (Object.hasOwn(out, kv.key as string)) throw new Error(`attribute ${kv.key} given twice`);
    out[kv.key as string] = anyValue(kv.value as Obj | undefined);
  }
  return out;
}

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function normalize(message: protobuf.Message): DecodedResourceLogs[] {
  const o = Request.toObject(message, { longs: String, defaults: true, arrays: true }) as Obj;
  return (o.resourceLogs as Obj[]).map((rl) => ({
    resource: attributes(rl.resource?.attributes),
    schemaUrl: rl.schemaUrl,
    scopeLogs: (rl.scopeLogs as Obj[]).map((sl) => ({
      scope: { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '', attributes: attributes(sl.scope?.attributes) },
      schemaUrl: sl.schemaUrl,
      logRecords: (sl.logRecords as Obj[]).map((r) => ({
        timeUnixNano: r.timeUnixNano,
        observedTimeUnixNano: r.observedTimeUnixNano,
        severityNumber: r.severityNumber,
        severityText: r.severityText,
        body: anyValue(r.body),
        attributes: attributes(r.attributes),
        droppedAttributesCount: r.droppedAttributesCount,
        flags: r.flags,
        traceId: hex(r.traceId),
        spanId: hex(r.spanId),
        eventName: r.eventName,
      })),
    })),
  }));
}

/** A binary ExportLogsServiceRequest, decoded. */
export function decodeProtobufRequest(body: Buffer): DecodedResourceLogs[] {
  return normalize(Request.decode(body));
}

/** The raw bytes of every body string_value, in order (protobufjs would decode them leniently). */
export function rawBodies(body: Buffer): Buffer[] {
  const o = RawRequest.toObject(RawRequest.decode(body), { arrays: true }) as Obj;
  return (o.resourceLogs as Obj[]).flatMap((rl) => (rl.scopeLogs as Obj[]).flatMap((sl) => (sl.logRecords as Obj[]).map((r) => Buffer.from(r.body.stringValue as Uint8Array))));
}

/** An OTLP JSON request, decoded through the proto3 JSON names (lowerCamelCase; unknown keys are ignored, as OTLP asks). */
export function decodeJsonRequest(body: Buffer): DecodedResourceLogs[] {
  return normalize(Request.fromObject(JSON.parse(body.toString('utf8')) as Obj));
}

export interface OtlpRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  /** gunzipped when Content-Encoding is gzip. */
  body: Buffer;
  /** Empty when the request was not a decodable export. */
  resourceLogs: DecodedResourceLogs[];
  status: number;
}

/** One accepted record with the resource and scope it came under. */
export interface ReceivedRecord {
  resource: Record<string, DecodedValue>;
  scope: DecodedScopeLogs['scope'];
  record: DecodedRecord;
}

type Answer = { status: number; message: string } | { status: 200; rejected: number; message: string };

export class OtlpReceiver extends LoopbackHttpReceiver {
  readonly requests: OtlpRequest[] = [];
  /** Records of every export answered 2xx, minus those a partial success refused, in arrival order. */
  readonly accepted: ReceivedRecord[] = [];
  private readonly answers: Answer[] = [];
  private constructor(tls: ReceiverTls | undefined) {
    super(tls);
  }

  static async start(options: { tls?: ReceiverTls; port?: number } = {}): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(options.tls);
    await receiver.listen(options.port ?? 0);
    return receiver;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The next `count` exports get `status` with a google.rpc.Status carrying `message`. */
  failNext(count: number, status: number, message = 'receiver told to fail'): void {
    for (let i = 0; i < count; i++) this.answers.push({ status, message });
  }

  /** The next export is answered 200 with partial_success: its last `rejected` records refused. */
  partialNext(rejected: number, message: string): void {
    this.answers.push({ status: 200, rejected, message });
  }

  /** Records in arrival order, bodies only. */
  bodies(): DecodedValue[] {
    return this.accepted.map((r) => r.record.body);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    onRequestBody(req, (rawBody, body) => {
      const json = req.headers['content-type'] === 'application/json';
      const record: OtlpRequest = { method: req.method!, path: req.url!, headers: req.headers, rawBody, body, resourceLogs: [], status: 0 };
      this.requests.push(record);
      const reply = (status: number, message: protobuf.Type, value: Obj) => {
        record.status = status;
        const m = message.fromObject(value);
        res.writeHead(status, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? JSON.stringify(message.toObject(m, { longs: String })) : Buffer.from(message.encode(m).finish()));
      };
      if (req.method !== 'POST' || !req.url!.endsWith('/v1/logs')) return reply(404, Status, { code: 5, message: 'not found' });
      try {
        record.resourceLogs = json ? decodeJsonRequest(body) : decodeProtobufRequest(body);
      } catch (e) {
        return reply(400, Status, { code: 3, message: `cannot decode: ${(e as Error).message}` });
      }
      const answer = this.answers.shift();
      if (answer !== undefined && answer.status !== 200) return reply(answer.status, Status, { code: 14, message: answer.message });
      const received = record.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => ({ resource: rl.resource, scope: sl.scope, record: r }))));
      const rejected = answer !== undefined && 'rejected' in answer ? answer.rejected : 0;
      this.accepted.push(...received.slice(0, received.length - rejected));
      if (answer === undefined) return reply(200, Response, {});
      reply(200, Response, { partialSuccess: { rejectedLogRecords: rejected, errorMessage: answer.message } });
    });
  }
}
