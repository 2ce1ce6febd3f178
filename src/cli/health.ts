// `tslogs health`: prints each daemon's GET /healthz answer (JSON) and exits 0 when all
// are healthy, 1 otherwise; the sidecar image's HEALTHCHECK runs it with --sidecar.
import path from 'node:path';
import { candidateSockets } from './daemons.js';
import { readBody, request } from './http-unix.js';

export const SIDECAR_STATE_DIR = '/var/lib/tslogs-sidecar';

export interface HealthTarget {
  socket: string | undefined;
  sidecar: boolean;
}

/** Where to ask: the given socket, the sidecar's (its state directory, as the sidecar's settings say), or every daemon found. */
export function healthSockets(target: HealthTarget, env: NodeJS.ProcessEnv): string[] {
  if (target.socket !== undefined) return [target.socket];
  if (target.sidecar) return [path.join(env.TSLOGS_SIDECAR_STATE_DIR || SIDECAR_STATE_DIR, 'health.sock')];
  return candidateSockets(env);
}

export async function runHealth(target: HealthTarget, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const sockets = healthSockets(target, env);
  const answers = await Promise.all(sockets.map((s) => ask(s)));
  const found = answers.filter((a) => a.report !== undefined);
  if (found.length === 0) {
    err.write(`tslogs: no tslogs daemon answers GET /healthz (tried ${answers.map((a) => `${a.socket}: ${a.error}`).join('; ')})\n`);
    return 1;
  }
  for (const a of found) out.write(JSON.stringify({ socket: a.socket, ...a.report }, null, 2) + '\n');
  return found.every((a) => a.status === 200) ? 0 : 1;
}

async function ask(socket: string): Promise<{ socket: string; status?: number; report?: Record<string, unknown>; error?: string }> {
  try {
    const res = await request(socket, 'GET', '/healthz', { timeoutMs: 10_000 });
    const body = (await readBody(res)).toString('utf8');
    if (res.statusCode !== 200 && res.statusCode !== 503) return { socket, error: `HTTP ${res.statusCode}` };
    return { socket, status: res.statusCode, report: JSON.parse(body) as Record<string, unknown> };
  } catch (e) {
    return { socket, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}
