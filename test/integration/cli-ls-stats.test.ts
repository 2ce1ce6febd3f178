// `tslogs ls` and `tslogs stats` against an in-process daemon with scripted sinks, and
// `tslogs ls` over the store alone.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { cliEnv, frame, runCli, T0, TestDaemon } from '../helpers/cli-harness.js';
import { waitUntil } from '../helpers/wait.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { tmpDir } from '../helpers/tmp.js';

const WEB = 'c1'.repeat(32);
const DB = 'c2'.repeat(32);

let daemon: TestDaemon;
let env: NodeJS.ProcessEnv;
let up: ReturnType<typeof scriptedDefinition>;
let down: ReturnType<typeof scriptedDefinition>;

beforeEach(async () => {
  up = scriptedDefinition('alpha');
  down = scriptedDefinition('beta', () => Object.assign(new ScriptedSink(), { down: true }));
  daemon = await TestDaemon.start(tmpDir('tslogs-cli-ls-'), sinkRegistry([up, down]));
  env = cliEnv({ TSLOGS_SOCKET: daemon.socket, TSLOGS_ROOT: path.join(daemon.dir, 'unused') });
  const web = await daemon.container(WEB, 'web', { 'alpha-address': 'x', 'beta-address': 'y' });
  const db = await daemon.container(DB, 'db');
  await web.write(frame(0, 'one\n'), frame(1000, 'two\n'), frame(2000, 'three\n'));
  await db.write(frame(500, 'db\n'));
  await web.stored(3);
  await db.stored(1);
  await waitUntil(() => up.instances[0]?.received.length === 3, 'alpha to receive 3 entries', 8000);
});

afterEach(async () => {
  await daemon.stop();
});

const iso = (ms: number): string => `${new Date(T0 * 1000 + ms).toISOString().slice(0, 19)}.${String((ms % 1000) * 1_000_000 + 123).padStart(9, '0')}Z`.replace(/\.(\d*?)0+Z$/, '.$1Z');

describe('tslogs ls', () => {
  it('lists each stored container with state, size, first and last entry and per-sink lag', async () => {
    const r = await runCli(['ls'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER ID\s+NAME\s+IMAGE\s+STATE\s+SIZE\s+FIRST ENTRY\s+LAST ENTRY\s+SINK LAG$/);
    const web = lines.find((l) => l.startsWith(WEB.slice(0, 12)))!;
    expect(web).toMatch(/ web +bb:latest +unknown +\d+B +2026-11-28T20:01:40Z +2026-11-28T20:01:42Z +alpha 0B, beta \d+B$/);
    expect(lines.find((l) => l.startsWith(DB.slice(0, 12)))).toMatch(/ db +bb:latest +unknown .* -$/);

    const json = JSON.parse((await runCli(['ls', '--json'], env)).stdout.toString()) as { id: string; first: string; last: string; state: string; size: number; sinks: { sink: string; lagBytes: number }[] }[];
    const w = json.find((c) => c.id === WEB)!;
    expect(w).toMatchObject({ first: iso(0), last: iso(2000), state: 'unknown' });
    expect(w.size).toBeGreaterThan(0);
    expect(w.sinks.find((s) => s.sink === 'alpha')!.lagBytes).toBe(0);
    expect(w.sinks.find((s) => s.sink === 'beta')!.lagBytes).toBeGreaterThan(0);
  });

  it('reads the store directly when no daemon answers (no sink lag then)', async () => {
    const direct = cliEnv({ TSLOGS_SOCKET: path.join(daemon.dir, 'none.sock'), TSLOGS_ROOT: daemon.root });
    const json = JSON.parse((await runCli(['ls', '--json'], direct)).stdout.toString()) as { id: string; first: string; sinks: unknown[]; daemon?: string }[];
    expect(json.map((c) => c.id).sort()).toEqual([WEB, DB].sort());
    expect(json.find((c) => c.id === WEB)).toMatchObject({ first: iso(0), sinks: [] });
  });

  it('never shows log option values (they can hold sink secrets)', async () => {
    const r = await runCli(['ls', '--json'], env);
    expect(r.stdout.toString()).not.toContain('alpha-address');
  });
});

describe('tslogs stats', () => {
  it('shows per sink what was sent, retried, dropped and is still to send', async () => {
    const r = await runCli(['stats'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER\s+NAME\s+SINK\s+SENT\s+SENT BYTES\s+RETRIED\s+DROPPED\s+LAG\s+OLDEST UNSENT\s+CONNECTED$/);
    expect(lines.find((l) => / alpha /.test(l))).toMatch(new RegExp(`^${WEB.slice(0, 12)} +web +alpha +3 +\\d+B +0 +0 +0B +- +yes$`));
    expect(lines.find((l) => / beta /.test(l))).toMatch(/ beta +0 +0B +[1-9]\d* +0 +\d+B +\S+ +(yes|no)$/);
    expect(r.stdout.toString()).toMatch(/ingested since the daemon started: 4 entries from 2 containers/);
    const json = JSON.parse((await runCli(['stats', 'web', '--json'], env)).stdout.toString()) as { sink: string; sentEntries: number }[];
    expect(json.map((s) => [s.sink, s.sentEntries])).toEqual([['alpha', 3], ['beta', 0]]);
  });

  it('needs the daemon: exit 1 with a message when none answers', async () => {
    const r = await runCli(['stats'], cliEnv({ TSLOGS_SOCKET: path.join(daemon.dir, 'none.sock'), TSLOGS_ROOT: daemon.root }));
    expect(r.code).toBe(1);
    expect(r.stderr.toString()).toContain('no tslogs daemon answers');
  });
});
