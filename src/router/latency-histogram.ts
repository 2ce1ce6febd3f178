/**
 * Seconds from an entry's capture (its LogEntry time) to the sink's acknowledgement,
 * in fixed buckets. Plain numbers updated on the delivery path and read at scrape time:
 * prom-client's Histogram would look its labels up for every entry.
 */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export class LatencyHistogram {
  /** counts[i]: observations at or below LATENCY_BUCKETS[i] and above the bucket before (not cumulative); the last: above all. */
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    // A clock step back can make an entry look captured in the future: count it as 0.
    const s = seconds > 0 ? seconds : 0;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && s > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += s;
    this.count++;
  }

  /** Prometheus' cumulative `le` buckets, +Inf last. */
  cumulative(): { le: string; count: number }[] {
    let total = 0;
    const out = LATENCY_BUCKETS.map((le, i) => ({ le: String(le), count: (total += this.counts[i]!) }));
    out.push({ le: '+Inf', count: this.count });
    return out;
  }
}
