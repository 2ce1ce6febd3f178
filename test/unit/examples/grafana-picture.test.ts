// The README's dashboard picture is drawn from the dashboard's own panels and queries.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { concreteQuery, legendName } from '../../../examples/grafana/picture/picture.js';
import { formatValue, renderDashboard, type PanelData } from '../../../examples/grafana/picture/render.js';

const DASHBOARD = path.resolve(import.meta.dirname, '../../../examples/grafana/tslogs-dashboard.json');

describe('the dashboard picture', () => {
  it('fills Grafana variables as "All" selects them, and legends from the series labels', () => {
    const expr = 'sum by (sink) (rate(tslogs_sink_sent_entries_total{instance=~"$instance",container_name=~"$container"}[$__rate_interval]))';
    expect(concreteQuery(expr, '15s')).toBe('sum by (sink) (rate(tslogs_sink_sent_entries_total{instance=~".*",container_name=~".*"}[15s]))');
    expect(legendName('{{container_name}} → {{ sink }}', { container_name: 'web', sink: 'splunk' })).toBe('web → splunk');
    expect(legendName(undefined, { version: '0.1.0', node: 'v20' })).toBe('version=0.1.0,node=v20');
  });

  it('formats values with the panel unit', () => {
    expect(formatValue(1_234_567, 'bytes')).toBe('1.23MB');
    expect(formatValue(2500, 'ops')).toBe('2.5k/s');
    expect(formatValue(0.25, 's')).toBe('0.25 s');
    expect(formatValue(3)).toBe('3');
  });

  it('draws every panel of the dashboard at its grid position, each series as a path, and escapes text', () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { title: string; panels: { title: string; type: string; gridPos: PanelData['gridPos'] }[] };
    const panels: PanelData[] = dashboard.panels.map((p, i) => ({
      title: p.title,
      type: p.type === 'table' ? 'table' : 'timeseries',
      gridPos: p.gridPos,
      series: p.type === 'table' ? [] : [{ name: `s<${i}>`, points: [{ t: 100, v: 0 }, { t: 160, v: i + 1 }] }],
      rows: p.type === 'table' ? [{ version: '0.1.0', instance: '127.0.0.1:9400' }] : undefined,
    }));
    const svg = renderDashboard(dashboard.title, panels, 100, 160);
    for (const p of dashboard.panels) expect(svg).toContain(`class="title">${p.title.replace(/&/g, '&#38;')}</text>`);
    expect(svg.match(/<path d="M/g)).toHaveLength(dashboard.panels.filter((p) => p.type !== 'table').length);
    expect(svg).toContain('s&#60;0&#62;');
    expect(svg).not.toContain('s<0>');
    expect(svg).toContain('127.0.0.1:9400');
    // The last point of a series sits at the right edge of its plot, its peak at 1/1.1 of the height.
    const first = dashboard.panels[0]!.gridPos;
    const right = first.x * 40 + 6 + 48 + (first.w * 40 - 12 - 56);
    const bottom = first.y * 30 + 30 + 6 + 26 + (first.h * 30 - 12 - 46 - 13);
    expect(svg).toContain(`L${right.toFixed(1)},${(bottom - (bottom - 62) / 1.1).toFixed(1)}`);
    expect(svg).toContain(`L${right.toFixed(1)},`);
  });

  it('lists the series that rose highest first, four at most, and says how many more there are', () => {
    const series = [0, 5, 0, 0, 9, 0].map((v, i) => ({ name: `r${i}`, points: [{ t: 0, v: 0 }, { t: 60, v }] }));
    const svg = renderDashboard('t', [{ title: 'drops', type: 'timeseries', gridPos: { x: 0, y: 0, w: 12, h: 8 }, series }], 0, 60);
    const names = [...svg.matchAll(/class="legend">(r\d)/g)].map((m) => m[1]);
    expect(names).toEqual(['r4', 'r1', 'r0', 'r2']);
    expect(svg).toContain('(+2 more)');
  });

  it('says "no data" in a panel Prometheus had nothing for', () => {
    const svg = renderDashboard('t', [{ title: 'empty', type: 'timeseries', gridPos: { x: 0, y: 0, w: 12, h: 8 }, series: [] }], 0, 60);
    expect(svg).toContain('>no data</text>');
  });
});
