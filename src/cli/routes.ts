// `tslogs reload` (POST /tslogs/reload) and `tslogs routes` (GET /tslogs/routes) on each
// daemon found (or the one --socket names). Exit 1 when a daemon refused the file, or
// none answered: a script that edits the routes file can trust `tslogs reload`'s status.
import { candidateSockets } from './daemons.js';
import { HttpError, readBody, request } from './http-unix.js';
import { renderTable } from './table.js';

interface Answer {
  socket: string;
  status: number;
  body: Record<string, unknown>;
}

interface ReloadBody {
  ok: boolean;
  file: string;
  error?: string;
  routes: string[];
  changes?: { reopened: unknown[]; unchanged: unknown[]; kept: { containerId: string; route: string }[] };
}

interface RoutesBody {
  file: string;
  routes: { name: string; sink?: string; options: Record<string, string>; inFile: boolean; containers: { id: string; name: string }[] }[];
  lastReload?: { ok: boolean; error?: string };
}

export async function runReload(socket: string | undefined, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const answers = await askAll(socket, env, 'POST', '/tslogs/reload', err);
  if (answers === undefined) return 1;
  let code = 0;
  for (const a of answers) {
    const r = a.body as unknown as ReloadBody;
    if (!r.ok) {
      err.write(`${a.socket}: routes not reloaded, the routes in force are kept: ${r.error}\n`);
      code = 1;
      continue;
    }
    const c = r.changes;
    const routes = r.routes.length === 0 ? 'no routes' : `${r.routes.length} route(s): ${r.routes.join(', ')}`;
    out.write(`${a.socket}: reloaded ${r.file}: ${routes}; ${c?.reopened.length ?? 0} deliveries reopened, ${c?.unchanged.length ?? 0} unchanged, ${c?.kept.length ?? 0} kept on their last settings\n`);
    for (const k of c?.kept ?? []) err.write(`${a.socket}: container ${k.containerId.slice(0, 12)} keeps the last settings of route '${k.route}' (see the daemon log)\n`);
  }
  return code;
}

export async function runRoutes(command: { socket: string | undefined; json: boolean }, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const answers = await askAll(command.socket, env, 'GET', '/tslogs/routes', err);
  if (answers === undefined) return 1;
  if (command.json) {
    for (const a of answers) out.write(JSON.stringify({ socket: a.socket, ...a.body }) + '\n');
    return 0;
  }
  for (const a of answers) {
    const r = a.body as unknown as RoutesBody;
    out.write(`${a.socket}: ${r.file}${r.lastReload?.ok === false ? ` (last reload refused: ${r.lastReload.error})` : ''}\n`);
    const rows = r.routes.map((route) => [
      route.name,
      route.sink ?? '- (removed from the file)',
      route.containers.map((c) => c.name || c.id).join(', ') || '-',
      Object.entries(route.options).map(([k, v]) => `${k}=${v}`).join(' '),
    ]);
    out.write(rows.length === 0 ? 'no routes\n' : renderTable(['ROUTE', 'SINK', 'CONTAINERS', 'OPTIONS'], rows));
  }
  return 0;
}

/** The answers of the daemons that have routes; undefined (after saying why) when none does. */
async function askAll(socket: string | undefined, env: NodeJS.ProcessEnv, method: string, path: string, err: NodeJS.WritableStream): Promise<Answer[] | undefined> {
  const sockets = socket !== undefined ? [socket] : candidateSockets(env);
  const tried: string[] = [];
  const answers: Answer[] = [];
  for (const s of sockets) {
    try {
      const res = await request(s, method, path, { timeoutMs: 30_000 });
      const text = (await readBody(res)).toString('utf8');
      const status = res.statusCode ?? 0;
      if (status === 404) {
        tried.push(`${s}: no routes API (an older tslogs?)`);
        continue;
      }
      if (status !== 200 && status !== 422) throw new HttpError(status, text);
      answers.push({ socket: s, status, body: JSON.parse(text) as Record<string, unknown> });
    } catch (e) {
      tried.push(`${s}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (answers.length === 0) {
    err.write(`tslogs: no tslogs daemon answers ${method} ${path} (tried ${tried.join('; ')})\n`);
    return undefined;
  }
  return answers;
}
