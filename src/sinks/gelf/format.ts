// The bytes Docker's gelf driver puts on the wire (docs/docker-compat.md §10.2-10.4), as pure
// functions: one GELF 1.1 document per non-empty line, built like go-gelf's
// Message.MarshalJSONBuf (fixed fields, then the container's extra fields
// marshalled once), compressed as go-gelf's UDPWriter does, and cut into GELF
// chunks with go-gelf's sizes.

import zlib from 'node:zlib';
import type { ContainerInfo } from '../../container-info.js';
import { writeGoStringContent } from '../../go/json-bytes.js';
import { goJsonString, goJsonStringMap } from '../../go/json.js';
import { appendBytes, ByteSink } from '../../util/byte-sink.js';
import { bareName } from '../../util/docker-names.js';
import { GZIP_HEADER_BYTES, writeGoGzipHeader } from '../shared/go-gzip.js';
import type { SinkEntry } from '../sink.js';

export type GelfCompression = 'gzip' | 'zlib' | 'none';

/** What every message of one container carries. */
export interface MessageSettings {
  /** Daemon host name. */
  host: string;
  /** Docker's extra map: `_`-prefixed keys, string values (gelfExtra). */
  extra: Record<string, string>;
}

/**
 * Docker's extra fields: the seven built-in ones, then the labels/env attributes
 * (§5.3) with a `_` prefix unless they have one, overwriting built-ins on collision.
 * Docker indexes key[0] and so panics on an empty key (an `=value` environment entry
 * matched by env-regex); here it becomes `_`.
 */
export function gelfExtra(info: ContainerInfo, tag: string, attrs: Record<string, string>): Record<string, string> {
  const extra: Record<string, string> = Object.create(null);
  extra._container_id = info.ContainerID;
  extra._container_name = bareName(info.ContainerName);
  extra._image_id = info.ContainerImageID;
  extra._image_name = info.ContainerImageName;
  extra._command = [info.ContainerEntrypoint, ...(info.ContainerArgs ?? [])].join(' ');
  extra._tag = tag;
  // time.Time marshals as RFC 3339 with trimmed nanoseconds: exactly the text StartLogging carries.
  extra._created = info.ContainerCreated;
  for (const [key, value] of Object.entries(attrs)) extra[key.startsWith('_') ? key : '_' + key] = value;
  return extra;
}

/** The constant parts of a container's messages, computed once. */
export interface CompiledMessages {
  /** `{"version":"1.1","host":…,"short_message":"` */
  readonly head: Buffer;
  /** `","timestamp":` */
  readonly afterLine: Buffer;
  /** `,"level":6,<extra fields>}` for stdout, `,"level":3,…}` for stderr. */
  readonly tailStdout: Buffer;
  readonly tailStderr: Buffer;
}

export function compileMessages(s: MessageSettings): CompiledMessages {
  // json.Marshal(map[string]interface{}) with string values: keys sorted byte-wise, HTML-safe escaping.
  // MarshalJSONBuf writes `,` and the map without its braces (never empty: seven built-in keys).
  const extra = ',' + goJsonStringMap(s.extra).slice(1, -1) + '}';
  return {
    head: Buffer.from(`{"version":"1.1","host":${goJsonString(s.host)},"short_message":"`),
    afterLine: Buffer.from('","timestamp":'),
    tailStdout: Buffer.from(',"level":6' + extra),
    tailStderr: Buffer.from(',"level":3' + extra),
  };
}

/**
 * `float64(t.UnixNano()/int64(time.Millisecond)) / 1000.0` printed by encoding/json:
 * milliseconds truncated toward zero (Go's integer division), divided in float64, and
 * the shortest decimal that reads back as the same float64 (`1795896148.4`,
 * `1795896148`). For |x| in [1e-6, 1e21) Go prints it without an exponent, as
 * Number#toString does; a non-zero millisecond timestamp never leaves that range.
 */
export function gelfTimestamp(sec: number, nsec: number): string {
  let ms: number;
  if (sec >= 0) ms = sec * 1000 + Math.floor(nsec / 1_000_000);
  else ms = Number((BigInt(sec) * 1_000_000_000n + BigInt(nsec)) / 1_000_000n);
  return String(ms / 1000);
}

/**
 * Appends one message's JSON to `out`; false (nothing written) for an empty line,
 * which Docker's gelf driver does not send (§2.4).
 */
export function encodeMessage(entry: SinkEntry, c: CompiledMessages, out: ByteSink): boolean {
  if (entry.line.length === 0) return false;
  appendBytes(out, c.head);
  writeGoStringContent(entry.line, out);
  appendBytes(out, c.afterLine);
  out.reserve(32);
  out.pos += out.buf.write(gelfTimestamp(entry.sec, entry.nsec), out.pos, 'latin1');
  appendBytes(out, entry.source === 'stderr' ? c.tailStderr : c.tailStdout);
  return true;
}

// ---------------------------------------------------------------------------------------
// Compression (UDP only)

