// `tslogs <container>` against `docker logs <container>` with the real engine and the
// installed plugin (PLUGIN_NAME, store STORE_ROOT): for every workload and flag set, the
// same bytes on stdout and on stderr. Then follow (new lines within a second, exit when
// the container stops, nothing lost across rotations), merged multi-container output,
// `tslogs ls` states, and the same bytes read straight from the store without a daemon.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteDiff, limiter, parseEntries, readStore, waitForStoreLines, type Entry } from './helpers/compat.js';
import {
  cleanupContainers,
  dockerLogs,
  dockerOk,
  PLUGIN_NAME,
  runContainerFull,
  storeFileFor,
  STORE_ROOT,
  uniqueName,
  waitContainer,
  waitFor,
} from './helpers/docker.js';
import { allWorkloads, ticker, type Workload } from './helpers/workloads.js';

const CLI_MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

interface Result {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

interface Running {
  stdout(): Buffer;
  done: Promise<Result>;
  kill(): void;
}

/** The CLI finds the plugin's socket itself; the test pins it to PLUGIN_NAME's (several plugins may be installed). */
let cliEnv: NodeJS.ProcessEnv;

function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = cliEnv): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  return {
    stdout: () => Buffer.concat(out),
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }))),
    kill: () => child.kill('SIGKILL'),
  };
}

const tslogs = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Result> => spawnCli(args, env).done;

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TSLOGS_ROOT: STORE_ROOT };
  delete env.NO_COLOR;
  const id = await dockerOk(['plugin', 'inspect', '-f', '{{.Id}}', PLUGIN_NAME]).catch(() => undefined);
  if (id !== undefined) env.TSLOGS_SOCKET = `/run/docker/plugins/${id}/tslogs.sock`;
  cliEnv = env;
});
afterAll(cleanupContainers);

const WORKLOADS = allWorkloads();
const slot = limiter(4);
const runs = new Map<string, Promise<{ id: string; name: string; entries: Entry[] }>>();

async function runWorkload(w: Workload): Promise<{ id: string; name: string; entries: Entry[] }> {
  const r = await runContainerFull({ driver: PLUGIN_NAME, cmd: w.cmd, name: uniqueName(`cli-${w.name}`) });
  const want = w.stdout.toString('latin1').split('\n').length - 1 + w.stderr.toString('latin1').split('\n').length - 1;
  await waitForStoreLines(storeFileFor(r.id), Math.max(1, want - 2));
  return { id: r.id, name: r.name, entries: parseEntries(await readStore(storeFileFor(r.id))) };
}

beforeAll(() => {
  for (const w of WORKLOADS) {
    const p = slot(() => runWorkload(w));
    p.catch(() => undefined);
    runs.set(w.name, p);
  }
});

/** Flag sets of docker logs; since/until come from the container's own entries. */
function flagSets(entries: readonly Entry[]): string[][] {
  const at = (i: number): string => entries[Math.max(0, Math.min(i, entries.length - 1))]!.time;
  return [
    [],
    ['-t'],
    ['--details'],
    ['--timestamps', '--details'],
    ['--tail', '5'],
    ['-n', '0'],
    ['--tail', 'all', '-t'],
    ['--since', at(2)],
    ['--until', at(6)],
    ['--since', at(1), '--until', at(4), '-t'],
    ['--tail', '3', '--since', at(0)],
    ['--since', '10m'],
    ['--until', '-1h'],
    ['--since', String(Math.floor(Date.parse(at(3)) / 1000))],
  ];
}

