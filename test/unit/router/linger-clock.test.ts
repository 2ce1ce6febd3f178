import { describe, expect, it } from 'vitest';
import { LingerClock } from '../../../src/router/linger-clock.js';

function clock(lingerMs: number) {
  let t = 1000;
  const c = new LingerClock(lingerMs, () => t);
  return { c, advance: (ms: number) => (t += ms) };
}

describe('LingerClock', () => {
  it('counts the wait from the oldest entry waiting, not from the latest arrival', () => {
    const { c, advance } = clock(200);
    c.arrived(true);
    advance(50);
    c.arrived(false);
    expect(c.remainingMs()).toBe(150);
    advance(100);
    c.arrived(false);
    expect(c.remainingMs()).toBe(50);
    advance(80);
    expect(c.remainingMs(), 'overdue: at once, never 0 (0 means no wait at all)').toBe(1);
  });

  it('starts again with the remainder a sent batch left, and from nothing once all went out', () => {
    const { c, advance } = clock(200);
    c.arrived(true);
    advance(150);
    c.sent(true);
    expect(c.remainingMs()).toBe(200);
    advance(120);
    c.sent(false);
    advance(30);
    c.arrived(false);
    expect(c.remainingMs()).toBe(200);
  });

  it('is 0 for a sink that does not linger, and tells how long the stream has been quiet', () => {
    const { c, advance } = clock(0);
    c.arrived(true);
    expect(c.remainingMs()).toBe(0);
    advance(700);
    expect(c.quietMs()).toBe(700);
  });
});
