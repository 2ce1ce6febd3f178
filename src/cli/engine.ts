// The Docker engine API over its unix socket, for what only dockerd knows: whether a
// container is running, its current name, and the log driver of one tslogs does not store.
// Unreachable engine (no socket, no permission, DOCKER_HOST not unix://): undefined.
import { bareName } from '../util/docker-names.js';
import { HttpError, requestJson } from './http-unix.js';

export interface EngineContainer {
  id: string;
  name: string;
  /** running, exited, created, paused, restarting, removing, dead. */
  state: string;
}

export function engineSocket(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.DOCKER_HOST;
  if (host === undefined || host === '') return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

interface ListItem {
  Id: string;
  Names?: string[];
  State?: string;
}

/** Every container the engine has, by full ID; undefined when the engine does not answer. */
export async function engineContainers(env: NodeJS.ProcessEnv): Promise<Map<string, EngineContainer> | undefined> {
  const socket = engineSocket(env);
  if (socket === undefined) return undefined;
  try {
    const list = await requestJson<ListItem[]>(socket, 'GET', '/containers/json?all=1', { timeoutMs: 3_000 });
    return new Map(list.map((c) => [c.Id, { id: c.Id, name: bareName(c.Names?.[0] ?? ''), state: c.State ?? 'unknown' }]));
  } catch {
    return undefined;
  }
}

interface Inspect {
  Id: string;
  Name?: string;
  State?: { Status?: string };
  HostConfig?: { LogConfig?: { Type?: string } };
}

/**
 * Docker's own lookup of a name or ID prefix: the container and its log driver;
 * null when the engine has no such container, undefined when it does not answer.
 */
export async function engineLookup(env: NodeJS.ProcessEnv, ref: string): Promise<(EngineContainer & { driver: string }) | null | undefined> {
  const socket = engineSocket(env);
  if (socket === undefined || ref === '' || ref.includes('/')) return undefined;
  try {
    const c = await requestJson<Inspect>(socket, 'GET', `/containers/${encodeURIComponent(ref)}/json`, { timeoutMs: 3_000 });
    return { id: c.Id, name: bareName(c.Name ?? ''), state: c.State?.Status ?? 'unknown', driver: c.HostConfig?.LogConfig?.Type ?? '' };
  } catch (err) {
    return err instanceof HttpError && err.status === 404 ? null : undefined;
  }
}
