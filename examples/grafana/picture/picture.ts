// node --import tsx examples/grafana/picture/picture.ts <prometheus URL> <minutes> <out.svg>
// Asks Prometheus the dashboard's own queries over the last <minutes> and draws the panels
// (render.ts). capture.sh produces the README's picture with it.
import fs from 'node:fs';
import path from 'node:path';
import { renderDashboard, type PanelData, type Series } from './render.js';

interface Target {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
}
interface Panel {
  title: string;
  type: string;
  gridPos: PanelData['gridPos'];
  fieldConfig?: { defaults?: { unit?: string } };
  targets: Target[];
}
interface PromResult {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

const DASHBOARD = path.resolve(import.meta.dirname, '../tslogs-dashboard.json');

/** Grafana's variables as "All" selects them, and a rate window fit for a short capture. */
export function concreteQuery(expr: string, rateInterval: string): string {
  return expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$instance', '.*').replaceAll('$container', '.*');
}

/** `{{label}}` in a legend format, as Grafana fills it. */
export function legendName(format: string | undefined, metric: Record<string, string>): string {
  if (format === undefined) return Object.entries(metric).map(([k, v]) => `${k}=${v}`).join(',');
  return format.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => metric[k] ?? '');
}

async function query(base: string, params: Record<string, string>, kind: 'query' | 'query_range'): Promise<PromResult[]> {
  const response = await fetch(`${base}/api/v1/${kind}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: PromResult[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${params.query}: ${body.error ?? response.status}`);
  return body.data!.result;
}

async function main(): Promise<void> {
  const [base, minutesText, out] = process.argv.slice(2);
  if (base === undefined || minutesText === undefined || out === undefined) {
    throw new Error('usage: picture.ts <prometheus URL> <minutes> <out.svg>');
  }
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { title: string; panels: Panel[] };
  const to = Math.floor(Date.now() / 1000);
  const from = to - Number(minutesText) * 60;
  const step = String(Math.max(1, Math.round((to - from) / 240)));
  const panels: PanelData[] = [];
  for (const p of dashboard.panels) {
    const series: Series[] = [];
    let rows: Record<string, string>[] | undefined;
    for (const t of p.targets) {
      const q = concreteQuery(t.expr, '15s');
      if (t.instant) {
        rows = (await query(base, { query: q, time: String(to) }, 'query')).map((r) => {
          const { __name__: _, ...labels } = r.metric;
          return labels;
        });
        continue;
      }
      for (const r of await query(base, { query: q, start: String(from), end: String(to), step }, 'query_range')) {
        const points = (r.values ?? []).map(([t, v]) => ({ t, v: Number(v) })).filter((x) => Number.isFinite(x.v));
        series.push({ name: legendName(t.legendFormat, r.metric), points });
      }
    }
    panels.push({ title: p.title, type: p.type === 'table' ? 'table' : 'timeseries', gridPos: p.gridPos, unit: p.fieldConfig?.defaults?.unit, series, rows });
  }
  fs.writeFileSync(out, renderDashboard(dashboard.title, panels, from, to));
  console.log(`${out}: ${panels.length} panels, ${panels.reduce((n, p) => n + p.series.length, 0)} series`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
