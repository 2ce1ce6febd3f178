// `tslogs prune`: the stores of containers the Docker engine no longer has, for what the
// daemon's own pruning leaves (containers removed while no daemon ran, TSLOGS_RETAIN_REMOVED
// not yet over or set to forever, pruning off). Lists by default; deletes with --force.
// The engine says what exists; a store with a live session (its FIFO exists) for a container
// the engine does not know belongs to another engine, and nothing is deleted (a managed
// plugin's FIFO paths are inside the plugin, so for its store this check finds none). A container whose sinks a running daemon is
// still feeding is kept: that daemon deletes it once they have its backlog.
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { SessionFiles } from '../daemon/session-file.js';
import { tslogsError } from '../errors.js';
import { loadInfo } from '../store/container-info-file.js';
import { deleteContainerStore } from '../store/container-removal.js';
import { containerDir, storedContainers } from '../store/layout.js';
import { bareName, shortId } from '../util/docker-names.js';
import { candidateSockets, fetchMetrics, storeRoot } from './daemons.js';
import { engineContainers, engineSocket } from './engine.js';
import { parsePrometheus, sinkStats } from './prom.js';
import { humanSize, renderTable } from './table.js';

export interface PruneRow {
  id: string;
  name: string;
  size: number;
  /** `deleted`, `would delete`, or `kept: <why>`. */
  action: string;
}

export async function pruneRows(force: boolean, env: NodeJS.ProcessEnv): Promise<PruneRow[]> {
  const root = storeRoot(env);
  try {
    fs.readdirSync(path.join(root, 'containers'));
  } catch (err) {
    throw tslogsError('TSLOGS_PRUNE_NO_STORE', root, (err as Error).message);
  }
  const stored = storedContainers(root);
  const engine = await engineContainers(env);
  const host = env.DOCKER_HOST || `unix://${engineSocket(env) ?? '/var/run/docker.sock'}`;
  if (engine === undefined) throw tslogsError('TSLOGS_PRUNE_NO_ENGINE', host);
  const sessions = new SessionFiles(root);
  for (const id of sessions.liveContainers()) if (!engine.has(id)) throw tslogsError('TSLOGS_PRUNE_OTHER_ENGINE', shortId(id), root, host);
  const delivering = await deliveringContainers(env);
  const rows: PruneRow[] = [];
  for (const id of stored.filter((s) => !engine.has(s))) {
    const row = { id, name: bareName(loadInfo(root, id)?.ContainerName ?? ''), size: dirSize(containerDir(root, id)) };
    if (delivering.has(shortId(id))) rows.push({ ...row, action: 'kept: a daemon is still delivering it to a sink' });
    else if (!force) rows.push({ ...row, action: 'would delete' });
    else {
      sessions.removeContainer(id);
      deleteContainerStore(root, id);
      rows.push({ ...row, action: 'deleted' });
    }
  }
  return rows;
}

/** Short IDs of containers some running daemon still has deliveries for. */
async function deliveringContainers(env: NodeJS.ProcessEnv): Promise<Set<string>> {
  const out = new Set<string>();
  for (const socket of candidateSockets(env)) {
    try {
      for (const s of sinkStats(parsePrometheus(await fetchMetrics(socket)))) out.add(s.container);
    } catch {
      // no daemon there
    }
  }
  return out;
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
    } catch {
      // rotated away meanwhile
    }
  }
  return total;
}

export async function runPrune(force: boolean, json: boolean, env: NodeJS.ProcessEnv, stdout: Writable): Promise<void> {
  const rows = await pruneRows(force, env);
  if (json) {
    stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const root = storeRoot(env);
  if (rows.length === 0) {
    stdout.write(`no removed container in ${root}\n`);
    return;
  }
  stdout.write(renderTable(['CONTAINER ID', 'NAME', 'SIZE', 'ACTION'], rows.map((r) => [shortId(r.id), r.name, humanSize(r.size), r.action])));
  const acted = rows.filter((r) => !r.action.startsWith('kept'));
  const bytes = humanSize(acted.reduce((n, r) => n + r.size, 0));
  if (force) stdout.write(`deleted the logs of ${acted.length} removed containers (${bytes})\n`);
  else stdout.write(`${acted.length} removed containers (${bytes}) would be deleted: run tslogs prune --force to delete them\n`);
}
