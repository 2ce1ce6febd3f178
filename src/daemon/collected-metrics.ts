import { Counter, Gauge, type Registry } from 'prom-client';

export type Setter = (labels: Record<string, string>, value: number) => void;

// Metrics read from the daemon's plain counters and state at scrape time, so the hot
// path only increments numbers (pino's rule: the least possible work there).

/** A counter whose values are read from the daemon's plain counters at scrape time. */
export function collectedCounter(registry: Registry, name: string, help: string, labelNames: string[], fill: (set: Setter) => void): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      fill((labels, value) => this.inc(labels, value));
    },
  });
}

/** A gauge whose values are read at scrape time; series not set in a scrape are gone. */
export function collectedGauge(registry: Registry, name: string, help: string, labelNames: string[], fill: (set: Setter) => void | Promise<void>): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      await fill((labels, value) => this.set(labels, value));
    },
  });
}
