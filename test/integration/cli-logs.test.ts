// `tslogs` as a child process against an in-process daemon fed through real FIFOs:
// reading, follow (promptness, end on stop, rotation), merge, filters, exit codes,
// EPIPE, Ctrl-C, colours under a pseudo-terminal, and the store read without a daemon.
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliCommand, cliEnv, frame, runCli, shell, spawnCli, T0, TestDaemon } from '../helpers/cli-harness.js';
import { tmpDir } from '../helpers/tmp.js';

const WEB = 'a1'.repeat(32);
const DB = 'a2'.repeat(32);

let daemon: TestDaemon;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  daemon = await TestDaemon.start(tmpDir('tslogs-cli-'));
  env = cliEnv({ TSLOGS_SOCKET: daemon.socket, TSLOGS_ROOT: path.join(daemon.dir, 'not-used') });
});

afterEach(async () => {
  await daemon.stop();
});

/** web: out 0, err 1, out 2 at T0+0/1/2 s; db: db 0..2 at T0+0.5/1.5/2.5 s; both stopped. */
async function twoStopped(): Promise<void> {
  const web = await daemon.container(WEB, 'web', {}, { app: 'shop', tier: 'front' });
  const db = await daemon.container(DB, 'db', {}, { app: 'shop' });
  await web.write(frame(0, 'out 0\n'), frame(1000, 'err 1\n', 'stderr'), frame(2000, 'out 2\n'));
  await db.write(frame(500, 'db 0\n'), frame(1500, 'db 1\n'), frame(2500, 'db 2\n'));
  await web.stored(3);
  await db.stored(3);
  await web.stop();
  await db.stop();
}

const ts = (ms: number): string => `${new Date((T0 * 1000) + ms).toISOString().slice(0, 19)}.${String((ms % 1000) * 1_000_000 + 123).padStart(9, '0')}Z`;

