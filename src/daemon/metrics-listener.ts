// The TCP listener for Prometheus (which cannot scrape a unix socket) and for health
// probes: GET /metrics and GET /healthz, nothing else (the log API stays on the socket).
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { type HealthCheck, registerHealthRoute, registerMetricsRoute } from '../protocol/server.js';
import type { ListenAddress } from './listen-address.js';

export async function serveMetrics(at: ListenAddress | { path: string }, metrics: Registry | undefined, health: HealthCheck): Promise<FastifyInstance> {
  const app = Fastify() as unknown as FastifyInstance;
  if (metrics !== undefined) registerMetricsRoute(app, metrics);
  registerHealthRoute(app, health);
  await app.listen('path' in at ? { path: at.path } : { host: at.host, port: at.port, ipv6Only: at.host.includes(':') });
  return app;
}