describe.each(WORKLOADS.map((w) => [w.name, w] as const))('tslogs %s', (_name, w) => {
  it.concurrent('prints what docker logs prints, byte for byte, for every flag set', async ({ expect: ex }) => {
    const run = await runs.get(w.name)!;
    for (const flags of flagSets(run.entries)) {
      const ref = run.name.length % 2 === 0 ? run.name : run.id.slice(0, 10); // by name and by ID prefix
      const [d, t] = await Promise.all([dockerLogs(run.id, flags, { timeoutMs: 120_000 }), tslogs([ref, ...flags])]);
      ex(t.code, `tslogs ${flags.join(' ')}: ${t.stderr.toString().slice(0, 300)}`).toBe(0);
      ex(d.code).toBe(0);
      ex(byteDiff(t.stdout, d.stdout), `stdout with ${JSON.stringify(flags)}`).toBeUndefined();
      ex(byteDiff(t.stderr, d.stderr), `stderr with ${JSON.stringify(flags)}`).toBeUndefined();
    }
  });
});

describe('tslogs without a daemon', () => {
  it.concurrent('reads the same bytes straight from the store', async ({ expect: ex }) => {
    const env = { ...cliEnv, TSLOGS_SOCKET: '/nonexistent/tslogs.sock' };
    for (const name of ['interleaved-500', 'tricky-bytes', 'long-line-40000']) {
      const run = await runs.get(name)!;
      for (const flags of [[], ['-t', '--details'], ['--tail', '7']]) {
        const [d, t] = await Promise.all([dockerLogs(run.id, flags), tslogs([run.id, ...flags], env)]);
        ex(byteDiff(t.stdout, d.stdout), `${name} stdout ${flags.join(' ')}`).toBeUndefined();
        ex(byteDiff(t.stderr, d.stderr), `${name} stderr ${flags.join(' ')}`).toBeUndefined();
      }
    }
  });
});