describe('tslogs <container> through the daemon', () => {
  it('prints stdout and stderr lines to their own streams, with -t and --details as docker logs does', async () => {
    await twoStopped();
    const plain = await runCli(['web'], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout.toString()).toBe('out 0\nout 2\n');
    expect(plain.stderr.toString()).toBe('err 1\n');
    const detailed = await runCli(['-t', '--details', WEB.slice(0, 5)], env);
    expect(detailed.stdout.toString()).toBe(`${ts(0)}  out 0\n${ts(2000)}  out 2\n`);
    expect(detailed.stderr.toString()).toBe(`${ts(1000)}  err 1\n`);
  });

  it('applies --tail, --since and --until with Docker semantics (tail first, then the window)', async () => {
    await twoStopped();
    expect((await runCli(['web', '-n', '1'], env)).stdout.toString()).toBe('out 2\n');
    expect((await runCli(['web', '--tail=0'], env)).stdout.toString()).toBe('');
    expect((await runCli(['web', '--tail', '-1'], env)).stdout.toString()).toBe('out 0\nout 2\n');
    const since = new Date((T0 + 1) * 1000).toISOString(); // T0+1s: err 1 at +1.000000123 is after it
    const window = await runCli(['web', '--since', since, '--until', String(T0 + 2)], env);
    expect(window.stdout.toString()).toBe('');
    expect(window.stderr.toString()).toBe('err 1\n');
    expect((await runCli(['web', '--since', `${T0 + 2}`], env)).stdout.toString()).toBe('out 2\n');
  });

  it('merges several containers in time order with `name | ` prefixes, no colour off a terminal', async () => {
    await twoStopped();
    const r = await runCli(['web', 'db', '-t'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(
      [`web | ${ts(0)} out 0`, `db  | ${ts(500)} db 0`, `db  | ${ts(1500)} db 1`, `web | ${ts(2000)} out 2`, `db  | ${ts(2500)} db 2`, ''].join('\n'),
    );
    expect(r.stderr.toString()).toBe(`web | ${ts(1000)} err 1\n`);
    expect((await runCli(['--label', 'app=shop', '--no-prefix'], env)).stdout.toString()).toBe('out 0\ndb 0\ndb 1\nout 2\ndb 2\n');
    expect((await runCli(['--label', 'tier'], env)).stdout.toString()).toBe('web | out 0\nweb | out 2\n');
    expect((await runCli(['--all', '--tail', '1'], env)).stdout.toString()).toBe('web | out 2\ndb  | db 2\n');
  });

  it('filters by --stream and --grep in the daemon; --tail then counts matching lines; --json', async () => {
    await twoStopped();
    const err = await runCli(['web', '--stream', 'stderr'], env);
    expect([err.stdout.toString(), err.stderr.toString()]).toEqual(['', 'err 1\n']);
    expect((await runCli(['db', '--grep', '^db [02]$'], env)).stdout.toString()).toBe('db 0\ndb 2\n');
    expect((await runCli(['db', '--grep', 'db', '--tail', '1'], env)).stdout.toString()).toBe('db 2\n');
    const json = await runCli(['web', '--json', '--tail', '2'], env);
    expect(json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { time: ts(1000), container: 'web', id: WEB, stream: 'stderr', line: 'err 1' },
      { time: ts(2000), container: 'web', id: WEB, stream: 'stdout', line: 'out 2' },
    ]);
  });

  // (a+)+$ against 40 a's and a b takes a backtracking RegExp about 2^40 steps: with
  // anything but a linear-time matcher this test hangs, and the daemon with it.
  it('matches a --grep that would backtrack exponentially, and the daemon keeps serving', async () => {
    const web = await daemon.container(WEB, 'web');
    const line = `${'a'.repeat(40)}b`;
    await web.write(frame(0, `${line}\n`));
    await web.write(frame(1, 'aaa\n'));
    await web.stored(2);
    const r = await runCli(['web', '--grep', '(a+)+$'], env);
    expect([r.code, r.stdout.toString()]).toEqual([0, 'aaa\n']);
    const other = await runCli(['web'], env);
    expect(other.stdout.toString()).toBe(`${line}\naaa\n`);
    await web.stop();
  });

  it('follows: prints a new line and exits when the container stops', async () => {
    const web = await daemon.container(WEB, 'web');
    await web.write(frame(0, 'before\n'));
    await web.stored(1);
    const cli = spawnCli(['web', '-f'], env);
    await cli.waitForStdout((s) => s === 'before\n');
    await web.write(frame(100, 'new line\n'));
    await cli.waitForStdout((s) => s.includes('new line\n'));
    await web.stop();
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('before\nnew line\n');
  });

  it('follows across rotations without losing or repeating a line', async () => {
    const web = await daemon.container(WEB, 'web', { 'max-size': '2k', 'max-file': '3' });
    const cli = spawnCli(['web', '-f'], env);
    await new Promise((r) => setTimeout(r, 500));
    const expected: string[] = [];
    for (let i = 0; i < 400; i++) {
      expected.push(`line ${i}`);
      await web.write(frame(i, `line ${i}\n`));
      if (i % 20 === 19) await cli.waitForStdout((s) => s.endsWith(`line ${i}\n`));
    }
    await web.stop();
    const r = await cli.done;
    expect(r.stdout.toString()).toBe(expected.map((l) => l + '\n').join(''));
  });

  it('follows several containers: merged history, then new lines of each as they come', async () => {
    const web = await daemon.container(WEB, 'web');
    const db = await daemon.container(DB, 'db');
    await web.write(frame(0, 'w0\n'), frame(2000, 'w2\n'));
    await db.write(frame(1000, 'd1\n'));
    await web.stored(2);
    await db.stored(1);
    const cli = spawnCli(['web', 'db', '-f', '--no-prefix'], env);
    await cli.waitForStdout((s) => s === 'w0\nd1\nw2\n');
    await db.write(frame(3000, 'd3\n'));
    await cli.waitForStdout((s) => s.endsWith('d3\n'));
    await web.write(frame(4000, 'w4\n'));
    await cli.waitForStdout((s) => s.endsWith('w4\n'));
    await web.stop();
    await db.stop();
    const r = await cli.done;
    expect(r.stdout.toString()).toBe('w0\nd1\nw2\nd3\nw4\n');
  });

  it('exits 0 quietly when its output is closed (| head) and 130 on Ctrl-C', async () => {
    const web = await daemon.container(WEB, 'web');
    await web.write(...Array.from({ length: 50_000 }, (_, i) => frame(i, `line ${i} ${'x'.repeat(60)}\n`)));
    await web.stored(50_000);
    const piped = await shell(`${cliCommand('web')} | head -n 1; echo "status \${PIPESTATUS[0]}"`, env);
    expect([piped.stdout.toString(), piped.stderr.toString()]).toEqual([`line 0 ${'x'.repeat(60)}\nstatus 0\n`, '']);
    const cli = spawnCli(['web', '-f', '--tail', '1'], env);
    await cli.waitForStdout((s) => s.includes('line 49999'));
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect([r.code, r.stderr.toString()]).toEqual([130, '']);
    await web.stop();
  });

  it('colours prefixes only on a terminal, never with NO_COLOR or --no-color', async () => {
    await twoStopped();
    // `script` runs the command on a pseudo-terminal (util-linux).
    const underPty = async (extra: string, e: NodeJS.ProcessEnv): Promise<string> =>
      (await shell(`script -qec '${cliCommand(`web db ${extra}`)}' /dev/null`, e)).stdout.toString();
    const coloured = await underPty('', env);
    expect(coloured).toMatch(/\x1b\[[0-9;]+mweb \| \x1b\[0mout 0/);
    expect(coloured).toMatch(/\x1b\[[0-9;]+mdb  \| \x1b\[0mdb 0/);
    expect(await underPty('', { ...env, NO_COLOR: '1' })).not.toContain('\x1b[');
    expect(await underPty('--no-color', env)).not.toContain('\x1b[');
    expect((await runCli(['web', 'db'], env)).stdout.toString()).not.toContain('\x1b[');
    // A stable colour: the same name gets the same one in every run.
    expect((await underPty('', env)).match(/(\x1b\[[0-9;]+m)web/)![1]).toBe(coloured.match(/(\x1b\[[0-9;]+m)web/)![1]);
  });
});

describe('bad input', () => {
  it('names an unknown container, lists an ambiguous prefix, and exits 1', async () => {
    await twoStopped();
    const unknown = await runCli(['nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.toString()).toBe('tslogs: no such container: nope (tslogs ls lists the containers tslogs stores)\n');
    const ambiguous = await runCli(['a'], env);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr.toString()).toContain("container ID prefix 'a' is ambiguous; it matches 2 containers:\n  a1a1a1a1a1a1  web\n  a2a2a2a2a2a2  db\n");
  });

  // Docker's codes: 125 when pflag refuses the command line, 1 when `docker logs` refuses it after parsing.
  it.each([
    [['web', '--since', 'yesterday'], 1, 'tslogs: invalid value for "since": failed to parse value as time or duration: "yesterday"'],
    [['web', '--until', '2026-13-01'], 1, 'tslogs: invalid value for "until": parsing time "2026-13-01": month out of range'],
    [['web', '--tail', 'ten'], 125, 'tslogs: invalid value for "tail": "ten" (a number of lines, or all)'],
    [['web', '--stream', 'both'], 125, 'tslogs: invalid value for "stream": "both" (stdout or stderr)'],
    [['web', '--grep', '(a'], 125, 'tslogs: error parsing regexp for --grep: missing closing ): `(a`'],
    [['web', '--bogus'], 125, "tslogs: Unknown option '--bogus'"],
    [['web', '--tail'], 125, "tslogs: Option '-n, --tail <value>' argument missing"],
    [['-t'], 1, 'tslogs: name at least one container (or use --label KEY=VALUE or --all)'],
  ])('%j is refused with exit %i', async (args, code, message) => {
    const r = await runCli(args, env);
    expect(r.code).toBe(code);
    expect(r.stderr.toString()).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.stdout.length).toBe(0);
  });

  it('prints the usage for no arguments (exit 1, as docker logs without a container) and for help (exit 0)', async () => {
    const none = await runCli([], env);
    expect([none.code, none.stdout.length]).toEqual([1, 0]);
    expect(none.stderr.toString()).toMatch(/^Usage:/);
    const help = await runCli(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toContain('Exit codes (docker logs\' own):');
  });

  it('prints its version with --version and -v (exit 0)', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag], env);
      expect([r.code, r.stdout.toString(), r.stderr.length]).toEqual([0, `tslogs ${version}\n`, 0]);
    }
  });
});

describe('without a daemon', () => {
  it('reads the store directly; -f says once that it cannot follow and exits after the history', async () => {
    await twoStopped();
    const direct = cliEnv({ TSLOGS_SOCKET: path.join(daemon.dir, 'no.sock'), TSLOGS_ROOT: daemon.root });
    const r = await runCli(['web', 'db', '-f', '-t'], direct);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe((await runCli(['web', 'db', '-t'], env)).stdout.toString());
    expect(r.stderr.toString().match(/without following/g)).toHaveLength(1);
    const none = await runCli(['web'], cliEnv({ TSLOGS_SOCKET: path.join(daemon.dir, 'no.sock'), TSLOGS_ROOT: path.join(daemon.dir, 'nothing') }));
    expect(none.code).toBe(1);
    expect(none.stderr.toString()).toContain('no tslogs daemon answers');
  });
});
