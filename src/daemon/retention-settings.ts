// The daemon's settings for removed containers (README, "Removed containers").
import { tslogsError } from '../errors.js';
import { parseGoDuration } from '../go/duration.js';

export interface RetentionSettings {
  /** How long the logs of a removed container are kept: ms, or 'forever' (never pruned). */
  retainRemoved: number | 'forever';
  /** dockerd's `<data-root>/containers`, where each container has a directory until `docker rm`. */
  dockerContainers: string;
  /** How often stored containers are checked against it, in ms. */
  pruneInterval: number;
}

export const DEFAULT_DOCKER_CONTAINERS = '/var/lib/docker/containers';
export const DEFAULT_PRUNE_INTERVAL_MS = 30_000;

export function retentionFromEnv(env: NodeJS.ProcessEnv): RetentionSettings {
  const retain = env.TSLOGS_RETAIN_REMOVED ?? '';
  return {
    retainRemoved: retain === 'forever' ? 'forever' : retain === '' ? 0 : duration('TSLOGS_RETAIN_REMOVED', retain, 0, 'a duration such as 0, 30m or 168h, or forever'),
    dockerContainers: env.TSLOGS_DOCKER_CONTAINERS || DEFAULT_DOCKER_CONTAINERS,
    pruneInterval: env.TSLOGS_PRUNE_INTERVAL ? duration('TSLOGS_PRUNE_INTERVAL', env.TSLOGS_PRUNE_INTERVAL, 100, 'a duration of at least 100ms such as 30s') : DEFAULT_PRUNE_INTERVAL_MS,
  };
}

function duration(name: string, value: string, minMs: number, expected: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(value);
  } catch (err) {
    throw tslogsError('TSLOGS_SETTING', name, value, `expected ${expected} (${(err as Error).message})`);
  }
  if (ms < minMs) throw tslogsError('TSLOGS_SETTING', name, value, `expected ${expected}`);
  return ms;
}
