// `tslogs stats`: per container and sink, what was sent, retried, dropped and is still
// to send, from the daemon's /metrics.
import type { Writable } from 'node:stream';
import { bareName } from '../util/docker-names.js';
import { candidateSockets, fetchMetrics } from './daemons.js';
import { droppedTotal, ingested, parsePrometheus, sinkStats, type SinkStats } from './prom.js';
import { count, humanDuration, humanSize, renderTable } from './table.js';

export async function runStats(containers: readonly string[], json: boolean, env: NodeJS.ProcessEnv, stdout: Writable): Promise<void> {
  const tried = candidateSockets(env);
  const texts = await Promise.all(tried.map((s) => fetchMetrics(s).catch(() => undefined)));
  const answered = texts.filter((t): t is string => t !== undefined && t.includes('tslogs_'));
  if (answered.length === 0) throw new Error(`no tslogs daemon answers (tried ${tried.join(', ')}); stats come from the running daemon`);
  let rows: SinkStats[] = [];
  let entries = 0;
  let containerCount = 0;
  for (const text of answered) {
    const samples = parsePrometheus(text);
    rows.push(...sinkStats(samples));
    for (const n of ingested(samples).values()) {
      entries += n;
      containerCount++;
    }
  }
  if (containers.length > 0) {
    rows = rows.filter((r) => containers.some((c) => r.containerName === bareName(c) || (c.length <= 64 && /^[0-9a-f]+$/.test(c) && (r.container.startsWith(c) || c.startsWith(r.container)))));
  }
  if (json) {
    stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) {
    stdout.write(`no sink deliveries${containers.length > 0 ? ' for these containers' : ''}: logs go to the store only (set sinks with --log-opt)\n`);
  } else {
    stdout.write(
      renderTable(
        ['CONTAINER', 'NAME', 'SINK', 'SENT', 'SENT BYTES', 'RETRIED', 'DROPPED', 'LAG', 'OLDEST UNSENT', 'CONNECTED'],
        rows.map((r) => [
          r.container,
          r.containerName || '-',
          r.sink,
          count(r.sentEntries),
          humanSize(r.sentBytes),
          count(r.retries),
          dropped(r),
          humanSize(r.lagBytes),
          r.oldestUnsentSeconds > 0 ? humanDuration(r.oldestUnsentSeconds) : '-',
          r.connected ? 'yes' : 'no',
        ]),
      ),
    );
  }
  stdout.write(`ingested since the daemon started: ${count(entries)} entries from ${count(containerCount)} containers\n`);
}

function dropped(r: SinkStats): string {
  const total = droppedTotal(r);
  if (total === 0) return '0';
  const reasons = Object.entries(r.dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${count(n)}`)
    .join(', ');
  return `${count(total)} (${reasons})`;
}
