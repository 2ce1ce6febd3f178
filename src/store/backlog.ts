import type { FilePosition } from './log-stream.js';
import { openSegments } from './segments.js';

/**
 * Bytes stored after `position` (a sink's lag). Compressed rotated files count at
 * their size on disk: decompressing them on every metrics scrape would cost more
 * than the figure is worth.
 */
export async function bytesAfter(currentPath: string, position: FilePosition): Promise<number> {
  const segments = openSegments(currentPath);
  try {
    let start = 0;
    let offset = 0;
    if (position.file !== '') {
      for (let i = 0; i < segments.length; i++) {
        if ((await segments[i]!.id()) === position.file) {
          start = i;
          offset = position.offset;
          break;
        }
      }
    }
    let total = 0;
    for (let i = start; i < segments.length; i++) {
      const size = segments[i]!.sizeOnDisk();
      total += i === start ? Math.max(0, size - offset) : size;
    }
    return total;
  } finally {
    for (const seg of segments) seg.close();
  }
}
