// The sidecar over a fake Docker container directory written by the test the way
// dockerd writes it (rename rotation, gzip, atomic config rewrites), with an in-process
// sink: every line exactly once across rotations, start positions, truncation, corrupt
// lines, stops, restarts, removal, and the selection rules.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { EMPTY_RULES, type SelectionRules } from '../../src/sidecar/selection.js';
import { Sidecar, type SidecarParams } from '../../src/sidecar/sidecar.js';
import type { StartAt } from '../../src/router/delivery.js';
import { FakeDockerContainer, type FakeContainerOptions } from '../helpers/sidecar-fake-docker.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';
import { type RecordingLogger, recordingLogger } from '../helpers/recording-logger.js';
import { silentLogger } from '../../src/util/log.js';

const running: Sidecar[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.shutdown(2000);
});

interface Harness {
  sidecar: Sidecar;
  sinks: ScriptedSink[];
  logged: RecordingLogger;
  lines: () => string[];
  linesOf: (prefix: string) => string[];
}

function start(dockerDir: string, stateDir: string, opts: { rules?: Partial<SelectionRules>; startAt?: StartAt; make?: () => ScriptedSink; params?: Partial<SidecarParams> } = {}): Harness {
  const def = scriptedDefinition('test', opts.make ?? (() => new ScriptedSink(50)));
  const logged = recordingLogger();
  const sidecar = new Sidecar({
    dockerDir,
    stateDir,
    sinkOptions: { 'test-address': 'x', 'sink-retry-min': '5ms', 'sink-retry-max': '50ms' },
    registry: sinkRegistry([def]),
    rules: { ...EMPTY_RULES, ...opts.rules },
    startAt: opts.startAt ?? 'end',
    hostname: 'h',
    rescanMs: 200,
    pollMs: 50,
    log: logged,
    ...opts.params,
  });
  sidecar.start();
  running.push(sidecar);
  const lines = () => def.instances.flatMap((s) => s.received.map((r) => r.line));
  return { sidecar, sinks: def.instances, logged, lines, linesOf: (prefix) => lines().filter((l) => l.startsWith(prefix)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `rounds` batches of `n` numbered lines, `pauseMs` apart; the sink must get exactly them, in order, and nothing more. */
async function expectRoundsForwarded(h: Harness, c: FakeDockerContainer, prefix: string, rounds: number, n: number, pauseMs: number): Promise<void> {
  const expected: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const batch = numbered(`${prefix}${round}`, 0, n);
    c.write(batch);
    expected.push(...batch);
    await sleep(pauseMs);
  }
  await waitUntil(() => h.lines().length >= expected.length, 'all lines');
  await sleep(200);
  expect(h.lines()).toEqual(expected);
}
const numbered = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix} ${String(from + i).padStart(6, '0')}`);

/** A sidecar and one container it forwards, once it has picked the container up. */
async function pickedUp(container: FakeContainerOptions, opts: Parameters<typeof start>[2] = {}): Promise<{ h: Harness; c: FakeDockerContainer; stateDir: string }> {
  const { dockerDir, stateDir } = dirs();
  const h = start(dockerDir, stateDir, opts);
  const c = new FakeDockerContainer(dockerDir, container);
  await waitUntil(forwarding(h, c), 'pick-up');
  return { h, c, stateDir };
}

function dirs() {
  const dir = tmpDir('tslogs-sidecar-');
  const dockerDir = path.join(dir, 'containers');
  fs.mkdirSync(dockerDir);
  return { dockerDir, stateDir: path.join(dir, 'state') };
}

function forwarding(h: Harness, c: FakeDockerContainer): () => boolean {
  return () => h.sidecar.forwarded().includes(c.id) && h.sidecar.router.views().some((v) => v.containerId === c.id);
}

function dropped(h: Harness): number {
  return h.sidecar.router.views().reduce((n, v) => n + v.delivery.stats.dropped.rotated, 0);
}

describe('sidecar over a Docker container directory', () => {
  it('forwards every line once, in order, across rename rotations and gzip, from a container that appears while it runs', async () => {
    const { dockerDir, stateDir } = dirs();
    const h = start(dockerDir, stateDir);
    // ~1 rotation per burst; max-file keeps all of them, so however loaded the machine, nothing may be lost.
    const c = new FakeDockerContainer(dockerDir, { name: 'web', maxSize: 2000, maxFile: 100, compress: true });
    await waitUntil(forwarding(h, c), 'pick-up');
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = numbered('web', i * 25, i * 25 + 25);
      c.write(batch);
      expected.push(...batch);
      await sleep(20);
    }
    await waitUntil(() => h.lines().length >= expected.length, 'all lines').catch((err: Error) => {
      const got = new Set(h.lines());
      throw new Error(`${err.message}: missing ${expected.filter((l) => !got.has(l)).slice(0, 5).join(', ')}…; reports: ${h.logged.messages().join(' | ')}`);
    });
    await sleep(100);
    expect(c.rotations).toBeGreaterThan(10);
    expect(h.lines()).toEqual(expected);
    expect(dropped(h)).toBe(0);
  });

  it('loses nothing when dockerd rotates many times between two looks (readers restart from their checkpoints)', async () => {
    const { h, c } = await pickedUp({ name: 'burst', maxSize: 1000, maxFile: 100 });
    // Each round of 200 lines makes ~20 rotations in one synchronous burst.
    await expectRoundsForwarded(h, c, 'burst', 5, 200, 150);
  });

  it('also with gzip and several rotations per look', async () => {
    const { h, c } = await pickedUp({ name: 'gz', maxSize: 1500, maxFile: 60, compress: true });
    await expectRoundsForwarded(h, c, 'gz', 4, 150, 100);
  });

  it('starts containers that were there before its first start at the end (default) or the beginning; later ones from their first line', async () => {
    for (const startAt of ['end', 'beginning'] as const) {
      const { dockerDir, stateDir } = dirs();
      const old = new FakeDockerContainer(dockerDir, { name: 'old', created: '2020-01-02T03:04:05.123456789Z' });
      old.write(numbered('old', 0, 10));
      const h = start(dockerDir, stateDir, { startAt });
      await waitUntil(forwarding(h, old), 'pick-up');
      await sleep(100);
      const fresh = new FakeDockerContainer(dockerDir, { name: 'new' });
      fresh.write(numbered('new', 0, 10));
      old.write(numbered('old', 10, 20));
      await waitUntil(() => h.linesOf('new').length >= 10 && h.linesOf('old').length >= (startAt === 'end' ? 10 : 20), `${startAt}: lines`);
      await sleep(100);
      expect(h.linesOf('old')).toEqual(numbered('old', startAt === 'end' ? 10 : 0, 20));
      expect(h.linesOf('new')).toEqual(numbered('new', 0, 10));
    }
  });

  it('resumes from its checkpoints after a restart (nothing twice after a clean shutdown)', async () => {
    const { dockerDir, stateDir } = dirs();
    let h = start(dockerDir, stateDir);
    const c = new FakeDockerContainer(dockerDir, { name: 'r', maxSize: 3000, maxFile: 5 });
    await waitUntil(forwarding(h, c), 'pick-up');
    c.write(numbered('r', 0, 100));
    await waitUntil(() => h.lines().length >= 100, 'first part');
    await h.sidecar.shutdown(2000);
    running.splice(running.indexOf(h.sidecar), 1);
    const before = h.lines();
    c.write(numbered('r', 100, 200)); // written while the sidecar is down, rotating
    h = start(dockerDir, stateDir);
    c.write(numbered('r', 200, 250));
    await waitUntil(() => h.lines().length >= 150, 'the rest');
    await sleep(100);
    expect([...before, ...h.lines()]).toEqual(numbered('r', 0, 250));
  });

  it('reads a truncated file again from its start', async () => {
    const { h, c } = await pickedUp({ name: 't' });
    c.write(numbered('t', 0, 40));
    await waitUntil(() => h.lines().length >= 40, 'before truncation');
    c.truncate();
    await sleep(150);
    c.write(numbered('t', 40, 45));
    await waitUntil(() => h.lines().length >= 45, 'after truncation');
    await sleep(100);
    expect(h.lines()).toEqual(numbered('t', 0, 45));
    expect(h.logged.messages().some((r) => r.includes('was truncated'))).toBe(true);
  });

  it('reports a corrupt line with its file and offset, skips it, and goes on', async () => {
    const { h, c } = await pickedUp({ name: 'bad' });
    c.write(numbered('bad', 0, 3));
    const offset = fs.statSync(c.logPath).size;
    c.writeRaw('this is not json\n');
    c.write(numbered('bad', 3, 6));
    await waitUntil(() => h.lines().length >= 6, 'lines around the corrupt one');
    expect(h.lines()).toEqual(numbered('bad', 0, 6));
    expect(h.logged.messages()).toContainEqual(expect.stringContaining(`${c.logPath} at byte ${offset}`));
    expect(h.sidecar.router.views()[0]!.delivery.stats.dropped.corrupt).toBe(1);
  });

  it('finishes a stopped container, and picks it up again when it starts', async () => {
    const { h, c } = await pickedUp({ name: 's' });
    c.write(numbered('s', 0, 10));
    c.setRunning(false);
    await waitUntil(() => h.lines().length >= 10 && h.sidecar.router.views().length === 0, 'deliveries to end');
    c.setRunning(true);
    await waitUntil(forwarding(h, c), 'deliveries again');
    c.write(numbered('s', 10, 20));
    await waitUntil(() => h.lines().length >= 20, 'lines after the restart');
    expect(h.lines()).toEqual(numbered('s', 0, 20));
  });

  it("finishes a removed container's backlog from the files it holds open, then forgets it", async () => {
    const { h, c, stateDir } = await pickedUp({ name: 'gone', maxSize: 1500, maxFile: 3 }, { make: () => Object.assign(new ScriptedSink(20), { down: true }) });
    c.write(numbered('gone', 0, 40)); // ~2 rotations while the sink is down
    await sleep(200);
    c.setRunning(false);
    c.remove();
    await sleep(700);
    expect(fs.existsSync(c.dir)).toBe(false);
    for (const s of h.sinks) s.down = false;
    await waitUntil(() => h.lines().length >= 40 && !h.sidecar.forwarded().includes(c.id), 'backlog delivered and container forgotten');
    expect(h.lines()).toEqual(numbered('gone', 0, 40));
    await waitUntil(() => !fs.existsSync(path.join(stateDir, 'containers', c.id)), 'state removed');
  });

  it('selects containers by label, name and image; tslogs.enable=false opts out; other log drivers are skipped', async () => {
    const { dockerDir, stateDir } = dirs();
    const h = start(dockerDir, stateDir, {
      rules: { includeLabels: [{ key: 'team', value: undefined }], excludeNames: ['*-debug'], excludeImages: ['redis'] },
    });
    const make = (name: string, opts: ConstructorParameters<typeof FakeDockerContainer>[1] = {}) => new FakeDockerContainer(dockerDir, { name, labels: { team: 'a' }, ...opts });
    const yes = make('yes');
    const optOut = make('optout', { labels: { team: 'a', 'tslogs.enable': 'false' } });
    const noLabel = make('nolabel', { labels: {} });
    const debug = make('api-debug');
    const redis = make('cache', { image: 'redis:7' });
    const local = make('local', { driver: 'local' });
    await waitUntil(forwarding(h, yes), 'pick-up');
    await sleep(100);
    for (const c of [yes, optOut, noLabel, debug, redis, local]) c.write([`${c.name} line`]);
    await waitUntil(() => h.lines().length >= 1, 'the selected one');
    await sleep(300);
    expect(h.lines()).toEqual(['yes line']);
    expect(h.sidecar.forwarded()).toEqual([yes.id]);
    expect(h.sidecar.skipReason(optOut.id)).toBe('label tslogs.enable=false');
    expect(h.sidecar.skipReason(noLabel.id)).toBe('no included label');
    expect(h.sidecar.skipReason(debug.id)).toBe('excluded by name (api-debug)');
    expect(h.sidecar.skipReason(redis.id)).toBe('excluded by image (redis:7)');
    expect(h.sidecar.skipReason(local.id)).toBe('its log driver is local, not json-file');
  });

  it('refuses an unreadable Docker directory with a clear error', () => {
    const { stateDir } = dirs();
    const sidecar = new Sidecar({
      dockerDir: '/nonexistent/docker/containers', stateDir, sinkOptions: {}, registry: sinkRegistry([]), rules: EMPTY_RULES,
      startAt: 'end', hostname: 'h', rescanMs: 200, pollMs: 50, log: silentLogger,
    });
    expect(() => sidecar.start()).toThrow(
      "cannot read Docker's container directory /nonexistent/docker/containers: no such directory (run as root, with the host's directory mounted, e.g. -v /var/lib/docker/containers:/var/lib/docker/containers:ro)",
    );
  });
});
