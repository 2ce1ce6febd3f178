// Finding the tslogs daemon(s) without flags, and the containers each one stores.
//
//   1. $TSLOGS_SOCKET (only that one when set)
//   2. /run/docker/plugins/tslogs.sock             the legacy host daemon
//   3. /run/docker/plugins/<plugin-id>/tslogs.sock  managed plugins, as dockerd mounts them
//
// A daemon counts when it answers GET /tslogs/containers (older builds do not). Every
// container is read through the daemon whose store holds it. When none answers, the
// store is read directly (TSLOGS_ROOT, default /var/lib/tslogs): history only.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROOT } from '../store/layout.js';
import type { ContainerSummary } from '../store/catalog.js';
import { readBody, request, requestJson } from './http-unix.js';

export const PLUGINS_DIR = '/run/docker/plugins';

/** A container and where to read it: `socket` of its daemon, or the store directly. */
export interface Known extends ContainerSummary {
  socket: string | undefined;
}

export interface Catalog {
  containers: Known[];
  /** The daemons that answered. */
  sockets: string[];
  /** The store read directly when no daemon answered. */
  root: string;
  /** What was tried, for messages. */
  tried: string[];
}

export function storeRoot(env: NodeJS.ProcessEnv): string {
  return env.TSLOGS_ROOT || DEFAULT_ROOT;
}

export function candidateSockets(env: NodeJS.ProcessEnv, pluginsDir = PLUGINS_DIR): string[] {
  if (env.TSLOGS_SOCKET) return [env.TSLOGS_SOCKET];
  const out = [path.join(pluginsDir, 'tslogs.sock')];
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(pluginsDir).sort();
  } catch {
    // no plugins directory
  }
  for (const d of dirs) {
    const socket = path.join(pluginsDir, d, 'tslogs.sock');
    if (isSocket(socket)) out.push(socket);
  }
  return out;
}

function isSocket(file: string): boolean {
  try {
    return fs.statSync(file).isSocket();
  } catch {
    return false;
  }
}

async function probe(socket: string, details: boolean): Promise<ContainerSummary[] | undefined> {
  if (!isSocket(socket)) return undefined;
  try {
    return await requestJson<ContainerSummary[]>(socket, 'GET', `/tslogs/containers${details ? '?details=1' : ''}`, { timeoutMs: details ? 30_000 : 5_000 });
  } catch {
    return undefined;
  }
}

/** The containers of every daemon that answers, or of the store when none does. */
export async function loadCatalog(env: NodeJS.ProcessEnv, details: boolean): Promise<Catalog> {
  const tried = candidateSockets(env);
  const answers = await Promise.all(tried.map((s) => probe(s, details)));
  const root = storeRoot(env);
  const seen = new Set<string>();
  const containers: Known[] = [];
  const sockets: string[] = [];
  answers.forEach((list, i) => {
    if (list === undefined) return;
    sockets.push(tried[i]!);
    for (const c of list) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      containers.push({ ...c, socket: tried[i] });
    }
  });
  if (sockets.length === 0) {
    if (!fs.existsSync(path.join(root, 'containers')) && !fs.existsSync(root)) {
      throw new Error(`no tslogs daemon answers (tried ${tried.join(', ')}) and there is no store at ${root} (set TSLOGS_SOCKET or TSLOGS_ROOT)`);
    }
    try {
      fs.accessSync(root, fs.constants.R_OK | fs.constants.X_OK);
    } catch (err) {
      throw new Error(`no tslogs daemon answers and the store ${root} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const { listContainers } = await import('../store/catalog.js'); // only without a daemon
    for (const c of await listContainers(root, details)) containers.push({ ...c, socket: undefined });
  }
  return { containers, sockets, root, tried };
}

/** Prometheus text of a daemon's /metrics. */
export async function fetchMetrics(socket: string): Promise<string> {
  const res = await request(socket, 'GET', '/metrics', { timeoutMs: 10_000 });
  const body = await readBody(res);
  if (res.statusCode !== 200) throw new Error(`GET /metrics on ${socket}: HTTP ${res.statusCode}`);
  return body.toString('utf8');
}
