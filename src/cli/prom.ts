// Reads the daemon's Prometheus text (src/daemon/metrics.ts) into per-sink figures.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format 0.0.4: samples only, comments skipped. */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;
    for (let l = re.exec(body); l !== null; l = re.exec(body)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export interface SinkStats {
  /** Short (12-character) container ID, as the metrics label it. */
  container: string;
  containerName: string;
  sink: string;
  sentEntries: number;
  sentBytes: number;
  retries: number;
  dropped: Record<string, number>;
  lagBytes: number;
  oldestUnsentSeconds: number;
  connected: boolean;
}

const FIELDS: Record<string, (s: SinkStats, v: number, labels: Record<string, string>) => void> = {
  tslogs_sink_sent_entries_total: (s, v) => (s.sentEntries = v),
  tslogs_sink_sent_bytes_total: (s, v) => (s.sentBytes = v),
  tslogs_sink_retries_total: (s, v) => (s.retries = v),
  tslogs_sink_dropped_entries_total: (s, v, l) => (s.dropped[l.reason ?? 'unknown'] = (s.dropped[l.reason ?? 'unknown'] ?? 0) + v),
  tslogs_sink_lag_bytes: (s, v) => (s.lagBytes = v),
  tslogs_sink_oldest_unsent_age_seconds: (s, v) => (s.oldestUnsentSeconds = v),
  tslogs_sink_connected: (s, v) => (s.connected = v === 1),
};

/** One row per (container, sink) found in the metrics. */
export function sinkStats(samples: readonly Sample[]): SinkStats[] {
  const rows = new Map<string, SinkStats>();
  for (const { name, labels, value } of samples) {
    const set = FIELDS[name];
    if (set === undefined || labels.sink === undefined) continue;
    const key = `${labels.container}\0${labels.sink}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        container: labels.container ?? '',
        containerName: labels.container_name ?? '',
        sink: labels.sink,
        sentEntries: 0,
        sentBytes: 0,
        retries: 0,
        dropped: {},
        lagBytes: 0,
        oldestUnsentSeconds: 0,
        connected: false,
      };
      rows.set(key, row);
    }
    set(row, value, labels);
  }
  return [...rows.values()].sort((a, b) => a.containerName.localeCompare(b.containerName) || a.container.localeCompare(b.container) || a.sink.localeCompare(b.sink));
}

export function droppedTotal(s: SinkStats): number {
  return Object.values(s.dropped).reduce((a, b) => a + b, 0);
}

/** Entries ingested per container (short ID → entries). */
export function ingested(samples: readonly Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) if (s.name === 'tslogs_ingested_entries_total') out.set(s.labels.container ?? '', s.value);
  return out;
}
