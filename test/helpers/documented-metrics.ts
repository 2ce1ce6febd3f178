// The metric names README's "Metrics" table documents, for the tests that hold the code,
// the dashboard and a real Prometheus to that table.
import fs from 'node:fs';
import path from 'node:path';

const README = path.resolve(import.meta.dirname, '../../README.md');

export interface DocumentedMetric {
  name: string;
  type: string;
}

export function documentedMetrics(readme = fs.readFileSync(README, 'utf8')): DocumentedMetric[] {
  const start = readme.indexOf('## Metrics\n');
  if (start < 0) throw new Error('README.md has no "## Metrics" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 3));
  return [...section.matchAll(/^\| `(tslogs_[a-z_]+)` \| (\w+) \|/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
}

/** The series a metric is stored as: a histogram as its _bucket, _sum and _count. */
export function seriesOf(m: DocumentedMetric): string[] {
  return m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
}
