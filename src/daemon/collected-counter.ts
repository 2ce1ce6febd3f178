import { Counter, type Registry } from 'prom-client';

export type Setter = (labels: Record<string, string>, value: number) => void;

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
