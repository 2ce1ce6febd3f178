import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../../src/router/ready-queue.js';
import type { SinkEntry } from '../../../src/sinks/sink.js';

const entry = (text: string): SinkEntry => ({ line: Buffer.from(text), source: 'stdout', sec: 1, nsec: 0 });

describe('ReadyQueue', () => {
  it('takes the oldest entries up to the count, with the checkpoint of the last one taken', () => {
    const q = new ReadyQueue();
    for (let i = 0; i < 5; i++) q.push(entry(`e${i}`), i < 3 ? 'f1' : 'f2', 10 * (i + 1));
    const first = q.take(3, Infinity)!;
    expect(first.entries.map((e) => e.line.toString())).toEqual(['e0', 'e1', 'e2']);
    expect(first.checkpoint).toEqual({ file: 'f1', offset: 30 });
    expect(q.length).toBe(2);
    const rest = q.take(10, Infinity)!;
    expect(rest.entries.map((e) => e.line.toString())).toEqual(['e3', 'e4']);
    expect(rest.checkpoint).toEqual({ file: 'f2', offset: 50 });
    expect(q.take(10, Infinity)).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it('stops at the byte limit, but always takes at least one entry', () => {
    const q = new ReadyQueue();
    q.push(entry('x'.repeat(100)), 'f', 1);
    q.push(entry('y'.repeat(10)), 'f', 2);
    q.push(entry('z'.repeat(10)), 'f', 3);
    expect(q.take(10, 50)!.entries).toHaveLength(1);
    expect(q.take(10, 20)!.entries).toHaveLength(2);
  });

  it('keeps order and checkpoints across many pushes and takes (compaction)', () => {
    const q = new ReadyQueue();
    let pushed = 0;
    const taken: number[] = [];
    let lastCheckpoint = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 97; i++) q.push(entry(String(pushed)), 'f', ++pushed);
      const b = q.take(61, Infinity)!;
      for (const e of b.entries) taken.push(Number(e.line.toString()));
      expect(b.checkpoint.offset).toBe(taken.at(-1)! + 1);
      lastCheckpoint = b.checkpoint.offset;
    }
    for (let b = q.take(1000, Infinity); b !== undefined; b = q.take(1000, Infinity)) for (const e of b.entries) taken.push(Number(e.line.toString()));
    expect(taken).toEqual(Array.from({ length: pushed }, (_, i) => i));
    expect(lastCheckpoint).toBeGreaterThan(0);
  });
});

describe('ReadyQueue.compact', () => {
  it('keeps order, entries and checkpoints through compact(), take() and push()', () => {
    const q = new ReadyQueue();
    for (let i = 0; i < 10; i++) q.push(entry(`e${i}`), 'f', i + 1);
    expect(q.take(3, Infinity)!.entries.map((e) => e.line.toString())).toEqual(['e0', 'e1', 'e2']);
    q.compact();
    expect(q.length).toBe(7);
    const b = q.take(2, Infinity)!;
    expect(b.entries.map((e) => e.line.toString())).toEqual(['e3', 'e4']);
    expect(b.checkpoint).toEqual({ file: 'f', offset: 5 });
    q.push(entry('e10'), 'g', 1);
    const rest = q.take(100, Infinity)!;
    expect(rest.entries.map((e) => e.line.toString())).toEqual(['e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
    expect(rest.checkpoint).toEqual({ file: 'g', offset: 1 });
    expect(q.length).toBe(0);
  });
});