/** Go's compress/flate block limit for stored (level 0) blocks. */
const MAX_STORED_BLOCK = 65535;

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // 5552 is the most bytes that cannot overflow before the modulo (zlib's NMAX).
    const end = Math.min(i + 5552, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Level 0 exactly as Go's compress/flate writes it: stored blocks of at most 65535
 * bytes, none marked final, then an empty final stored block (zlib instead marks the
 * last data block final, so its bytes differ).
 */
function goStoredDeflate(data: Buffer, out: Buffer, at: number): number {
  let p = at;
  for (let i = 0; i < data.length; i += MAX_STORED_BLOCK) {
    const n = Math.min(MAX_STORED_BLOCK, data.length - i);
    out[p++] = 0;
    out.writeUInt16LE(n, p);
    out.writeUInt16LE(~n & 0xffff, p + 2);
    p += 4;
    p += data.copy(out, p, i, i + n);
  }
  out[p++] = 1;
  out.writeUInt32LE(0xffff0000, p);
  return p + 4;
}

function storedSize(n: number): number {
  return n + 5 * Math.ceil(n / MAX_STORED_BLOCK) + 5;
}

/**
 * The UDP payload for one message's JSON, as go-gelf's UDPWriter builds it:
 * gzip (Go's header: no name, mtime 0, XFL 4 at level 1 / 2 at level 9 / else 0,
 * OS 255), zlib (header 78 01 / 5e / 9c / da by level, as Go and zlib agree), or the
 * JSON itself. Level 0 is Go's byte for byte; at other levels the deflate data comes
 * from zlib, which compresses differently from Go's compress/flate (same content,
 * other bytes and lengths). Returns `json` itself for `none`.
 */
export function compressPayload(json: Buffer, type: GelfCompression, level: number): Buffer {
  if (type === 'none') return json;
  if (level === 0) {
    if (type === 'gzip') {
      const out = Buffer.allocUnsafe(GZIP_HEADER_BYTES + storedSize(json.length) + 8);
      writeGoGzipHeader(out, level);
      const p = goStoredDeflate(json, out, GZIP_HEADER_BYTES);
      out.writeUInt32LE(zlib.crc32(json), p);
      out.writeUInt32LE(json.length >>> 0, p + 4);
      return out;
    }
    const out = Buffer.allocUnsafe(2 + storedSize(json.length) + 4);
    out[0] = 0x78;
    out[1] = 0x01;
    const p = goStoredDeflate(json, out, 2);
    out.writeUInt32BE(adler32(json), p);
    return out;
  }
  if (type === 'zlib') return zlib.deflateSync(json, { level });
  const gz = zlib.gzipSync(json, { level });
  writeGoGzipHeader(gz, level);
  return gz;
}

// ---------------------------------------------------------------------------------------
// UDP chunking (go-gelf's writeChunked)

/** Largest payload sent as a single datagram; also the largest chunk datagram. */
export const GELF_CHUNK_SIZE = 1420;
export const GELF_CHUNK_HEADER = 12;
/** Data bytes per chunk. */
export const GELF_CHUNK_DATA = GELF_CHUNK_SIZE - GELF_CHUNK_HEADER;
export const GELF_MAX_CHUNKS = 128;
/** The largest payload that fits in 128 chunks: floor(len / 1408) + 1 <= 128. */
export const GELF_MAX_PAYLOAD = GELF_MAX_CHUNKS * GELF_CHUNK_DATA - 1;

/**
 * go-gelf's numChunks: 1 up to 1420 bytes, else floor(len / 1408) + 1, so a payload
 * that is an exact multiple of 1408 bytes gets a last chunk with no data.
 */
export function chunkCount(length: number): number {
  return length <= GELF_CHUNK_SIZE ? 1 : Math.floor(length / GELF_CHUNK_DATA) + 1;
}

/**
 * The datagrams of one payload: the payload itself when it fits in one, else chunks of
 * `1e 0f`, the 8-byte message id, the sequence number, the count and up to 1408 data
 * bytes. Returns undefined when more than 128 chunks would be needed (Docker drops the
 * message with `msg too large, would need N chunks`).
 */
export function toDatagrams(payload: Buffer, messageId: Buffer): Buffer[] | undefined {
  const count = chunkCount(payload.length);
  if (count === 1) return [payload];
  if (count > GELF_MAX_CHUNKS) return undefined;
  const all = Buffer.allocUnsafe(payload.length + count * GELF_CHUNK_HEADER);
  const out: Buffer[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const start = p;
    const from = i * GELF_CHUNK_DATA;
    const n = Math.min(GELF_CHUNK_DATA, payload.length - from);
    all[p++] = 0x1e;
    all[p++] = 0x0f;
    p += messageId.copy(all, p, 0, 8);
    all[p++] = i;
    all[p++] = count;
    p += payload.copy(all, p, from, from + n);
    out.push(all.subarray(start, p));
  }
  return out;
}

/**
 * Line bytes up to which a message is sure to fit in 128 chunks: the JSON of a line is
 * at most 6 bytes per line byte (`\u003c`, `\ufffd` per invalid byte) plus the fixed
 * parts, and compression adds at most a few bytes per 4 KiB (zlib's deflateBound) or per
 * 64 KiB stored block. Longer lines are sent in batches of their own, so that one that
 * turns out too large is rejected alone. At least 1.
 */
export function safeLineBytes(c: CompiledMessages, type: GelfCompression): number {
  const fixed = c.head.length + c.afterLine.length + Math.max(c.tailStdout.length, c.tailStderr.length) + 24;
  // deflateBound: n + n/4096 + n/16384 + 13 - 6 + wrapper (<= 18); Go's level 0: n + 5 per 64 KiB + 5.
  const room = type === 'none' ? GELF_MAX_PAYLOAD : Math.floor((GELF_MAX_PAYLOAD - 64) / (1 + 1 / 4096 + 1 / 16384));
  return Math.max(1, Math.floor((room - fixed) / 6));
}

/** A ByteSink for one batch of messages. */
export function messageSink(entries: readonly SinkEntry[]): ByteSink {
  let bytes = 0;
  for (const e of entries) bytes += e.line.length;
  return new ByteSink(Math.ceil(bytes * 1.1) + entries.length * 512 + 64);
}
