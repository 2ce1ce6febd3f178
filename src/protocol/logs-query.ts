// What the CLI asks for when it reads one container: Docker's ReadConfig plus the tslogs
// extras (stream and grep filters). The daemon (src/protocol/cli-api.ts) and the direct
// store reader (store-source.ts) apply it with the same code, so both print the same.
import { compileGoRegexp } from '../go/regexp.js';
import { parseRfc3339 } from '../go/time.js';
import type { Instant } from '../store/reader.js';
import type { StoredEntry } from '../store/stored-entry.js';

export type StreamName = 'stdout' | 'stderr';

export interface LogsQuery {
  /** Full container ID. */
  id: string;
  /** RFC 3339 bounds (Docker's Since and Until); absent = no bound. */
  since?: string | undefined;
  until?: string | undefined;
  /** Entries from the end, -1 = all. With a filter: matching entries from the end. */
  tail: number;
  follow: boolean;
  stream?: StreamName | undefined;
  /** RE2 syntax, unanchored, matched against the line without its newline. */
  grep?: string | undefined;
  /** Follow only: send a HISTORY_END frame between the history and the new entries. */
  marker?: boolean | undefined;
}

/** Source of the frame that separates history from live entries (never a real stream name). */
export const HISTORY_END = 'tslogs:history-end';
/** Source of a frame whose line is an error that ended the stream after the answer had started. */
export const STREAM_ERROR = 'tslogs:error';

export class QueryError extends Error {}

/** Checks a request body (the daemon side). */
export function parseQuery(body: unknown): LogsQuery {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new QueryError('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const optString = (k: string): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new QueryError(`${k} must be a string`);
    return v;
  };
  const id = optString('id');
  if (id === undefined || !/^[0-9a-f]{64}$/.test(id)) throw new QueryError('id must be a full container ID');
  const tail = b.tail ?? -1;
  if (typeof tail !== 'number' || !Number.isInteger(tail)) throw new QueryError('tail must be an integer');
  const stream = optString('stream');
  if (stream !== undefined && stream !== 'stdout' && stream !== 'stderr') throw new QueryError('stream must be stdout or stderr');
  const query: LogsQuery = {
    id,
    since: optString('since'),
    until: optString('until'),
    tail: tail < 0 ? -1 : tail,
    follow: b.follow === true,
    stream,
    grep: optString('grep'),
    marker: b.marker === true,
  };
  for (const k of ['since', 'until'] as const) {
    const v = query[k];
    if (v === undefined) continue;
    try {
      parseRfc3339(v);
    } catch {
      throw new QueryError(`${k} must be an RFC 3339 time`);
    }
  }
  if (query.grep !== undefined) checkGrep(query.grep); // a bad --grep fails here, before any output
  return query;
}

export function instantOf(value: string | undefined): Instant | undefined {
  return value === undefined ? undefined : parseRfc3339(value);
}

/** The stream and grep filters of a query. */
export type Filter = (batch: StoredEntry[]) => StoredEntry[];

/** Throws the RE2 parse error of a bad --grep pattern. */
export function checkGrep(pattern: string): void {
  compileGoRegexp(pattern, '--grep');
}

/**
 * The stream and grep filters of a query; undefined when it has none. The pattern is
 * matched by re2js, in time linear in the line, so the daemon matches on its own thread
 * (docs/dependencies.md, re2js): no pattern can stall ingest the way a backtracking
 * RegExp could.
 */
export function queryFilter(query: Pick<LogsQuery, 'stream' | 'grep'>): Filter | undefined {
  const { stream } = query;
  const re = query.grep === undefined ? undefined : compileGoRegexp(query.grep, '--grep');
  if (stream === undefined && re === undefined) return undefined;
  return (batch) => {
    const candidates = stream === undefined ? batch : batch.filter((e) => e.source === stream);
    if (re === undefined) return candidates;
    return candidates.filter((e) => re.test(e.line.toString('utf8')));
  };
}

/**
 * Applies a filter to batches of entries. With `tail` >= 0 only the last `tail`
 * matching entries are kept (so `--tail 10 --grep x` shows the last 10 matches).
 */
export async function* filterBatches(batches: AsyncIterable<StoredEntry[]>, filter: Filter, tail: number): AsyncGenerator<StoredEntry[]> {
  if (tail === 0) return;
  if (tail < 0) {
    for await (const batch of batches) {
      const kept = filter(batch);
      if (kept.length > 0) yield kept;
    }
    return;
  }
  // A circular buffer; lines are copied so they do not pin the chunks they came in.
  const ring: StoredEntry[] = [];
  let next = 0;
  for await (const batch of batches) {
    for (const e of filter(batch)) {
      const kept = { ...e, line: Buffer.from(e.line) };
      if (ring.length < tail) ring.push(kept);
      else ring[next] = kept;
      next = (next + 1) % tail;
    }
  }
  const ordered = ring.length < tail ? ring : [...ring.slice(next), ...ring.slice(0, next)];
  if (ordered.length > 0) yield ordered;
}
