// One container's entries for the CLI, from its daemon (POST /tslogs/logs, framed
// LogEntry) or straight from the store when no daemon answers (history only).
// Items are batches of entries; LIVE separates the history from new entries.
import { FrameDecoder } from '../codec/frame-decoder.js';
import { currentLogPath } from '../store/layout.js';
import { fromLog, type StoredEntry } from '../store/stored-entry.js';
import { errorText, readBody, request } from './http-unix.js';
import { filterBatches, HISTORY_END, instantOf, type LogsQuery, queryFilter, STREAM_ERROR } from '../protocol/logs-query.js';

export const LIVE = Symbol('live');
export type Item = StoredEntry[] | typeof LIVE;

export async function* daemonSource(socket: string, query: LogsQuery, signal?: AbortSignal): AsyncGenerator<Item> {
  const res = await request(socket, 'POST', '/tslogs/logs', { body: query, signal });
  if (res.statusCode !== 200) throw new Error(errorText(await readBody(res), res.statusCode ?? 0));
  let items: Item[] = [];
  let batch: StoredEntry[] = [];
  let failure: string | undefined;
  const decoder = new FrameDecoder((e) => {
    if (e.source === STREAM_ERROR) {
      failure = e.line.toString('utf8');
      return;
    }
    if (e.source === HISTORY_END) {
      if (batch.length > 0) items.push(batch);
      items.push(LIVE);
      batch = [];
      return;
    }
    // `line` is a view into the response chunk, which nothing reuses.
    batch.push(fromLog(e.line, e.source, e.sec, e.nsec));
  });
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      decoder.push(chunk);
      if (batch.length > 0) items.push(batch);
      batch = [];
      for (const item of items) yield item;
      items = [];
      if (failure !== undefined) throw new Error(failure);
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  }
  decoder.end();
}

/** The store read in this process: no follow (only the daemon's writer can wake a follower). */
export async function* storeSource(root: string, query: LogsQuery): AsyncGenerator<Item> {
  const filter = queryFilter(query);
  const { readEntries } = await import('../store/reader.js'); // only without a daemon
  const batches = readEntries(currentLogPath(root, query.id), {
    since: instantOf(query.since),
    until: instantOf(query.until),
    tail: filter === undefined ? query.tail : -1,
    follow: false,
  });
  yield* filter === undefined ? batches : filterBatches(batches, filter, query.tail);
  if (query.marker) yield LIVE;
}

/**
 * Joins the chunks of lines longer than dockerd's 16 KiB buffer (stored without their
 * newline) into one entry with the first chunk's time, so a prefixed or JSON line is a
 * whole line. A last chunk that never gets its newline is passed on at the end.
 */
export async function* joinPartials(items: AsyncIterable<Item>): AsyncGenerator<Item> {
  const pending = new Map<string, { first: StoredEntry; parts: Buffer[] }>();
  const flushAll = (): StoredEntry[] => {
    const out = [...pending.values()].map(({ first, parts }) => ({ ...first, line: Buffer.concat(parts), newline: false }));
    pending.clear();
    return out.sort((a, b) => a.sec - b.sec || a.nsec - b.nsec);
  };
  for await (const item of items) {
    if (item === LIVE) {
      const rest = flushAll();
      if (rest.length > 0) yield rest;
      yield item;
      continue;
    }
    const out: StoredEntry[] = [];
    for (const e of item) {
      const open = pending.get(e.source);
      if (open === undefined && e.newline) {
        out.push(e);
        continue;
      }
      const p = open ?? { first: e, parts: [] };
      p.parts.push(e.line);
      if (e.newline) {
        pending.delete(e.source);
        out.push({ ...p.first, line: Buffer.concat(p.parts), newline: true });
      } else pending.set(e.source, p);
    }
    if (out.length > 0) yield out;
  }
  const rest = flushAll();
  if (rest.length > 0) yield rest;
}
