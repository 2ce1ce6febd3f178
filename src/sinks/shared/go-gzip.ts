// The gzip member header Go's compress/gzip writes, for sinks whose gzip output
// should match Docker's where it can. Node's zlib writes the same first eight
// bytes (no flags, no name, mtime 0) but its own XFL and OS bytes.

/** Bytes of the header written here (no optional fields). */
export const GZIP_HEADER_BYTES = 10;

/**
 * Writes Go's header at the start of `out`: XFL 2 at level 9, 4 at level 1, else 0
 * (zlib also sets 4 at level 0), OS 255 "unknown" (zlib writes 3). The CRC covers
 * the data only, so overwriting a zlib header with this is safe.
 */
export function writeGoGzipHeader(out: Buffer, level: number): void {
  out[0] = 0x1f;
  out[1] = 0x8b;
  out[2] = 8; // deflate
  out.fill(0, 3, 8); // flags, mtime
  out[8] = level === 9 ? 2 : level === 1 ? 4 : 0;
  out[9] = 0xff;
}
