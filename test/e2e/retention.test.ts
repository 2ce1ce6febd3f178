// Logs of removed containers through the real engine (README, "Removed containers"): a
// stopped container keeps `docker logs`; after `docker rm`, its store, checkpoints and
// session go within two checks of dockerd's containers directory; a directory that is
// not dockerd's turns pruning off with one warning. For the managed plugin under test
// (scripts/test-all.sh installs it with TSLOGS_PRUNE_INTERVAL=2s) and for a host daemon.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody, request } from '../../src/cli/http-unix.js';
import { parseGoDuration } from '../../src/go/duration.js';
import { cleanupContainers, dockerLogs, dockerOk, PLUGIN_NAME, rm, runContainerFull, STORE_ROOT, waitFor } from './helpers/docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-retention-'));
let receiver: dgram.Socket;
let gelfPort = 0;

beforeAll(async () => {
  // A GELF sink that accepts everything, so each container has a checkpoint to delete.
  receiver = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  gelfPort = receiver.address().port;
});

afterAll(async () => {
  await cleanupContainers();
  receiver.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function metrics(socket: string): Promise<Map<string, number>> {
  const body = (await readBody(await request(socket, 'GET', '/metrics', { timeoutMs: 5_000 }))).toString();
  const out = new Map<string, number>();
  for (const m of body.matchAll(/^(tslogs_removed_containers_\w+) (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** Resolves once `n` more checks have run. */
async function checksPass(socket: string, n: number, intervalMs: number): Promise<void> {
  const from = (await metrics(socket)).get('tslogs_removed_containers_checks_total') ?? 0;
  await waitFor(async () => ((await metrics(socket)).get('tslogs_removed_containers_checks_total') ?? 0) >= from + n, {
    timeoutMs: (n + 1) * intervalMs + 10_000,
    intervalMs: 100,
    what: `${n} checks for removed containers`,
  });
}

/** dockerd's containers directory, from its data-root. */
async function dockerContainersDir(): Promise<string> {
  return path.join(await dockerOk(['info', '-f', '{{.DockerRootDir}}']), 'containers');
}

function sessionsOf(root: string, id: string): string[] {
  const dir = path.join(root, 'sessions');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes(id)) : [];
}

/**
 * The case every daemon must pass: a stopped container is kept through several checks and
 * `docker logs` still reads it; after `docker rm` its store, checkpoint and session are
 * deleted within two more checks (plus the one running), and the counter counts it.
 */
async function stoppedKeptRemovedPruned(driver: string, root: string, socket: string, intervalMs: number): Promise<void> {
  const run = await runContainerFull({ driver, logOpts: { 'gelf-address': `udp://127.0.0.1:${gelfPort}` }, cmd: 'echo one; echo two >&2' });
  expect(run.exitCode).toBe(0);
  const store = path.join(root, 'containers', run.id);
  await waitFor(() => fs.existsSync(path.join(store, 'checkpoints', 'gelf.json')), { timeoutMs: 20_000, what: 'the gelf checkpoint' });
  await checksPass(socket, 3, intervalMs);
  const logs = await dockerLogs(run.id);
  expect([logs.code, logs.stdout.toString(), logs.stderr.toString()]).toEqual([0, 'one\n', 'two\n']);
  expect(fs.existsSync(path.join(store, `${run.id}-json.log`)), 'the stopped container is kept').toBe(true);

  const pruned = (await metrics(socket)).get('tslogs_removed_containers_pruned_total') ?? 0;
  await rm(run.id);
  // Two checks must see the directory gone; the one running at `docker rm` may have listed it before.
  await waitFor(() => !fs.existsSync(store), { timeoutMs: 3 * intervalMs + 10_000, intervalMs: 100, what: `the store of ${run.id} to be deleted` });
  expect(sessionsOf(root, run.id)).toEqual([]);
  expect((await metrics(socket)).get('tslogs_removed_containers_pruned_total')).toBeGreaterThan(pruned);
  expect((await metrics(socket)).get('tslogs_removed_containers_pruning')).toBe(1);
}

describe('removed containers, managed plugin', () => {
  it('a stopped container keeps docker logs; after docker rm its store, checkpoints and session are deleted', async () => {
    const id = await dockerOk(['plugin', 'inspect', '-f', '{{.Id}}', PLUGIN_NAME]);
    const env = JSON.parse(await dockerOk(['plugin', 'inspect', '-f', '{{json .Settings.Env}}', PLUGIN_NAME])) as string[];
    const interval = env.find((e) => e.startsWith('TSLOGS_PRUNE_INTERVAL='))?.slice('TSLOGS_PRUNE_INTERVAL='.length);
    expect(interval, `plugin ${PLUGIN_NAME} has the setting TSLOGS_PRUNE_INTERVAL (installed from this checkout?)`).toBeDefined();
    await stoppedKeptRemovedPruned(PLUGIN_NAME, STORE_ROOT, `/run/docker/plugins/${id}/tslogs.sock`, parseGoDuration(interval!));
  });
});

interface HostDaemon {
  driver: string;
  root: string;
  socket: string;
  output(): string;
  stop(): Promise<void>;
}

async function startHostDaemon(env: Record<string, string>): Promise<HostDaemon> {
  const driver = `tslogs-prune-${randomBytes(4).toString('hex')}`;
  const root = fs.mkdtempSync(path.join(tmp, 'store-'));
  const socket = `/run/docker/plugins/${driver}.sock`;
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'plugin'], {
    env: { ...process.env, TSLOGS_ROOT: root, TSLOGS_SOCKET: socket, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await waitFor(() => out.includes('tslogs plugin listening'), { timeoutMs: 30_000, what: `the host daemon; its output:\n${out}` });
  return {
    driver,
    root,
    socket,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(socket, { force: true });
    },
  };
}

describe('removed containers, host daemon', () => {
  it('a stopped container keeps docker logs; after docker rm its store, checkpoints and session are deleted', async () => {
    const daemon = await startHostDaemon({ TSLOGS_PRUNE_INTERVAL: '500ms', TSLOGS_DOCKER_CONTAINERS: await dockerContainersDir() });
    try {
      await stoppedKeptRemovedPruned(daemon.driver, daemon.root, daemon.socket, 500);
      expect(daemon.output()).toContain('was removed: deleted its logs, checkpoints and session');
    } finally {
      await daemon.stop();
    }
  });

  it("with TSLOGS_DOCKER_CONTAINERS naming a directory that is not dockerd's, deletes nothing and warns once", async () => {
    const wrong = fs.mkdtempSync(path.join(tmp, 'not-dockerd-'));
    const daemon = await startHostDaemon({ TSLOGS_PRUNE_INTERVAL: '300ms', TSLOGS_DOCKER_CONTAINERS: wrong });
    try {
      const run = await runContainerFull({ driver: daemon.driver, cmd: 'echo up; sleep 60', detach: true });
      await waitFor(() => daemon.output().includes('containers logging now have no directory in'), { timeoutMs: 20_000, what: 'the warning' });
      await rm(run.id);
      await checksPass(daemon.socket, 4, 300);
      expect(fs.existsSync(path.join(daemon.root, 'containers', run.id, `${run.id}-json.log`))).toBe(true);
      const warnings = daemon.output().split('\n').filter((l) => l.includes('"level":40'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`containers logging now have no directory in ${wrong}`);
      expect(warnings[0]).toContain('TSLOGS_DOCKER_CONTAINERS');
      expect((await metrics(daemon.socket)).get('tslogs_removed_containers_pruning')).toBe(0);
    } finally {
      await daemon.stop();
    }
  });
});
