// A batch as one OTLP ExportLogsServiceRequest (opentelemetry-proto,
// collector/logs/v1/logs_service.proto): one ResourceLogs for the container, one
// ScopeLogs (scope `tslogs` and its version), one LogRecord per line:
//
//   time_unix_nano           the capture time (dockerd's timestamp, as json-file's `time`)
//   observed_time_unix_nano  when tslogs encoded the batch (later by the outage for a
//                            backlog sent after one)
//   body                     the line as a string value, without its newline
//   attributes               log.iostream = stdout | stderr (semconv; what the collector's
//                            filelog `container` parser sets)
//   severity                 unset: a line's stream says nothing of its severity, and the
//                            collector's container parser sets none either
//
// A protobuf string must be UTF-8, and Go receivers (the collector) refuse a whole
// request holding one that is not: each byte that is not part of valid UTF-8 becomes
// U+FFFD, as json-file stores it (Go's encoding/json, one byte at a time). The JSON
// encoding is in json-format.ts.

import { isUtf8 } from 'node:buffer';
import { replaceInvalidUtf8 } from '../../go/json-escape.js';
import type { SinkEntry } from '../sink.js';
import { encodeJsonRequest, type CompiledJson, compileJson } from './json-format.js';
import type { InstrumentationScope, Timestamp } from './model.js';
import type { OtlpProtocol } from './options.js';
import type { Attribute, AttributeValue } from './resource.js';

export type CompiledRequest =
  | { protocol: 'http/protobuf'; resourceField: Buffer; scopeField: Buffer }
  | { protocol: 'http/json'; json: CompiledJson };

const LEN = 2;
const FIXED64 = 1;
const REPLACEMENT = Buffer.from('\ufffd');

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n >>>= 7;
    size++;
  }
  return size;
}

function lenField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | LEN), varint(payload.length), payload]);
}

const stringField = (field: number, s: string): Buffer => lenField(field, Buffer.from(s, 'utf8'));

/** AnyValue: string_value = 1, array_value = 5 (ArrayValue: repeated AnyValue values = 1). */
function anyValue(v: AttributeValue): Buffer {
  return typeof v === 'string' ? stringField(1, v) : lenField(5, Buffer.concat(v.map((s) => lenField(1, stringField(1, s)))));
}

/** KeyValue: key = 1, value = 2. */
const keyValue = (a: Attribute): Buffer => Buffer.concat([stringField(1, a.key), lenField(2, anyValue(a.value))]);

export function compileRequest(resource: readonly Attribute[], scope: InstrumentationScope, protocol: OtlpProtocol): CompiledRequest {
  if (protocol === 'http/json') return { protocol, json: compileJson(resource, scope) };
  // ResourceLogs.resource = 1 (Resource.attributes = 1); ScopeLogs.scope = 1 (name = 1, version = 2).
  const resourceField = lenField(1, Buffer.concat(resource.map((a) => lenField(1, keyValue(a)))));
  const scopeField = lenField(1, Buffer.concat([stringField(1, scope.name), stringField(2, scope.version)]));
  return { protocol, resourceField, scopeField };
}

const streamFields = new Map<string, Buffer>();

/** LogRecord.attributes = 6 holding log.iostream; Docker's streams are only stdout and stderr, so the cache stays tiny. */
function streamField(source: string): Buffer {
  let field = streamFields.get(source);
  if (field === undefined) {
    field = lenField(6, keyValue({ key: 'log.iostream', value: source }));
    if (streamFields.size < 8) streamFields.set(source, field);
  }
  return field;
}

/** The line as valid UTF-8: itself when it is (nearly always), else with U+FFFD for each invalid byte. */
export function validUtf8(line: Buffer): Buffer {
  return isUtf8(line) ? line : replaceInvalidUtf8(line, REPLACEMENT);
}

const NS_PER_512 = 1_953_125; // 1e9 / 2^9
const TWO_23 = 2 ** 23;
const TWO_32 = 2 ** 32;

/**
 * Writes sec·10⁹ + nsec as a little-endian fixed64. Nanoseconds since 1970 pass 2⁵³, so
 * the product is taken as (sec·1953125)·2⁹, whose first factor is exact below 2⁵³ (until
 * 2116), and split into 32-bit halves without a BigInt per record.
 */
function writeFixed64Nanos(out: Buffer, p: number, sec: number, nsec: number): void {
  const v = sec * NS_PER_512;
  const vLo = v % TWO_23;
  let lo = vLo * 512 + nsec;
  let hi = (v - vLo) / TWO_23;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi++;
  }
  out.writeUInt32LE(lo, p);
  out.writeUInt32LE(hi, p + 4);
}

function encodeProtobuf(entries: readonly SinkEntry[], resourceField: Buffer, scopeField: Buffer, observed: Timestamp): Buffer {
  const bodies: Buffer[] = new Array<Buffer>(entries.length);
  const recordSizes = new Uint32Array(entries.length);
  let scopeLogsSize = scopeField.length;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const body = validUtf8(e.line);
    bodies[i] = body;
    const any = 1 + varintSize(body.length) + body.length;
    const record = 9 + 1 + varintSize(any) + any + streamField(e.source).length + 9;
    recordSizes[i] = record;
    scopeLogsSize += 1 + varintSize(record) + record;
  }
  const resourceLogsSize = resourceField.length + 1 + varintSize(scopeLogsSize) + scopeLogsSize;
  const out = Buffer.allocUnsafe(1 + varintSize(resourceLogsSize) + resourceLogsSize);
  let p = 0;
  const writeVarint = (n: number): void => {
    while (n > 0x7f) {
      out[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[p++] = n;
  };
  // ExportLogsServiceRequest.resource_logs = 1; ResourceLogs.scope_logs = 2; ScopeLogs.log_records = 2.
  out[p++] = (1 << 3) | LEN;
  writeVarint(resourceLogsSize);
  p += resourceField.copy(out, p);
  out[p++] = (2 << 3) | LEN;
  writeVarint(scopeLogsSize);
  p += scopeField.copy(out, p);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const body = bodies[i]!;
    out[p++] = (2 << 3) | LEN;
    writeVarint(recordSizes[i]!);
    out[p++] = (1 << 3) | FIXED64; // time_unix_nano = 1
    writeFixed64Nanos(out, p, e.sec, e.nsec);
    p += 8;
    out[p++] = (5 << 3) | LEN; // body = 5: AnyValue.string_value = 1
    writeVarint(1 + varintSize(body.length) + body.length);
    out[p++] = (1 << 3) | LEN;
    writeVarint(body.length);
    p += body.copy(out, p);
    p += streamField(e.source).copy(out, p);
    out[p++] = (11 << 3) | FIXED64; // observed_time_unix_nano = 11
    writeFixed64Nanos(out, p, observed.sec, observed.nsec);
    p += 8;
  }
  return out;
}

/** The request body for `entries` in the compiled protocol's encoding. */
export function encodeRequest(entries: readonly SinkEntry[], c: CompiledRequest, observed: Timestamp): Buffer {
  return c.protocol === 'http/json' ? encodeJsonRequest(entries, c.json, observed) : encodeProtobuf(entries, c.resourceField, c.scopeField, observed);
}
