// The bytes Docker's fluentd driver writes for each log message (docs/docker-compat.md §11.2-11.4):
// one Forward-protocol Message-mode array `[tag, time, record, option]` per line,
// encoded as tinylib/msgp does. Pure: randomness (chunk ids) comes from the caller.

import type { SinkEntry } from '../sink.js';
import { MsgpackWriter } from './msgpack.js';

/** What every record of one container carries, from its options and StartLogging. */
export interface RecordSettings {
  /** The rendered `tag`. */
  tag: string;
  /** Full container ID. */
  containerId: string;
  /** With its leading `/`, as Docker sends it. */
  containerName: string;
  /** labels/env attributes (Docker's ExtraAttributes). */
  extra: Readonly<Record<string, string>>;
  /** fluentd-sub-second-precision: EventTime instead of integer seconds. */
  subSecondPrecision: boolean;
}

type Slot = 'source' | 'log' | 'partial_id' | 'partial_ordinal' | 'partial_last';

/** One record shape: constant bytes between the slots filled per entry. */
interface RecordPlan {
  /** Entries in the map. */
  readonly size: number;
  /** Alternating constant byte runs and slots; a slot's key is in the preceding run. */
  readonly parts: readonly (Buffer | Slot)[];
}

/** The constant parts of a container's messages, computed once. */
export interface CompiledRecords {
  /** `94` + the tag as a msgpack str. */
  readonly head: Buffer;
  readonly subSecondPrecision: boolean;
  readonly plain: RecordPlan;
  readonly partial: RecordPlan;
}

type Value = { constant: string } | { slot: Slot };

/**
 * Docker builds a Go map: the four keys, then the extra attributes (which may
 * replace any of them, `log` included), then for a partial chunk the four
 * partial_* keys (which replace anything of that name). Go's map order is random;
 * this keeps insertion order, which is one of Docker's possible orders.
 */
function plan(settings: RecordSettings, partial: boolean): RecordPlan {
  const fields = new Map<string, Value>([
    ['container_id', { constant: settings.containerId }],
    ['container_name', { constant: settings.containerName }],
    ['source', { slot: 'source' }],
    ['log', { slot: 'log' }],
  ]);
  for (const key of Object.keys(settings.extra)) fields.set(key, { constant: settings.extra[key]! });
  if (partial) {
    fields.set('partial_message', { constant: 'true' });
    fields.set('partial_id', { slot: 'partial_id' });
    fields.set('partial_ordinal', { slot: 'partial_ordinal' });
    fields.set('partial_last', { slot: 'partial_last' });
  }
  const parts: (Buffer | Slot)[] = [];
  const run = new MsgpackWriter(256);
  for (const [key, value] of fields) {
    run.str(key);
    if ('constant' in value) {
      run.str(value.constant);
      continue;
    }
    parts.push(run.toBuffer(), value.slot);
    run.reset();
  }
  parts.push(run.toBuffer());
  return { size: fields.size, parts };
}

export function compileRecords(settings: RecordSettings): CompiledRecords {
  const head = new MsgpackWriter(64);
  head.byte(0x94);
  head.str(settings.tag);
  return {
    head: head.toBuffer(),
    subSecondPrecision: settings.subSecondPrecision,
    plain: plan(settings, false),
    partial: plan(settings, true),
  };
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const CHUNK_KEY = Buffer.from([0x81, 0xa5, ...Buffer.from('chunk')]);

/** Appends one message, `[tag, time, record, option]`, exactly as Docker encodes it. */
export function writeMessage(out: MsgpackWriter, entry: SinkEntry, records: CompiledRecords, chunk?: string): void {
  out.bytes(records.head);
  if (records.subSecondPrecision) out.eventTime(entry.sec, entry.nsec);
  else out.int(entry.sec);
  const partial = entry.partial;
  const shape = partial === undefined ? records.plain : records.partial;
  out.mapHeader(shape.size);
  for (const part of shape.parts) {
    if (typeof part !== 'string') {
      out.bytes(part);
      continue;
    }
    switch (part) {
      case 'source': out.str(entry.source); break;
      case 'log': out.strBytes(entry.line); break;
      case 'partial_id': out.str(partial!.id); break;
      case 'partial_ordinal': out.str(String(partial!.ordinal)); break;
      case 'partial_last': out.strBytes(partial!.last ? TRUE : FALSE); break;
    }
  }
  if (chunk === undefined) out.byte(0x80);
  else {
    out.bytes(CHUNK_KEY);
    out.str(chunk);
  }
}

/** One message as a Buffer (tests, single sends). */
export function encodeMessage(entry: SinkEntry, records: CompiledRecords, chunk?: string): Buffer {
  const out = new MsgpackWriter(256 + entry.line.length);
  writeMessage(out, entry, records, chunk);
  return out.toBuffer();
}

/**
 * fluent-logger-golang's getUniqueID: standard Base64 (padded, 24 characters) of
 * the event's Unix seconds as int64 little-endian followed by 8 random bytes.
 */
export function chunkId(sec: number, random: Uint8Array): string {
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(BigInt(sec), 0);
  b.set(random.subarray(0, 8), 8);
  return b.toString('base64');
}

/**
 * The messages of a batch, concatenated as they go on the wire. With `random`
 * (8 bytes per entry) every message gets a chunk id, whose acks are then awaited.
 */
export function encodeBatch(
  batch: readonly SinkEntry[],
  records: CompiledRecords,
  random?: Uint8Array,
): { payload: Buffer; chunks: string[] | undefined } {
  let bytes = 0;
  for (const e of batch) bytes += e.line.length + 256;
  const out = new MsgpackWriter(bytes);
  const chunks = random === undefined ? undefined : new Array<string>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const entry = batch[i]!;
    const chunk = chunks === undefined ? undefined : (chunks[i] = chunkId(entry.sec, random!.subarray(i * 8, i * 8 + 8)));
    writeMessage(out, entry, records, chunk);
  }
  return { payload: out.view(), chunks };
}
