// The wait before a failed send or connection is tried again (the router's backoff,
// fluentd's reconnection series), cut short when the receiver is seen coming back. Without this a receiver that returns after a long
// outage waits for the remaining backoff (up to sink-retry-max, 30 s by default)
// before it gets a line; with it, about a probe interval.


/** How often the receiver is probed while a retry waits. */
export const PROBE_INTERVAL_MS = 500;

export type Probe = (timeoutMs: number) => Promise<boolean>;

/**
 * Waits `delayMs`, or until `probe`, asked at once and then every PROBE_INTERVAL_MS,
 * answers "reachable" after it answered "unreachable" at least once. A receiver that is
 * reachable at the first probe (it answers but fails the send: an HTTP 503, an ack
 * timeout) is not probed again: its retries are paced by the backoff alone, so a sink
 * that fails while reachable is never retried faster than the backoff allows, and a
 * dead one costs one probe a second. 'recovered' when cut short.
 */
export async function waitForRetry(delayMs: number, probe: Probe | undefined, signal: AbortSignal): Promise<'elapsed' | 'recovered' | 'aborted'> {
  const deadline = Date.now() + delayMs;
  if (probe !== undefined) {
    let sawDown = false;
    for (;;) {
      const started = Date.now();
      const reachable = await probe(Math.min(PROBE_INTERVAL_MS, Math.max(1, deadline - started)));
      if (signal.aborted) return 'aborted';
      if (reachable) {
        if (sawDown) return 'recovered';
        break;
      }
      sawDown = true;
      const next = started + PROBE_INTERVAL_MS;
      if (next >= deadline) break;
      await sleep(next - Date.now(), signal);
      if (signal.aborted) return 'aborted';
    }
  }
  await sleep(deadline - Date.now(), signal);
  return signal.aborted ? 'aborted' : 'elapsed';
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
