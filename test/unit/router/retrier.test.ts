import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../src/router/backoff.js';
import { DeliveryStats } from '../../../src/router/delivery-stats.js';
import { Retrier } from '../../../src/router/retrier.js';
import { SinkError } from '../../../src/sinks/sink.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

function retrier(probe?: () => Promise<boolean>, backoffMs = 30_000) {
  const stats = new DeliveryStats();
  const log = recordingLogger();
  const abort = new AbortController();
  const r = new Retrier({ backoff: new Backoff(backoffMs, backoffMs), probe, signal: abort.signal, stats, log, label: 'container abc sink s' });
  return { r, stats, log, abort };
}

/** An action that fails `n` times with `error`, then succeeds. */
function failing(n: number, error = new SinkError('down')) {
  let calls = 0;
  const action = async () => {
    calls++;
    if (calls <= n) throw error;
  };
  return { action, calls: () => calls };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Retrier', () => {
  it('retries with backoff until the action succeeds, counting retries; one warning, the repeats at debug', async () => {
    const { r, stats, log } = retrier(undefined, 100);
    const a = failing(3);
    const outcome = r.retry('send', a.action);
    await vi.runAllTimersAsync();
    expect(await outcome).toBe('ok');
    expect(a.calls()).toBe(4);
    expect(stats).toMatchObject({ retries: 3, failing: false, lastError: 'down' });
    expect(log.records.map((x) => x.level)).toEqual(['warn', 'debug', 'debug']);
    expect(log.records[0]!.msg).toBe('container abc sink s: send failed, retrying with backoff: down');
  });

  it('stops at a SinkError that says a retry cannot help, naming the entries dropped', async () => {
    const { r, log } = retrier();
    const outcome = await r.retryAfter(new SinkError('HTTP 400', false), 'send', async () => undefined, 12);
    expect(outcome).toBe('rejected');
    expect(log.messages()).toEqual(['container abc sink s: send rejected, 12 entries dropped: HTTP 400']);
  });

  it('ends a wait at once when stopped', async () => {
    const { r, abort } = retrier();
    const waiting = r.retry('send', failing(100).action);
    await vi.advanceTimersByTimeAsync(0);
    abort.abort();
    expect(await waiting).toBe('aborted');
  });

  it('a probe that finds the receiver back after it was down ends a long wait early', async () => {
    const answers = [false, true];
    const { r, log } = retrier(async () => answers.shift() ?? true);
    const a = failing(1);
    const outcome = r.retry('send', a.action);
    await vi.advanceTimersByTimeAsync(1500);
    expect(await outcome).toBe('ok');
    expect(log.messages()).toContain('container abc sink s: the receiver is reachable again, retrying now');
  });
});
