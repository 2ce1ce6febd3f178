// What a NATS message carries: one JSON object per log line, strings escaped as Go's
// encoding/json does (as Docker's drivers do, invalid UTF-8 becoming \ufffd):
//
//   {"log":"hello","stream":"stdout","time":"2026-11-28T20:01:23.567244869Z",
//    "container_id":"…","container_name":"/web","image_name":"bb:latest","host":"vm"
//    [,"tag":"…"][,"attrs":{…}][,"partial":{"id":"…","ordinal":1,"last":false}]}
//
// `log`, `stream`, `time` and `attrs` as in Docker's json-file lines (without the
// trailing newline), the container fields as in the fluentd driver's records. A
// message that would exceed the server's max_payload has its line cut to fit.

import { writeGoStringContent } from '../../go/json-bytes.js';
import { goJsonString, goJsonStringMap } from '../../go/json.js';
import { formatRfc3339Nano } from '../../go/time.js';
import { appendBytes, ByteSink } from '../../util/byte-sink.js';
import type { SinkEntry } from '../sink.js';

/** What every message of one container carries, from its options and StartLogging. */
export interface MessageSettings {
  containerId: string;
  /** With its leading `/`, as Docker sends it. */
  containerName: string;
  imageName: string;
  host: string;
  /** The rendered `tag` when the option was given; undefined leaves it out. */
  tag: string | undefined;
  /** labels/env attributes; none leaves `attrs` out. */
  attrs: Readonly<Record<string, string>>;
}

/** The constant parts of a container's messages, computed once. */
export interface CompiledMessages {
  /** Every field after `time`, up to (without) the closing brace. */
  readonly tail: Buffer;
}

export function compileMessages(s: MessageSettings): CompiledMessages {
  let tail = `,"container_id":${goJsonString(s.containerId)},"container_name":${goJsonString(s.containerName)}`;
  tail += `,"image_name":${goJsonString(s.imageName)},"host":${goJsonString(s.host)}`;
  if (s.tag !== undefined) tail += `,"tag":${goJsonString(s.tag)}`;
  if (Object.keys(s.attrs).length > 0) tail += `,"attrs":${goJsonStringMap({ ...s.attrs })}`;
  return { tail: Buffer.from(tail) };
}

const HEAD = Buffer.from('{"log":"');
const CLOSE = Buffer.from('}');
const streamParts = new Map<string, Buffer>();

/** `","stream":"stdout","time":"`; Docker's streams are only stdout and stderr, so the cache stays tiny. */
function streamPart(source: string): Buffer {
  let part = streamParts.get(source);
  if (part === undefined) {
    part = Buffer.from(`","stream":${goJsonString(source)},"time":"`);
    if (streamParts.size < 8) streamParts.set(source, part);
  }
  return part;
}

function partialPart(p: NonNullable<SinkEntry['partial']>): string {
  return `,"partial":{"id":${goJsonString(p.id)},"ordinal":${p.ordinal},"last":${p.last}}`;
}

/** The text a cut line ends with (the router's words for its own cuts). */
export function cutMarker(keptBytes: number): string {
  return ` [tslogs: line cut at ${keptBytes} bytes]`;
}

/** Appends one message for `entry`, its line taken as `line` (the entry's own unless cut). */
function writeMessage(entry: SinkEntry, line: Buffer, c: CompiledMessages, out: ByteSink): void {
  appendBytes(out, HEAD);
  writeGoStringContent(line, out);
  appendBytes(out, streamPart(entry.source));
  const time = formatRfc3339Nano(entry.sec, entry.nsec);
  out.reserve(time.length + 1);
  out.pos += out.buf.write(time, out.pos, 'latin1');
  out.buf[out.pos++] = 0x22;
  appendBytes(out, c.tail);
  if (entry.partial !== undefined) appendBytes(out, Buffer.from(partialPart(entry.partial)));
  appendBytes(out, CLOSE);
}

/** Bytes of the message for `entry` with its line cut to `n` bytes plus the marker. */
function cutSize(entry: SinkEntry, n: number, c: CompiledMessages): number {
  const out = new ByteSink(n * 2 + 1024);
  writeMessage(entry, cutLine(entry.line, n), c, out);
  return out.pos;
}

function cutLine(line: Buffer, n: number): Buffer {
  return Buffer.concat([line.subarray(0, n), Buffer.from(cutMarker(n))]);
}

/** `n` moved back to the start of the UTF-8 character it falls in, so a cut adds no broken byte. */
function charBoundary(line: Buffer, n: number): number {
  while (n > 0 && n < line.length && (line[n]! & 0xc0) === 0x80) n--;
  return n;
}

/**
 * The longest prefix, ending on a character boundary, whose message fits `maxPayload`.
 * Sizes are measured at boundaries only: a broken byte would grow to six (`\ufffd`).
 */
function fittingPrefix(entry: SinkEntry, c: CompiledMessages, maxPayload: number): number {
  let lo = 0;
  let hi = entry.line.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (cutSize(entry, charBoundary(entry.line, mid), c) <= maxPayload) lo = mid;
    else hi = mid - 1;
  }
  return charBoundary(entry.line, lo);
}

export interface EncodedBatch {
  /** One payload per entry, in order (views of one buffer). */
  payloads: Buffer[];
  /** Lines cut to fit max_payload, and the length each was cut to. */
  cuts: number[];
}

/** The messages of a batch; any message over `maxPayload` bytes has its line cut to fit. */
export function encodeBatch(entries: readonly SinkEntry[], c: CompiledMessages, maxPayload: number): EncodedBatch {
  let bytes = 0;
  for (const e of entries) bytes += e.line.length;
  const out = new ByteSink(Math.ceil(bytes * 1.25) + entries.length * (c.tail.length + 96) + 64);
  const ends: number[] = [];
  const cuts: number[] = [];
  for (const entry of entries) {
    const start = out.pos;
    writeMessage(entry, entry.line, c, out);
    if (out.pos - start > maxPayload) {
      out.pos = start;
      const kept = fittingPrefix(entry, c, maxPayload);
      writeMessage(entry, cutLine(entry.line, kept), c, out);
      cuts.push(kept);
    }
    ends.push(out.pos);
  }
  // Views are taken once the buffer stopped growing (growth moves it).
  const buf = out.buf;
  return { payloads: ends.map((end, i) => buf.subarray(i === 0 ? 0 : ends[i - 1]!, end)), cuts };
}
