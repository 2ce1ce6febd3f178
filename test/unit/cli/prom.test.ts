import { describe, expect, it } from 'vitest';
import { droppedTotal, ingested, parsePrometheus, sinkStats } from '../../../src/cli/prom.js';
import { humanDuration, humanSize, renderTable, shortTime } from '../../../src/cli/table.js';

const TEXT = `# HELP tslogs_sink_sent_entries_total Entries a sink acknowledged
# TYPE tslogs_sink_sent_entries_total counter
tslogs_sink_sent_entries_total{container="abc",container_name="web",sink="splunk"} 12
tslogs_sink_retries_total{container="abc",container_name="web",sink="splunk"} 2
tslogs_sink_dropped_entries_total{container="abc",container_name="web",sink="splunk",reason="too-old"} 3
tslogs_sink_dropped_entries_total{container="abc",container_name="web",sink="splunk",reason="rejected"} 1
tslogs_sink_lag_bytes{container="abc",container_name="we\\"b",sink="gelf"} 2048
tslogs_sink_connected{container="abc",container_name="web",sink="splunk"} 1
tslogs_ingested_entries_total{container="abc",container_name="web"} 99
process_cpu_seconds_total 1.5
`;

describe('metrics', () => {
  it('parses samples with escaped label values', () => {
    const samples = parsePrometheus(TEXT);
    expect(samples.find((s) => s.name === 'process_cpu_seconds_total')).toEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 1.5 });
    expect(samples.find((s) => s.name === 'tslogs_sink_lag_bytes')!.labels.container_name).toBe('we"b');
    expect(ingested(samples)).toEqual(new Map([['abc', 99]]));
  });

  it('groups per container and sink', () => {
    const [gelf, splunk] = sinkStats(parsePrometheus(TEXT));
    expect(splunk).toMatchObject({ sink: 'splunk', sentEntries: 12, retries: 2, dropped: { 'too-old': 3, rejected: 1 }, connected: true });
    expect(droppedTotal(splunk!)).toBe(4);
    expect(gelf).toMatchObject({ sink: 'gelf', lagBytes: 2048, connected: false });
  });
});

describe('human figures', () => {
  it('sizes like docker (decimal, 4 digits), durations, times', () => {
    expect([humanSize(0), humanSize(999), humanSize(1234), humanSize(12_345_678), humanSize(1e12)]).toEqual(['0B', '999B', '1.234kB', '12.35MB', '1TB']);
    expect([humanDuration(5), humanDuration(125), humanDuration(7300), humanDuration(90000)]).toEqual(['5s', '2m5s', '2h1m', '1d1h']);
    expect([shortTime('2026-11-28T20:01:40.5Z'), shortTime(undefined)]).toEqual(['2026-11-28T20:01:40Z', '-']);
  });
  it('renders tables with three-space gutters', () => {
    expect(renderTable(['A', 'LONGER'], [['xxxx', 'y'], ['z', '']])).toBe('A      LONGER\nxxxx   y\nz\n');
  });
});
