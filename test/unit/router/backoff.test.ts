import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff, sleep } from '../../../src/router/backoff.js';

const delays = (b: Backoff, n: number): number[] => Array.from({ length: n }, () => b.next());

describe('Backoff', () => {
  it('grows exponentially up to max (random close to 1)', () => {
    const b = new Backoff(100, 1000, () => 0.999);
    expect(delays(b, 7)).toEqual([100, 199.8, 399.6, 799.2, 999, 999, 999]);
  });

  it('scales the exponential ceiling by the random factor (full jitter)', () => {
    const b = new Backoff(100, 1000, () => 0.5);
    // ceilings 100, 200, 400, 800, 1000, 1000 → halves, never below min
    expect(delays(b, 6)).toEqual([100, 100, 200, 400, 500, 500]);
  });

  it('never goes below min, even with random 0', () => {
    const b = new Backoff(250, 10_000, () => 0);
    expect(delays(b, 10)).toEqual(Array(10).fill(250));
  });

  it('stays at max after very many attempts', () => {
    const b = new Backoff(1, 30_000, () => 0.999999999);
    const all = delays(b, 2000);
    expect(all.every((d) => Number.isFinite(d) && d >= 1 && d <= 30_000)).toBe(true);
    expect(all[1999]).toBeCloseTo(30_000 * 0.999999999, 6);
  });

  it('returns min when min equals max', () => {
    const b = new Backoff(500, 500, () => 0.999);
    expect(delays(b, 3)).toEqual([500, 500, 500]);
  });

  it('reset() starts over from min', () => {
    const b = new Backoff(100, 1000, () => 0.999);
    expect(delays(b, 4)).toEqual([100, 199.8, 399.6, 799.2]);
    b.reset();
    expect(delays(b, 3)).toEqual([100, 199.8, 399.6]);
  });

  it('uses Math.random by default', () => {
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0.75);
    try {
      const b = new Backoff(100, 1000);
      expect(delays(b, 3)).toEqual([100, 150, 300]);
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('sleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function settled(p: Promise<void>): Promise<boolean> {
    let done = false;
    void p.then(() => (done = true));
    // Let pending microtasks run.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return done;
  }

  it('resolves after the delay and removes its abort listener', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const p = sleep(1000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(await settled(p)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(p)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves early on abort, clears its timer and removes its listener', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const p = sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    expect(await settled(p)).toBe(false);
    controller.abort();
    expect(await settled(p)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves at once for an already aborted signal, without timer or listener', async () => {
    vi.useFakeTimers();
    const signal = AbortSignal.abort();
    const p = sleep(60_000, signal);
    expect(await settled(p)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener behind across many sleeps on one long-lived signal', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(0, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('works without a signal', async () => {
    vi.useFakeTimers();
    const p = sleep(10);
    vi.advanceTimersByTime(10);
    expect(await settled(p)).toBe(true);
  });
});
