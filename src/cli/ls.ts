// `tslogs ls`: the containers tslogs stores, with Docker's view of their state, their
// size on disk, first and last entry, and how far each sink is behind (from /metrics).
import type { Writable } from 'node:stream';
import { shortId } from '../util/docker-names.js';
import { fetchMetrics, type Known, loadCatalog } from './daemons.js';
import { engineContainers } from './engine.js';
import { parsePrometheus, sinkStats, type SinkStats } from './prom.js';
import { displayName } from './resolve.js';
import { humanSize, renderTable, shortTime } from './table.js';

export interface LsRow {
  id: string;
  name: string;
  image: string;
  /** Docker's state; `removed` when the engine no longer has it, `unknown` when it does not answer. */
  state: string;
  size: number;
  first: string | undefined;
  last: string | undefined;
  sinks: { sink: string; lagBytes: number }[];
  /** The daemon socket it is read through; undefined = read from the store directly. */
  daemon: string | undefined;
}

export async function lsRows(env: NodeJS.ProcessEnv): Promise<LsRow[]> {
  const [catalog, engine] = await Promise.all([loadCatalog(env, true), engineContainers(env)]);
  const sinks = new Map<string, SinkStats[]>();
  for (const socket of catalog.sockets) {
    let text: string;
    try {
      text = await fetchMetrics(socket);
    } catch {
      continue; // lag is a bonus: list without it
    }
    for (const s of sinkStats(parsePrometheus(text))) sinks.set(s.container, [...(sinks.get(s.container) ?? []), s]);
  }
  const rows = catalog.containers.map((c: Known): LsRow => {
    const e = engine?.get(c.id);
    return {
      id: c.id,
      name: e?.name || displayName(c),
      image: c.image,
      state: engine === undefined ? 'unknown' : (e?.state ?? 'removed'),
      size: c.size ?? 0,
      first: c.first,
      last: c.last,
      sinks: (sinks.get(shortId(c.id)) ?? []).map((s) => ({ sink: s.sink, lagBytes: s.lagBytes })),
      daemon: c.socket,
    };
  });
  // Newest activity first, like `docker ps` lists the newest container first.
  return rows.sort((a, b) => (b.last ?? '').localeCompare(a.last ?? '') || a.name.localeCompare(b.name));
}

export async function runLs(json: boolean, env: NodeJS.ProcessEnv, stdout: Writable): Promise<void> {
  const rows = await lsRows(env);
  if (json) {
    stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const table = renderTable(
    ['CONTAINER ID', 'NAME', 'IMAGE', 'STATE', 'SIZE', 'FIRST ENTRY', 'LAST ENTRY', 'SINK LAG'],
    rows.map((r) => [
      shortId(r.id),
      r.name,
      r.image || '-',
      r.state,
      humanSize(r.size),
      shortTime(r.first),
      shortTime(r.last),
      r.sinks.length === 0 ? '-' : r.sinks.map((s) => `${s.sink} ${humanSize(s.lagBytes)}`).join(', '),
    ]),
  );
  stdout.write(table);
}
