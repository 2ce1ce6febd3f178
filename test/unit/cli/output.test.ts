import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { colourOf, makePrefixes, Output, type OutputOptions, wantColour } from '../../../src/cli/output.js';
import { fromLog, type StoredEntry } from '../../../src/store/stored-entry.js';

const e = (sec: number, nsec: number, stream: string, log: string): StoredEntry => fromLog(Buffer.from(log), stream, sec, nsec);
const ENTRIES = [e(1795896100, 0, 'stdout', 'out\n'), e(1795896100, 5, 'stderr', 'err\n'), e(1795896101, 123456789, 'stdout', 'partial'), e(1795896101, 2e8, 'other', 'dropped\n')];

async function render(options: Partial<OutputOptions>, runs: { source: number; entries: StoredEntry[] }[] = [{ source: 0, entries: ENTRIES }]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const o = new Output({ timestamps: false, details: false, json: false, prefixes: [undefined, undefined], names: ['web', 'db'], ids: ['a'.repeat(64), 'b'.repeat(64)], ...options }, stdout, stderr);
  for (const run of runs) await o.write(run);
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('Output: as docker logs prints', () => {
  it('routes by stream, drops other sources, keeps lines verbatim (no newline added)', async () => {
    expect(await render({})).toEqual({ stdout: 'out\npartial', stderr: 'err\n' });
  });

  it('-t: fixed nine fraction digits in UTC; --details: the single space of a plugin', async () => {
    expect(await render({ timestamps: true, details: true })).toEqual({
      stdout: '2026-11-28T20:01:40.000000000Z  out\n2026-11-28T20:01:41.123456789Z  partial',
      stderr: '2026-11-28T20:01:40.000000005Z  err\n',
    });
    expect((await render({ details: true })).stdout).toBe(' out\n partial');
  });

  it('prefixes: padded names, and a line always ends its line', async () => {
    const prefixes = makePrefixes(['web', 'db'], { stdout: false, stderr: false });
    const r = await render({ prefixes }, [{ source: 0, entries: ENTRIES.slice(0, 3) }, { source: 1, entries: [e(1795896102, 0, 'stdout', 'db line\n')] }]);
    expect(r).toEqual({ stdout: 'web | out\nweb | partial\ndb  | db line\n', stderr: 'web | err\n' });
  });

  it('--json: one object per entry with time, container, id, stream and the line without its newline', async () => {
    const r = await render({ json: true });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { time: '2026-11-28T20:01:40.000000000Z', container: 'web', id: 'a'.repeat(64), stream: 'stdout', line: 'out' },
      { time: '2026-11-28T20:01:40.000000005Z', container: 'web', id: 'a'.repeat(64), stream: 'stderr', line: 'err' },
      { time: '2026-11-28T20:01:41.123456789Z', container: 'web', id: 'a'.repeat(64), stream: 'stdout', line: 'partial' },
      { time: '2026-11-28T20:01:41.200000000Z', container: 'web', id: 'a'.repeat(64), stream: 'other', line: 'dropped' },
    ]);
  });
});

describe('colours', () => {
  it('are stable per name and in compose palette', () => {
    expect(colourOf('web')).toBe(colourOf('web'));
    expect(['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1']).toContain(colourOf('db'));
    const [p] = makePrefixes(['web'], { stdout: true, stderr: false });
    expect(p!.stdout.toString()).toBe(`\x1b[${colourOf('web')}mweb | \x1b[0m`);
    expect(p!.stderr.toString()).toBe('web | ');
  });

  it('only on a terminal, never with NO_COLOR (non-empty), --no-color or TERM=dumb', () => {
    expect(wantColour({ isTTY: true }, {}, false)).toBe(true);
    expect(wantColour({ isTTY: false }, {}, false)).toBe(false);
    expect(wantColour({}, {}, false)).toBe(false);
    expect(wantColour({ isTTY: true }, { NO_COLOR: '1' }, false)).toBe(false);
    expect(wantColour({ isTTY: true }, { NO_COLOR: '' }, false)).toBe(true);
    expect(wantColour({ isTTY: true }, {}, true)).toBe(false);
    expect(wantColour({ isTTY: true }, { TERM: 'dumb' }, false)).toBe(false);
  });
});
