import { describe, expect, it } from 'vitest';
import type { EntryOutput } from '../../../../src/router/ready-queue.js';
import { RateLimiter, type RateLimit } from '../../../../src/router/transforms/rate-limiter.js';
import type { SinkEntry } from '../../../../src/sinks/sink.js';

// The limiter decides on capture times only, so every figure below follows from the
// entries' times: a token bucket of `burst` lines refilled at count/unit.

const T0 = 1_795_896_100;

interface Out {
  text: string;
  source: string;
  sec: number;
  nsec: number;
  offset: number;
}

class Recorder implements EntryOutput {
  readonly got: Out[] = [];
  ended = 0;
  push(e: SinkEntry, _file: string, offset: number): void {
    this.got.push({ text: e.line.toString(), source: e.source, sec: e.sec, nsec: e.nsec, offset });
  }
  end(): void {
    this.ended++;
  }
}

function limiter(limit: RateLimit): { rl: RateLimiter; out: Recorder; suppressed: () => number } {
  const out = new Recorder();
  let n = 0;
  // Admitted entries and markers into the same recorder: their order is what a sink sees.
  const rl = new RateLimiter(limit, out, out, () => n++);
  return { rl, out, suppressed: () => n };
}

/** Entry `k` of a steady stream, `everyMs` apart from T0, at store offset k. */
function steady(rl: RateLimiter, count: number, everyMs: number, source = 'stdout'): void {
  for (let k = 0; k < count; k++) {
    const ns = k * everyMs * 1e6;
    rl.push({ line: Buffer.from(`line ${k}`), source, sec: T0 + Math.floor(ns / 1e9), nsec: ns % 1e9 }, 'f', k);
  }
}

const markers = (out: Recorder) => out.got.filter((o) => o.text.startsWith('[tslogs:'));
const lines = (out: Recorder) => out.got.filter((o) => !o.text.startsWith('[tslogs:'));

