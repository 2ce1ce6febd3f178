// GET /healthz: whether this daemon can do its job now. 503 only for what restarting or
// fixing the host helps with (the store cannot be written); a sink that is down is
// reported (state "failing") but keeps 200: its lines wait in the store, and no
// restart of tslogs brings a receiver back.
import fs from 'node:fs';
import path from 'node:path';
import type { DeliveryView } from '../router/router.js';
import { shortId } from '../util/docker-names.js';
import { packageVersion } from '../util/package-version.js';

/** A sink whose oldest unacknowledged entry is older than this is "lagging". */
export const LAG_SECONDS = 10;

export interface HealthSources {
  /** The directory that must be writable (the store; the sidecar's state directory). */
  store: string;
  deliveries: () => DeliveryView[];
  /** Containers whose writes the disk refuses now. */
  blockedWrites?: () => { containerId: string; error: string }[];
  /** Effective settings, shown as they are (none is a secret). */
  settings?: Record<string, unknown>;
}

export type SinkState = 'connected' | 'lagging' | 'failing';

export interface SinkHealth {
  sink: string;
  state: SinkState;
  oldest_unsent_age_seconds: number;
  retries: number;
  last_error?: string;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  /** Why it is unhealthy; empty when ok. */
  reasons: string[];
  version: string;
  store: { path: string; writable: boolean; error?: string; free_bytes: number; total_bytes: number };
  containers: { container: string; container_name: string; sinks: SinkHealth[] }[];
  settings?: Record<string, unknown>;
}

export async function checkHealth(sources: HealthSources, nowMs = Date.now()): Promise<HealthReport> {
  const reasons: string[] = [];
  const probe = await probeWrite(sources.store);
  if (probe !== undefined) reasons.push(`the store ${sources.store} cannot be written: ${probe}`);
  const space = await freeSpace(sources.store);
  for (const b of sources.blockedWrites?.() ?? []) reasons.push(`container ${shortId(b.containerId)}: writes fail, ingest paused: ${b.error}`);

  const byContainer = new Map<string, HealthReport['containers'][number]>();
  for (const v of sources.deliveries()) {
    const id = shortId(v.containerId);
    let c = byContainer.get(id);
    if (c === undefined) byContainer.set(id, (c = { container: id, container_name: v.containerName, sinks: [] }));
    c.sinks.push(sinkHealth(v, nowMs));
  }
  const report: HealthReport = {
    status: reasons.length === 0 ? 'ok' : 'unhealthy',
    reasons,
    version: packageVersion(),
    store: { path: sources.store, writable: probe === undefined, ...(probe === undefined ? {} : { error: probe }), ...space },
    containers: [...byContainer.values()],
  };
  if (sources.settings !== undefined) report.settings = sources.settings;
  return report;
}

function sinkHealth(v: DeliveryView, nowMs: number): SinkHealth {
  const s = v.delivery.stats;
  const age = s.oldestUnsent > 0 ? Math.max(0, nowMs / 1000 - s.oldestUnsent) : 0;
  const state: SinkState = s.failing || !s.connected ? 'failing' : age > LAG_SECONDS ? 'lagging' : 'connected';
  const out: SinkHealth = { sink: v.sink, state, oldest_unsent_age_seconds: Math.round(age * 1000) / 1000, retries: s.retries };
  if (state === 'failing' && s.lastError !== '') out.last_error = s.lastError;
  return out;
}

/** Creates and removes a small file: a read-only remount or a full disk shows here. */
async function probeWrite(dir: string): Promise<string | undefined> {
  const file = path.join(dir, `.healthz-${process.pid}`);
  try {
    await fs.promises.writeFile(file, 'ok\n', { mode: 0o600 });
    await fs.promises.rm(file, { force: true });
    return undefined;
  } catch (err) {
    await fs.promises.rm(file, { force: true }).catch(() => undefined);
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

async function freeSpace(dir: string): Promise<{ free_bytes: number; total_bytes: number }> {
  try {
    const s = await fs.promises.statfs(dir);
    return { free_bytes: s.bavail * s.bsize, total_bytes: s.blocks * s.bsize };
  } catch {
    return { free_bytes: 0, total_bytes: 0 };
  }
}
