// Reference LogEntry codec built with protobufjs from Docker's entry.proto, so the
// hand-written codec is checked against an independent implementation.
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    PartialLogEntryMetadata: {
      fields: { last: { type: 'bool', id: 1 }, id: { type: 'string', id: 2 }, ordinal: { type: 'int32', id: 3 } },
    },
    LogEntry: {
      fields: {
        source: { type: 'string', id: 1 },
        time_nano: { type: 'int64', id: 2 },
        line: { type: 'bytes', id: 3 },
        partial: { type: 'bool', id: 4 },
        partial_log_metadata: { type: 'PartialLogEntryMetadata', id: 5 },
      },
    },
  },
});

export const LogEntryType = root.lookupType('LogEntry');

export interface RefEntry {
  source?: string;
  time_nano?: bigint;
  line?: Buffer;
  partial?: boolean;
  partial_log_metadata?: { last?: boolean; id?: string; ordinal?: number };
}

/** Encodes like gogo-protobuf: default values are left out. */
export function refEncode(e: RefEntry): Buffer {
  const msg: Record<string, unknown> = {};
  if (e.source) msg.source = e.source;
  if (e.time_nano !== undefined && e.time_nano !== 0n) msg.time_nano = (protobuf.util.Long as unknown as { fromString(s: string): unknown }).fromString(e.time_nano.toString());
  if (e.line && e.line.length > 0) msg.line = e.line;
  if (e.partial) msg.partial = true;
  if (e.partial_log_metadata) {
    const m: Record<string, unknown> = {};
    if (e.partial_log_metadata.last) m.last = true;
    if (e.partial_log_metadata.id) m.id = e.partial_log_metadata.id;
    if (e.partial_log_metadata.ordinal) m.ordinal = e.partial_log_metadata.ordinal;
    msg.partial_log_metadata = m;
  }
  return Buffer.from(LogEntryType.encode(LogEntryType.fromObject(msg)).finish());
}

export function refFrame(e: RefEntry): Buffer {
  const body = refEncode(e);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

export function refDecode(body: Buffer): RefEntry {
  const o = LogEntryType.toObject(LogEntryType.decode(body), { longs: String, bytes: Buffer, defaults: false }) as Record<string, any>;
  return {
    source: o.source,
    time_nano: o.time_nano !== undefined ? BigInt(o.time_nano) : undefined,
    line: o.line,
    partial: o.partial,
    partial_log_metadata: o.partial_log_metadata,
  };
}
