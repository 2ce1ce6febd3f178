// The same request in the OTLP JSON encoding (opentelemetry-proto docs/specification.md,
// "JSON Protobuf Encoding"): the proto3 JSON mapping with lowerCamelCase keys, 64-bit
// integers as decimal strings, enums as numbers (none is set here) and trace ids in hex
// (none here either: a container's line belongs to no span). Strings are escaped as Go's
// encoding/json does, each invalid UTF-8 byte as \ufffd, so a body reads the same in
// both encodings.

import { writeGoStringContent } from '../../go/json-bytes.js';
import { appendBytes, ByteSink } from '../../util/byte-sink.js';
import type { SinkEntry } from '../sink.js';
import type { InstrumentationScope, Timestamp } from './model.js';
import type { Attribute, AttributeValue } from './resource.js';

/** What comes before the first log record and after the last, fixed per container. */
export interface CompiledJson {
  readonly head: Buffer;
  readonly tail: Buffer;
}

function anyValueJson(v: AttributeValue): unknown {
  return typeof v === 'string' ? { stringValue: v } : { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
}

export function compileJson(resource: readonly Attribute[], scope: InstrumentationScope): CompiledJson {
  const attributes = JSON.stringify(resource.map((a) => ({ key: a.key, value: anyValueJson(a.value) })));
  const head = `{"resourceLogs":[{"resource":{"attributes":${attributes}},"scopeLogs":[{"scope":${JSON.stringify(scope)},"logRecords":[`;
  return { head: Buffer.from(head), tail: Buffer.from(']}]}]}') };
}

/** sec·10⁹ + nsec in decimal, exactly (past 2⁵³, so not through a Number). */
export function nanosText(sec: number, nsec: number): string {
  return sec === 0 ? String(nsec) : `${sec}${String(nsec).padStart(9, '0')}`;
}

const streamParts = new Map<string, Buffer>();

/** `"},"attributes":[…log.iostream…],"observedTimeUnixNano":"`, cached per stream. */
function streamPart(source: string): Buffer {
  let part = streamParts.get(source);
  if (part === undefined) {
    part = Buffer.from(`"},"attributes":[{"key":"log.iostream","value":${JSON.stringify({ stringValue: source })}}],"observedTimeUnixNano":"`);
    if (streamParts.size < 8) streamParts.set(source, part);
  }
  return part;
}

const RECORD_HEAD = Buffer.from('{"timeUnixNano":"');
const BODY_HEAD = Buffer.from('","body":{"stringValue":"');
const RECORD_TAIL = Buffer.from('"}');

function appendLatin1(out: ByteSink, text: string): void {
  out.reserve(text.length);
  out.pos += out.buf.write(text, out.pos, 'latin1');
}

export function encodeJsonRequest(entries: readonly SinkEntry[], c: CompiledJson, observed: Timestamp): Buffer {
  let bytes = 0;
  for (const e of entries) bytes += e.line.length;
  const out = new ByteSink(Math.ceil(bytes * 1.25) + entries.length * 200 + c.head.length + c.tail.length);
  const observedText = nanosText(observed.sec, observed.nsec);
  appendBytes(out, c.head);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (i > 0) appendLatin1(out, ',');
    appendBytes(out, RECORD_HEAD);
    appendLatin1(out, nanosText(e.sec, e.nsec));
    appendBytes(out, BODY_HEAD);
    writeGoStringContent(e.line, out);
    appendBytes(out, streamPart(e.source));
    appendLatin1(out, observedText);
    appendBytes(out, RECORD_TAIL);
  }
  appendBytes(out, c.tail);
  return out.buf.subarray(0, out.pos);
}
