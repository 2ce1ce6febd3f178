// Human-readable figures and `docker ps`-style tables for `tslogs ls` and `tslogs stats`.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Docker's units.HumanSize: decimal units, 4 significant digits (`12.35MB`, `512B`). */
export function humanSize(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${UNITS[i]}`;
}

/** 1,234,567 */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds as `45s`, `12m3s`, `5h2m`, `3d4h`. */
export function humanDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** An RFC 3339 time shown to the second, in UTC: `2026-11-28T20:01:02Z`. */
export function shortTime(rfc3339: string | undefined): string {
  if (rfc3339 === undefined || rfc3339 === '') return '-';
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/.exec(rfc3339);
  return m === null ? rfc3339 : `${m[1]}Z`;
}

/** Columns separated by three spaces, left-aligned (the last column unpadded). */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
