// `tslogs <container>… [flags]`: `docker logs` for one container, `docker compose logs`
// for several, through the daemon that stores them (follow works) or, when none answers,
// straight from the store (history only).
import type { Writable } from 'node:stream';
import { formatRfc3339Nano } from '../go/time.js';
import type { Instant } from '../store/reader.js';
import type { LogsOptions } from './args.js';
import { loadCatalog } from './daemons.js';
import { engineLookup } from './engine.js';
import { merge } from './merge.js';
import { makePrefixes, Output, wantColour } from './output.js';
import type { LogsQuery } from '../protocol/logs-query.js';
import { displayName, selectContainers } from './resolve.js';
import { daemonSource, type Item, joinPartials, storeSource } from './sources.js';

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

const MIN_SEC = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SEC = 253402300799; // 9999-12-31T23:59:59Z

/** A bound as the RFC 3339 text the daemon takes, clamped to the years json-file can hold. */
export function boundText(t: Instant | undefined, which: 'since' | 'until'): string | undefined {
  if (t === undefined) return undefined;
  if (t.sec < MIN_SEC) return which === 'since' ? undefined : '0001-01-01T00:00:00.000000001Z'; // until: nothing
  if (t.sec > MAX_SEC) return which === 'since' ? '9999-12-31T23:59:59.999999999Z' : undefined;
  return formatRfc3339Nano(t.sec, t.nsec);
}

export async function runLogs(o: LogsOptions, io: Io): Promise<void> {
  const catalog = await loadCatalog(io.env, false);
  const selected = await selectContainers({ containers: o.containers, labels: o.labels, all: o.all }, catalog.containers, (ref) => engineLookup(io.env, ref));
  const multi = selected.length > 1 || o.all || o.labels.length > 0;
  let follow = o.follow;
  if (follow && selected.some((c) => c.socket === undefined)) {
    io.stderr.write(`tslogs: no tslogs daemon answers (tried ${catalog.tried.join(', ')}): showing the stored log from ${catalog.root} without following\n`);
    follow = false;
  }
  // New entries are later than now: with --until in the past, following can add nothing.
  if (multi && follow && o.until !== undefined && o.until.sec * 1000 < Date.now()) follow = false;

  const base: Omit<LogsQuery, 'id'> = {
    since: boundText(o.since, 'since'),
    until: boundText(o.until, 'until'),
    tail: o.tail,
    follow,
    stream: o.stream,
    grep: o.grep,
    marker: multi && follow,
  };
  const names = selected.map(displayName);
  const sources = selected.map((c) => {
    const query: LogsQuery = { ...base, id: c.id };
    let items: AsyncIterable<Item> = c.socket !== undefined ? daemonSource(c.socket, query, io.signal) : storeSource(catalog.root, query);
    if (multi || o.json) items = joinPartials(items);
    return items;
  });
  const prefixed = multi && !o.noPrefix && !o.json;
  const colour = { stdout: wantColour(io.stdout, io.env, o.noColor), stderr: wantColour(io.stderr, io.env, o.noColor) };
  const output = new Output(
    {
      timestamps: o.timestamps,
      details: o.details,
      json: o.json,
      prefixes: prefixed ? makePrefixes(names, colour) : names.map(() => undefined),
      names,
      ids: selected.map((c) => c.id),
    },
    io.stdout,
    io.stderr,
  );
  for await (const run of merge(sources)) await output.write(run);
  await output.flush();
}
