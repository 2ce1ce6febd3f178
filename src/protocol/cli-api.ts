// The `tslogs` command line's endpoints on the plugin socket (not part of Docker's
// protocol; dockerd never calls them):
//
//   GET  /tslogs/containers[?details=1]   the containers of the store (catalog.ts)
//   POST /tslogs/logs                     one container's log as framed LogEntry, like
//                                         ReadLogs, with the CLI's filters (query.ts)
//
//   POST /tslogs/reload                   re-read the routes file: 200 with what changed,
//                                         422 with what is wrong (the routes in force stay)
//   GET  /tslogs/routes                   the routes and the containers using each
//
// Reads go through the driver's readLogs, so a follower is woken by the writer in this
// process and ends when the container stops, exactly as `docker logs -f` does.
import type { FastifyInstance } from 'fastify';
import { listContainers } from '../store/catalog.js';
import { type Filter, filterBatches, HISTORY_END, type LogsQuery, parseQuery, QueryError, queryFilter, STREAM_ERROR } from './logs-query.js';
import { FrameDecoder } from '../codec/frame-decoder.js';
import { FrameEncoder } from '../codec/frame-encoder.js';
import type { ContainerInfo } from '../container-info.js';
import { fromLog, type StoredEntry } from '../store/stored-entry.js';
import type { LogDriver } from './log-driver.js';
import { sendFrames } from './stream-reply.js';

/** Docker's zero time: no bound. */
const NO_BOUND = '0001-01-01T00:00:00Z';

/** The daemon's routes, for `tslogs reload` and `tslogs routes` (a daemon without a routes file has none). */
export interface RoutesApi {
  reload(): { ok: boolean };
  report(): unknown;
}

export function registerCliApi(app: FastifyInstance, driver: LogDriver & { readonly root?: string }, routes?: RoutesApi): void {
  app.post('/tslogs/reload', async (_req, reply) => {
    if (routes === undefined) return reply.code(404).send({ Err: 'this daemon has no routes file' });
    const result = routes.reload();
    return reply.code(result.ok ? 200 : 422).send(result);
  });

  app.get('/tslogs/routes', async (_req, reply) => {
    if (routes === undefined) return reply.code(404).send({ Err: 'this daemon has no routes file' });
    return routes.report();
  });

  app.get('/tslogs/containers', async (req, reply) => {
    if (driver.root === undefined) return reply.code(404).send({ Err: 'this daemon has no store' });
    const details = (req.query as Record<string, string> | undefined)?.details === '1';
    return listContainers(driver.root, details);
  });

  app.post('/tslogs/logs', async (req, reply) => {
    let query: LogsQuery;
    try {
      query = parseQuery(req.body);
    } catch (err) {
      if (!(err instanceof QueryError) && (err as { code?: string }).code === undefined) throw err;
      return reply.code(400).send({ Err: (err as Error).message });
    }
    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    return sendFrames(req, reply, serveLogs(driver, query, abort.signal), 'application/x-tslogs-frames', 'tslogs logs');
  });
}

function infoFor(id: string): ContainerInfo {
  return {
    Config: {},
    ContainerID: id,
    ContainerName: '',
    ContainerEntrypoint: '',
    ContainerArgs: [],
    ContainerImageID: '',
    ContainerImageName: '',
    ContainerCreated: '',
    ContainerEnv: null,
    ContainerLabels: {},
    LogPath: '',
    DaemonName: '',
  };
}

/**
 * The history, then (following) the new entries. When the history must be told apart
 * (the marker for a merging client, or the last N matches of a filter), history and live
 * entries come from two readers opened in the same tick: the writer runs on this thread,
 * so nothing can be appended between the two openings, and the live reader starts
 * exactly where the history ends (nothing lost, nothing twice). An error after the
 * answer has started (the store unreadable mid-way) is sent in-band as a STREAM_ERROR frame.
 */
async function* serveLogs(driver: LogDriver, query: LogsQuery, signal: AbortSignal): AsyncGenerator<Buffer> {
  const filter = queryFilter(query);
  try {
    yield* readAll(driver, query, filter, signal);
  } catch (err) {
    if (signal.aborted) return;
    yield control(STREAM_ERROR, (err as Error).message);
  }
}

async function* readAll(driver: LogDriver, query: LogsQuery, filter: Filter | undefined, signal: AbortSignal): AsyncGenerator<Buffer> {
  const config = { Since: query.since ?? NO_BOUND, Until: query.until ?? NO_BOUND };
  const Info = infoFor(query.id);
  const tail = filter === undefined ? query.tail : -1;
  if (!query.follow || (!query.marker && (filter === undefined || query.tail < 0))) {
    yield* filtered(driver.readLogs({ Info, Config: { ...config, Tail: tail, Follow: query.follow } }, signal), filter, query.tail);
    return;
  }
  const history = driver.readLogs({ Info, Config: { ...config, Tail: tail, Follow: false } }, signal)[Symbol.asyncIterator]();
  const live = driver.readLogs({ Info, Config: { ...config, Tail: 0, Follow: true } }, signal)[Symbol.asyncIterator]();
  const firstHistory = history.next();
  const firstLive = live.next();
  firstLive.catch(() => undefined);
  try {
    yield* filtered(resume(history, firstHistory), filter, query.tail);
    if (query.marker) yield control(HISTORY_END, '');
    yield* filtered(resume(live, firstLive), filter, -1);
  } finally {
    await live.return?.(undefined);
    await history.return?.(undefined);
  }
}

function control(source: string, text: string): Buffer {
  const encoder = new FrameEncoder(64 + text.length * 3);
  encoder.add({ source, sec: 0, nsec: 0, line: Buffer.from(text), partial: false, meta: undefined });
  return encoder.take();
}

async function* resume<T>(it: AsyncIterator<T>, first: Promise<IteratorResult<T>>): AsyncGenerator<T> {
  for (let r = await first; !r.done; r = await it.next()) yield r.value;
}

/** Frames through the filter (the last `tail` matches); untouched without one. */
async function* filtered(frames: AsyncIterable<Buffer>, filter: Filter | undefined, tail: number): AsyncGenerator<Buffer> {
  if (filter === undefined) {
    yield* frames;
    return;
  }
  const encoder = new FrameEncoder();
  for await (const batch of filterBatches(decoded(frames), filter, tail)) {
    for (const e of batch) encoder.add({ source: e.source, sec: e.sec, nsec: e.nsec, line: e.line, partial: false, meta: undefined }, e.newline);
    yield encoder.take();
  }
}

async function* decoded(frames: AsyncIterable<Buffer>): AsyncGenerator<StoredEntry[]> {
  let batch: StoredEntry[] = [];
  const decoder = new FrameDecoder((e) => batch.push(fromLog(e.line, e.source, e.sec, e.nsec)));
  for await (const chunk of frames) {
    decoder.push(chunk);
    if (batch.length > 0) yield batch;
    batch = [];
  }
}
