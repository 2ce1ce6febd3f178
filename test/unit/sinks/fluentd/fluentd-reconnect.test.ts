import { describe, expect, it } from 'vitest';
import { MAX_RETRY_WAIT_MS, ReconnectSeries } from '../../../../src/sinks/fluentd/transport.js';

describe("Docker's reconnection series (fluent-logger-golang v1.8.0 connectWithRetry)", () => {
  it('waits retry-wait × int(1.5^(n−2)) after the n-th failure: 0, 1, 1, 2, 3, 5, 7, 11 … × retry-wait', () => {
    const s = new ReconnectSeries(1000, Infinity);
    const waits = [s.delay()];
    for (let i = 0; i < 10; i++) {
      expect(s.fail()).toBe(false);
      waits.push(s.delay());
    }
    expect(waits).toEqual([0, 0, 1000, 1000, 2000, 3000, 5000, 7000, 11000, 17000, 25000]);
  });

  it('caps the wait at 60 s and never goes below 0 (a negative retry-wait dials at once)', () => {
    const s = new ReconnectSeries(1000, Infinity);
    for (let i = 0; i < 200; i++) s.fail();
    expect(s.delay()).toBe(MAX_RETRY_WAIT_MS);
    const negative = new ReconnectSeries(-500, Infinity);
    for (let i = 0; i < 5; i++) negative.fail();
    expect(negative.delay()).toBe(0);
  });

  it('max-retries failures end a series (Docker drops the message there); the next starts from no wait', () => {
    const s = new ReconnectSeries(100, 3);
    expect([s.fail(), s.fail()]).toEqual([false, false]);
    expect(s.delay()).toBe(100);
    expect(s.fail()).toBe(true);
    expect(s.delay()).toBe(0);
    expect(s.failed).toBe(0);
  });

  it('a successful connection ends the series', () => {
    const s = new ReconnectSeries(100, Infinity);
    for (let i = 0; i < 5; i++) s.fail();
    s.succeed();
    expect(s.delay()).toBe(0);
  });
});
