import { promisify } from 'node:util';
import zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * Docker's rotated `.gz` files carry the time of their last entry in the gzip
 * FEXTRA field as raw JSON (docs/docker-compat.md §6.6) so readers can skip files older than
 * --since. Node's gzip cannot write FEXTRA, so the container is assembled here
 * around a raw deflate stream: header, extra, deflate data, CRC32, ISIZE.
 */
export async function gzipWithLastTime(data: Buffer, lastTime: string): Promise<Buffer> {
  const extra = Buffer.from(JSON.stringify({ lastTime }));
  const header = Buffer.alloc(12);
  header.set([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0x00, 0xff]);
  header.writeUInt16LE(extra.length, 10);
  const body = await deflateRaw(data);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([header, extra, body, trailer]);
}

/** Reads the `lastTime` a rotated file's header records, or undefined when absent or not ours. */
export function lastTimeOfGzip(head: Buffer): string | undefined {
  if (head.length < 12 || head[0] !== 0x1f || head[1] !== 0x8b || (head[3]! & 0x04) === 0) return undefined;
  const length = head.readUInt16LE(10);
  if (head.length < 12 + length) return undefined;
  try {
    const parsed = JSON.parse(head.toString('utf8', 12, 12 + length)) as { lastTime?: unknown };
    return typeof parsed.lastTime === 'string' ? parsed.lastTime : undefined;
  } catch {
    return undefined;
  }
}
