import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROBE_INTERVAL_MS, waitForRetry } from '../../../src/util/recovery-wait.js';

/** A probe answering from `answers` (the last one repeats), counting its calls. */
function scripted(...answers: boolean[]) {
  const calls: number[] = [];
  const probe = async (timeoutMs: number) => {
    calls.push(timeoutMs);
    return answers[Math.min(calls.length, answers.length) - 1]!;
  };
  return { probe, calls };
}

describe('waitForRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a 30 s backoff at the first probe that finds the receiver back after it was down', async () => {
    const { probe, calls } = scripted(false, false, false, true);
    let outcome: string | undefined;
    void waitForRetry(30_000, probe, new AbortController().signal).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(3 * PROBE_INTERVAL_MS - 1);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe('recovered');
    expect(calls).toEqual([PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS]);
  });

  it('a receiver reachable at the first probe (it answers, but failed the send) is not probed again: the backoff alone paces the retry', async () => {
    const { probe, calls } = scripted(true);
    let outcome: string | undefined;
    void waitForRetry(10_000, probe, new AbortController().signal).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe('elapsed');
    expect(calls).toHaveLength(1);
  });

  it('a receiver that stays down is probed once per interval until the backoff ends, never faster', async () => {
    const { probe, calls } = scripted(false);
    let outcome: string | undefined;
    void waitForRetry(5.3 * PROBE_INTERVAL_MS, probe, new AbortController().signal).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(5.3 * PROBE_INTERVAL_MS);
    expect(outcome).toBe('elapsed');
    // one per interval from the start; the last one asked to answer within what is left of the backoff
    expect(calls).toEqual([...Array(5).fill(PROBE_INTERVAL_MS), 0.3 * PROBE_INTERVAL_MS]);
  });

  it('without a probe, waits the backoff', async () => {
    let outcome: string | undefined;
    void waitForRetry(2_000, undefined, new AbortController().signal).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe('elapsed');
  });

  it('stops at once when aborted', async () => {
    const { probe } = scripted(false);
    const abort = new AbortController();
    let outcome: string | undefined;
    void waitForRetry(30_000, probe, abort.signal).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(1_500);
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toBe('aborted');
  });
});
