import { describe, expect, it } from 'vitest';
import { CompactBatch } from '../../../src/router/compact-batch.js';
import type { SinkEntry } from '../../../src/sinks/sink.js';

describe('CompactBatch', () => {
  it('gives back the same entries, partial metadata included, without the buffers they were views of', () => {
    // Buffer.alloc never uses the shared pool: a store read of its own.
    const text = 'first line|second|third, a chunk of a long line';
    const read = Buffer.alloc(text.length, text);
    const entries: SinkEntry[] = [
      { line: read.subarray(0, 10), source: 'stdout', sec: 1795896100, nsec: 123456789 },
      { line: read.subarray(11, 17), source: 'stderr', sec: 1795896101, nsec: 0 },
      { line: read.subarray(18), source: 'stdout', sec: 1795896102, nsec: 999999999, partial: { ordinal: 2, last: false, id: 'ab'.repeat(32) } },
      { line: Buffer.alloc(0), source: 'stdout', sec: 1795896103, nsec: 1 },
    ];
    const compact = new CompactBatch(entries);
    expect(compact.length).toBe(4);
    expect(compact.lineBytes).toBe(10 + 6 + read.length - 18);
    expect(compact.firstSec).toBe(1795896100);
    const again = compact.entries();
    expect(again).toEqual(entries);
    expect(again[0]!.line.buffer).not.toBe(read.buffer);
    expect('partial' in again[0]!).toBe(false);
    expect(compact.entries()).toEqual(entries);
  });
});
