// A few rows of the sinks section alone, for a quick comparison while the rest of the
// bench is not needed: `SINK_ROWS='Splunk HEC, inline|…second endpoint…' ROUNDS=3 LINES=1000000
// TSLOGS_PLUGIN_NAME=… node --import tsx bench/sink-rows.ts`. Rows are picked by exact name,
// or by a part of it when no name is exact; rounds alternate the drivers as runSinkCases
// does. It never prunes containers (each run removes its own), so it can run on an engine
// shared with others.
import { PLUGIN_NAME } from '../test/e2e/helpers/docker.js';
import { runSinkOnce, SINK_CASES, sinksTable, type SinkRow } from './sinks.js';

const wanted = (process.env.SINK_ROWS ?? 'Splunk HEC, inline').split('|');
const cases = wanted.flatMap((w) => {
  const exact = SINK_CASES.filter((c) => c.name === w);
  return exact.length > 0 ? exact : SINK_CASES.filter((c) => c.name.includes(w));
});
if (cases.length === 0) throw new Error(`no sink row matches ${JSON.stringify(wanted)}`);
const lines = Number(process.env.LINES ?? 1_000_000);
const rounds = Number(process.env.ROUNDS ?? 3);
const rows: SinkRow[] = cases.map((c) => ({ name: c.name, lines: Math.min(lines, c.maxLines ?? lines), docker: [], tslogs: [] }));
for (let round = 0; round < rounds; round++) {
  for (const [i, c] of cases.entries()) {
    const row = rows[i]!;
    for (const who of round % 2 === 0 ? ['docker', 'tslogs'] : ['tslogs', 'docker']) {
      if (who === 'docker') row.docker.push(await runSinkOnce(c.docker, c, row.lines));
      else row.tslogs.push(await runSinkOnce(PLUGIN_NAME, c, row.lines));
    }
  }
}
console.log(sinksTable(rows));
for (const r of rows) {
  console.log(`${r.name}: Docker ${r.docker.map((x) => x.seconds.toFixed(2)).join(', ')} s; tslogs ${r.tslogs.map((x) => x.seconds.toFixed(2)).join(', ')} s, CPU ${r.tslogs.map((x) => x.cpu?.toFixed(2)).join(', ')} s`);
}