describe('tslogs -f', () => {
  it('prints each new line within a second, ends when the container stops, and equals docker logs -f', async () => {
    const w = ticker(6, 1);
    const c = await runContainerFull({ driver: PLUGIN_NAME, cmd: w.cmd, name: uniqueName('cli-follow'), detach: true });
    await waitFor(async () => (await readStore(storeFileFor(c.id)).catch(() => Buffer.alloc(0))).length > 0, { timeoutMs: 20_000, what: 'first tick' });
    const follow = spawnCli([c.name, '-f', '-t']);
    const docker = spawn('/usr/bin/docker', ['logs', '-f', '-t', c.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    const dockerOut: Buffer[] = [];
    docker.stdout.on('data', (b: Buffer) => dockerOut.push(b));
    const dockerDone = new Promise((resolve) => docker.on('close', resolve));
    // Each tick appears soon after it is stored.
    for (let i = 2; i <= 4; i++) {
      const stored = await waitFor(async () => ((await readStore(storeFileFor(c.id))).toString().includes(`tick ${i}\\n`) ? Date.now() : undefined), { timeoutMs: 10_000, intervalMs: 20, what: `tick ${i} stored` });
      const seen = await waitFor(() => (follow.stdout().toString().includes(`tick ${i}\n`) ? Date.now() : undefined), { timeoutMs: 5_000, intervalMs: 20, what: `tick ${i} printed` });
      expect(seen - stored).toBeLessThan(1000);
    }
    await waitContainer(c.id);
    const r = await Promise.race([follow.done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('tslogs -f did not end after the container stopped')), 15_000))]);
    await dockerDone;
    expect(r.code).toBe(0);
    expect(byteDiff(r.stdout, Buffer.concat(dockerOut))).toBeUndefined();
    expect(r.stdout.toString().split('\n').filter(Boolean)).toHaveLength(6);
  });

  it('loses nothing across rotations', async () => {
    // A file every ~28 lines, 600 lines in ~3 s: the follower is never a whole max-file
    // behind (then, like docker logs -f, it would lose what rotation deleted).
    const c = await runContainerFull({
      driver: PLUGIN_NAME,
      logOpts: { 'max-size': '2k', 'max-file': '3' },
      cmd: 'sleep 3; i=1; while [ $i -le 600 ]; do echo "line $i"; i=$((i+1)); usleep 4000; done',
      name: uniqueName('cli-rotate'),
      detach: true,
    });
    const follow = spawnCli([c.id, '-f']);
    const docker = spawn('/usr/bin/docker', ['logs', '-f', c.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    const dockerOut: Buffer[] = [];
    docker.stdout.on('data', (b: Buffer) => dockerOut.push(b));
    const dockerDone = new Promise((resolve) => docker.on('close', resolve));
    await waitContainer(c.id);
    const r = await follow.done;
    await dockerDone;
    const expected = Array.from({ length: 600 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(byteDiff(r.stdout, Buffer.from(expected))).toBeUndefined();
    expect(byteDiff(r.stdout, Buffer.concat(dockerOut))).toBeUndefined();
    const files = (await readdir(path.dirname(storeFileFor(c.id)))).filter((f) => f.includes('-json.log'));
    expect(files.length).toBe(3); // it rotated (often) while followed
  });
});

describe('several containers', () => {
  it('merges them in time order with name prefixes (no colour off a terminal)', async () => {
    const names = [uniqueName('cli-m-a'), uniqueName('cli-m-b')];
    const cmd = (tag: string) => `i=1; while [ $i -le 30 ]; do echo "${tag} $i"; usleep 30000; i=$((i+1)); done`;
    const [a, b] = await Promise.all(names.map((name, k) => runContainerFull({ driver: PLUGIN_NAME, cmd: cmd(k === 0 ? 'A' : 'B'), name })));
    await Promise.all([a!, b!].map((c) => waitForStoreLines(storeFileFor(c.id), 30)));
    const r = await tslogs([names[0]!, names[1]!, '-t']);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(60);
    expect(r.stdout.toString()).not.toContain('\x1b[');
    const width = Math.max(names[0]!.length, names[1]!.length);
    const times = lines.map((l) => {
      const m = /^(\S+) +\| (\S+) ([AB]) \d+$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(l.indexOf('|')).toBe(width + 1);
      return m![2]!;
    });
    expect(times).toEqual([...times].sort());
    // Each container's own lines are what docker logs -t prints for it.
    for (const [k, c] of [a!, b!].entries()) {
      const own = lines.filter((l) => l.startsWith(names[k]! + ' ')).map((l) => l.slice(width + 3) + '\n').join('');
      expect(own).toBe((await dockerLogs(c.id, ['-t'])).stdout.toString());
    }
  });
});

describe('tslogs ls', () => {
  it("shows Docker's state of each container", async () => {
    const c = await runContainerFull({ driver: PLUGIN_NAME, cmd: 'echo up; sleep 30', name: uniqueName('cli-ls'), detach: true });
    await waitFor(async () => (await readStore(storeFileFor(c.id)).catch(() => Buffer.alloc(0))).length > 0, { timeoutMs: 20_000, what: 'first line' });
    const done = await runs.get('empty-lines')!;
    const json = JSON.parse((await tslogs(['ls', '--json'])).stdout.toString()) as { id: string; name: string; state: string; size: number }[];
    expect(json.find((r) => r.id === c.id)).toMatchObject({ name: c.name, state: 'running' });
    expect(json.find((r) => r.id === done.id)).toMatchObject({ state: 'exited' });
    await dockerOk(['rm', '-f', c.id]);
  });
});

describe('container names', () => {
  it('says why a container Docker knows has no tslogs log, and exits 1', async () => {
    const c = await runContainerFull({ driver: 'json-file', cmd: 'echo hi', name: uniqueName('cli-jf') });
    const r = await tslogs([c.name]);
    expect(r.code).toBe(1);
    expect(r.stderr.toString()).toBe(`tslogs: container '${c.name}' (${c.id.slice(0, 12)}) has no log in tslogs' store (its log driver is json-file); use docker logs\n`);
    const unknown = await tslogs(['no-such-container-anywhere']);
    expect([unknown.code, unknown.stderr.toString()]).toEqual([1, 'tslogs: no such container: no-such-container-anywhere (tslogs ls lists the containers tslogs stores)\n']);
  });
});
