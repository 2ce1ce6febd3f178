// Draws the dashboard's panels as one SVG, from series a real Prometheus answered to the
// panels' own queries (picture.ts asks it). Grafana cannot be installed on the machines
// that build tslogs, so the README's picture is drawn here: same panels, same grid, same
// queries and legends, plainer ink.

export interface Point {
  /** Unix seconds. */
  t: number;
  v: number;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface PanelData {
  title: string;
  type: 'timeseries' | 'table';
  /** Grafana's grid: 24 columns, rows of 30 px. */
  gridPos: { x: number; y: number; w: number; h: number };
  unit?: string | undefined;
  series: Series[];
  /** For a table: the label sets of an instant query, one row each. */
  rows?: Record<string, string>[] | undefined;
}

const COLUMN = 40;
const ROW = 30;
const PAD = 6;
const LEGEND_ROWS = 4;
const COLOURS = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0'];

const escape = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** 1234567 → "1.23M", with the unit Grafana would append. */
export function formatValue(v: number, unit?: string): string {
  if (unit === 'percentunit') return `${(v * 100).toFixed(0)}%`;
  const abs = Math.abs(v);
  const [scaled, suffix] = abs >= 1e9 ? [v / 1e9, 'G'] : abs >= 1e6 ? [v / 1e6, 'M'] : abs >= 1e3 ? [v / 1e3, 'k'] : [v, ''];
  const text = `${Number(scaled.toPrecision(3))}${suffix}`;
  if (unit === 'bytes') return `${text}B`;
  if (unit === 's') return `${text} s`;
  if (unit === 'ops') return `${text}/s`;
  return text;
}

function timeseries(p: PanelData, x0: number, y0: number, w: number, h: number, from: number, to: number): string {
  // The legend has room for four: the series that rose highest come first, as they are
  // the ones a reader looks for (a panel of drops by reason is mostly zeros).
  const peakOf = (s: Series): number => Math.max(0, ...s.points.map((q) => q.v));
  const legend = [...p.series].sort((a, b) => peakOf(b) - peakOf(a));
  const legendRows = Math.min(legend.length, LEGEND_ROWS);
  const plot = { x: x0 + 48, y: y0 + 26, w: w - 56, h: h - 46 - legendRows * 13 };
  const max = Math.max(0, ...p.series.flatMap((s) => s.points.map((q) => q.v)));
  const top = max === 0 ? 1 : max * 1.1;
  const sx = (t: number): number => plot.x + ((t - from) / Math.max(1, to - from)) * plot.w;
  const sy = (v: number): number => plot.y + plot.h - (v / top) * plot.h;
  const out: string[] = [];
  for (const f of [0, 0.5, 1]) {
    const y = sy(top * f);
    out.push(`<line x1="${plot.x}" y1="${y.toFixed(1)}" x2="${plot.x + plot.w}" y2="${y.toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${plot.x - 4}" y="${(y + 3).toFixed(1)}" class="axis" text-anchor="end">${escape(formatValue(top * f, p.unit))}</text>`);
  }
  const minutes = (to - from) / 60;
  out.push(`<text x="${plot.x}" y="${plot.y + plot.h + 11}" class="axis">-${minutes.toFixed(0)} min</text>`);
  out.push(`<text x="${plot.x + plot.w}" y="${plot.y + plot.h + 11}" class="axis" text-anchor="end">now</text>`);
  legend.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    if (s.points.length > 0) {
      const d = s.points.map((q, j) => `${j === 0 ? 'M' : 'L'}${sx(q.t).toFixed(1)},${sy(q.v).toFixed(1)}`).join('');
      out.push(`<path d="${d}" stroke="${colour}" class="line"/>`);
    }
    if (i < legendRows) {
      const last = s.points.at(-1)?.v ?? 0;
      const ly = plot.y + plot.h + 24 + i * 13;
      const more = i === legendRows - 1 && legend.length > legendRows ? `  (+${legend.length - legendRows} more)` : '';
      out.push(`<rect x="${plot.x}" y="${ly - 7}" width="10" height="3" fill="${colour}"/>`);
      out.push(`<text x="${plot.x + 14}" y="${ly}" class="legend">${escape(s.name)}  last ${escape(formatValue(last, p.unit))}  max ${escape(formatValue(peakOf(s), p.unit))}${more}</text>`);
    }
  });
  if (p.series.length === 0) out.push(`<text x="${plot.x + plot.w / 2}" y="${plot.y + plot.h / 2}" class="axis" text-anchor="middle">no data</text>`);
  return out.join('');
}

function table(p: PanelData, x0: number, y0: number): string {
  const rows = p.rows ?? [];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  const out: string[] = [];
  columns.forEach((c, j) => out.push(`<text x="${x0 + 10 + j * 180}" y="${y0 + 44}" class="head">${escape(c)}</text>`));
  rows.forEach((r, i) =>
    columns.forEach((c, j) => out.push(`<text x="${x0 + 10 + j * 180}" y="${y0 + 60 + i * 15}" class="legend">${escape(r[c] ?? '')}</text>`)),
  );
  return out.join('');
}

/** The whole dashboard, `from`–`to` in Unix seconds. */
export function renderDashboard(title: string, panels: readonly PanelData[], from: number, to: number): string {
  const width = 24 * COLUMN;
  const height = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h)) * ROW + 30;
  const body = panels.map((p) => {
    const x = p.gridPos.x * COLUMN + PAD;
    const y = p.gridPos.y * ROW + 30 + PAD;
    const w = p.gridPos.w * COLUMN - 2 * PAD;
    const h = p.gridPos.h * ROW - 2 * PAD;
    const inner = p.type === 'table' ? table(p, x, y) : timeseries(p, x, y, w, h, from, to);
    return `<g><rect x="${x}" y="${y}" width="${w}" height="${h}" class="panel"/><text x="${x + 8}" y="${y + 16}" class="title">${escape(p.title)}</text>${inner}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<style>.panel{fill:#181b1f;stroke:#2c3235}.title{fill:#ccccdc;font:600 12px sans-serif}.axis{fill:#8e8e8e;font:9px sans-serif}',
    '.legend{fill:#ccccdc;font:10px monospace}.head{fill:#6e9fff;font:600 10px sans-serif}.grid{stroke:#2c3235}.line{fill:none;stroke-width:1.5}</style>',
    `<rect width="${width}" height="${height}" fill="#111217"/>`,
    `<text x="${PAD + 4}" y="20" class="title" style="font-size:15px">${escape(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
