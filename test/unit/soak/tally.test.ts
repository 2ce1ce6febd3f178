import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { growth, type Sample } from '../../soak/sampler.js';
import { Tally, tallyJsonFile } from '../../soak/tally.js';
import { LONG_PAD, script } from '../../soak/workload.js';
import { tmpDir } from '../../helpers/tmp.js';

// The soak's own accounting: a soak that cannot see a lost line proves nothing.

describe('Tally', () => {
  it('counts a gap below the last line, a missing tail before the E line, and duplicates', () => {
    const t = new Tally();
    for (const n of [1, 2, 4, 5, 5]) t.add(`S c1 e1 ${n}`);
    for (const n of [1, 2]) t.add(`S c1 e2 ${n}`);
    t.add('E c1 e2 4');
    t.add('unmarked line');
    expect(t.figures()).toEqual({ starts: 2, lines: 6, lost: 1 + 2, duplicates: 1, damaged: 0 });
  });

  it('finds what another tally lacks', () => {
    const store = new Tally();
    const sink = new Tally();
    for (const n of [1, 2, 3]) store.add(`S c e ${n}`);
    for (const n of [1, 3, 3]) sink.add(`S c e ${n}`, false);
    expect(store.missingFrom(sink)).toBe(1);
    expect(sink.figures().duplicates).toBe(1);
  });

  it('joins partial json-file entries and checks long lines whole', async () => {
    const file = path.join(tmpDir(), 'x-json.log');
    const pad = 'x'.repeat(LONG_PAD);
    const long = `S c e 1 ${pad}`;
    const entries = [long.slice(0, 16384), `${long.slice(16384)}\n`, `S c e 2 ${pad.slice(1)}\n`, 'E c e 2\n'];
    fs.writeFileSync(file, entries.map((log) => JSON.stringify({ log, stream: 'stdout', time: '2026-12-03T00:00:00Z' })).join('\n') + '\n');
    const t = new Tally();
    await tallyJsonFile(file, t);
    expect(t.figures()).toEqual({ starts: 1, lines: 2, lost: 0, duplicates: 0, damaged: 1 });
  });
});

describe('growth', () => {
  const samples = (values: number[]): Sample[] => values.map((v, i) => ({ t: i * 1000, rssKiB: v, fds: 10 }));

  it('compares the median of the first and last spans of the window', () => {
    const s = samples([500, 100, 100, 100, 100, 100, 104, 90, 106, 106, 106]);
    expect(growth(s, (x) => x.rssKiB, 1000, 10_000, 2000)).toEqual({ from: 100, to: 106, ratio: 0.06 });
  });
});

describe('the workload script', () => {
  it('marks every line and ends with the count', () => {
    const sh = script('burst', 'c1');
    expect(sh).toContain('echo "S c1 $e $n$1"');
    expect(sh).toContain('echo "E c1 $e $n"');
  });
});