describe('RateLimiter', () => {
  it('passes a burst of lines captured at once and suppresses the rest, with one marker at the end of the stream', () => {
    const { rl, out, suppressed } = limiter({ count: 1000, unit: 's', burst: 1000 });
    for (let k = 0; k < 5000; k++) rl.push({ line: Buffer.from(`l${k}`), source: 'stdout', sec: T0, nsec: 0 }, 'f', k);
    expect(lines(out)).toHaveLength(1000);
    expect(lines(out).at(-1)!.text).toBe('l999');
    expect(markers(out)).toEqual([]);
    rl.end();
    expect(markers(out)).toEqual([{ text: '[tslogs: 4000 lines suppressed in 1s]', source: 'stdout', sec: T0, nsec: 0, offset: 4999 }]);
    expect(suppressed()).toBe(4000);
    expect(out.ended).toBe(1);
  });

  it('rate limit: exact suppressed counts and one marker per 10 s window of a steady flood', () => {
    // 100 lines/s for 30 s against 10/s with a burst of 10: line k passes while the
    // lines passed so far are at most 9 + k/10, so 10 + floor(k/10) of lines 0..k pass.
    // The first suppressed line is k=11 (t=0.11 s); windows then close at 10.11 s and 20.11 s.
    const { rl, out, suppressed } = limiter({ count: 10, unit: 's', burst: 10 });
    steady(rl, 3000, 10);
    rl.end();
    expect(lines(out)).toHaveLength(309);
    expect(suppressed()).toBe(2691);
    expect(markers(out).map((m) => [m.text, m.offset])).toEqual([
      ['[tslogs: 900 lines suppressed in 10s]', 1010],
      ['[tslogs: 900 lines suppressed in 10s]', 2010],
      // 20.11 s to the last suppressed line at 29.99 s, rounded up.
      ['[tslogs: 891 lines suppressed in 10s]', 2999],
    ]);
    // A marker goes out in front of the entry that closed its window, at the last suppressed line's time.
    const first = out.got.findIndex((o) => o.text.startsWith('[tslogs:'));
    expect(out.got[first]).toMatchObject({ sec: T0 + 10, nsec: 90_000_000 });
    expect(out.got[first - 1]!.text).toBe('line 1010');
    expect(out.got[first + 1]!.text).toBe('line 1020');
  });

  it('lets through a backlog whose capture times are within the limit, however fast it is pushed', () => {
    const { rl, out, suppressed } = limiter({ count: 10, unit: 's', burst: 1 });
    steady(rl, 100, 100);
    rl.end();
    expect(lines(out)).toHaveLength(100);
    expect(suppressed()).toBe(0);
    expect(markers(out)).toEqual([]);
  });

  it('limits per minute and per hour, and says "1 line" for one', () => {
    const perHour = limiter({ count: 2, unit: 'h', burst: 1 });
    // One line every 20 minutes against one per 30 minutes: every other line passes.
    steady(perHour.rl, 9, 20 * 60_000);
    perHour.rl.end();
    expect(lines(perHour.out).map((o) => o.text)).toEqual(['line 0', 'line 2', 'line 4', 'line 6', 'line 8']);
    expect(markers(perHour.out).map((m) => [m.text, m.offset])).toEqual([
      ['[tslogs: 1 line suppressed in 10s]', 1],
      ['[tslogs: 1 line suppressed in 10s]', 3],
      ['[tslogs: 1 line suppressed in 10s]', 5],
      ['[tslogs: 1 line suppressed in 10s]', 7],
    ]);
    const perMinute = limiter({ count: 60, unit: 'm', burst: 5 });
    steady(perMinute.rl, 100, 100); // 10/s for 10 s against 1/s
    perMinute.rl.end();
    // The burst of 5, then one a second: lines 0-4, then 10, 20 … 90 (t = 1 s … 9 s).
    expect(lines(perMinute.out).map((o) => o.text)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => `line ${s * 10}`)]);
    expect(perMinute.suppressed()).toBe(86);
    expect(markers(perMinute.out).map((m) => m.text)).toEqual(['[tslogs: 86 lines suppressed in 10s]']);
  });

  it('counts each stream in its own marker, in the order their suppression began', () => {
    const { rl, out } = limiter({ count: 1, unit: 's', burst: 1 });
    rl.push({ line: Buffer.from('a'), source: 'stdout', sec: T0, nsec: 0 }, 'f', 1);
    rl.push({ line: Buffer.from('b'), source: 'stderr', sec: T0, nsec: 1 }, 'f', 2);
    rl.push({ line: Buffer.from('c'), source: 'stderr', sec: T0, nsec: 2 }, 'f', 3);
    rl.push({ line: Buffer.from('d'), source: 'stdout', sec: T0, nsec: 3 }, 'f', 4);
    rl.push({ line: Buffer.from('e'), source: 'stdout', sec: T0 + 20, nsec: 0 }, 'f', 5);
    expect(out.got.map((o) => [o.text, o.source, o.offset])).toEqual([
      ['a', 'stdout', 1],
      ['[tslogs: 2 lines suppressed in 10s]', 'stderr', 4],
      ['[tslogs: 1 line suppressed in 10s]', 'stdout', 4],
      ['e', 'stdout', 5],
    ]);
  });

  it('keeps or suppresses the chunks of a line together when partial-reassembly is off, as one line', () => {
    const { rl, out, suppressed } = limiter({ count: 1, unit: 's', burst: 1 });
    const chunk = (id: string, ordinal: number, last: boolean, offset: number) =>
      rl.push({ line: Buffer.from(`${id}${ordinal}`), source: 'stdout', sec: T0, nsec: 0, partial: { id, ordinal, last } }, 'f', offset);
    chunk('x', 1, false, 1);
    chunk('x', 2, false, 2);
    chunk('x', 3, true, 3);
    chunk('y', 1, false, 4);
    chunk('y', 2, true, 5);
    rl.end();
    expect(out.got.map((o) => o.text)).toEqual(['x1', 'x2', 'x3', '[tslogs: 1 line suppressed in 1s]']);
    expect(suppressed()).toBe(2);
  });

  it('closes a recent window by the clock once nothing came for a second after its end, with the marker the next entry would have brought', () => {
    let now = 0;
    const out = new Recorder();
    const rl = new RateLimiter({ count: 1, unit: 's', burst: 1 }, out, out, () => undefined, () => now);
    const push = (k: number, ms: number) => rl.push({ line: Buffer.from(`l${k}`), source: 'stdout', sec: T0 + Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 }, 'f', k);
    expect(rl.idleMs()).toBe(0);
    push(1, 0);
    push(2, 500); // suppressed: the window runs from T0+0.5 s to T0+10.5 s
    push(3, 700);
    now = T0 * 1000 + 800;
    expect(rl.idleMs()).toBe(10_700);
    now = T0 * 1000 + 11_400;
    rl.idle(); // not quiet for a second after the window yet
    expect(out.got.map((o) => o.text)).toEqual(['l1']);
    expect(rl.idleMs()).toBe(1_000);
    now = T0 * 1000 + 11_500;
    rl.idle();
    expect(out.got.map((o) => [o.text, o.offset])).toEqual([['l1', 1], ['[tslogs: 2 lines suppressed in 10s]', 3]]);
    expect(rl.idleMs()).toBe(0);
    // What follows is judged as before: the bucket holds a line again.
    push(4, 12_000);
    expect(out.got.at(-1)!.text).toBe('l4');
  });

  it('leaves a window that ended long ago (a backlog) to the entries: no clock decides a replay', () => {
    let now = 0;
    const out = new Recorder();
    const rl = new RateLimiter({ count: 1, unit: 's', burst: 1 }, out, out, () => undefined, () => now);
    rl.push({ line: Buffer.from('a'), source: 'stdout', sec: T0, nsec: 0 }, 'f', 1);
    rl.push({ line: Buffer.from('b'), source: 'stdout', sec: T0, nsec: 1 }, 'f', 2);
    now = (T0 + 3600) * 1000;
    expect(rl.idleMs()).toBe(0);
    rl.idle();
    expect(out.got.map((o) => o.text)).toEqual(['a']);
  });

  it('stays exact across days of capture time', () => {
    const { rl, out, suppressed } = limiter({ count: 1, unit: 'h', burst: 2 });
    for (const day of [0, 3, 200]) {
      for (let k = 0; k < 4; k++) rl.push({ line: Buffer.from(`${day}/${k}`), source: 'stdout', sec: T0 + day * 86_400, nsec: 999_999_999 }, 'f', day * 10 + k);
    }
    rl.end();
    expect(lines(out).map((o) => o.text)).toEqual(['0/0', '0/1', '3/0', '3/1', '200/0', '200/1']);
    expect(suppressed()).toBe(6);
  });
});
