import type { FilePosition } from './log-stream.js';
import { countLines, openSegments, type Segment } from './segments.js';

/** The segments from `position` on, and the offset to start from in the first. */
async function from(segments: Segment[], position: FilePosition): Promise<{ start: number; offset: number }> {
  if (position.file !== '') {
    for (let i = 0; i < segments.length; i++) {
      if ((await segments[i]!.id()) === position.file) return { start: i, offset: position.offset };
    }
  }
  return { start: 0, offset: 0 };
}

/**
 * Bytes stored after `position` (a sink's lag). Compressed rotated files count at
 * their size on disk: decompressing them on every metrics scrape would cost more
 * than the figure is worth.
 */
export async function bytesAfter(currentPath: string, position: FilePosition): Promise<number> {
  const segments = openSegments(currentPath);
  try {
    const { start, offset } = await from(segments, position);
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

/** Entries stored after `position`: what a sink that gives up now never sends. */
export async function entriesAfter(currentPath: string, position: FilePosition): Promise<number> {
  const segments = openSegments(currentPath);
  try {
    const { start, offset } = await from(segments, position);
    let total = 0;
    for (let i = start; i < segments.length; i++) total += await countLines(segments[i]!, i === start ? offset : 0);
    return total;
  } finally {
    for (const seg of segments) seg.close();
  }
}
