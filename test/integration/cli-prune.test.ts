// `tslogs prune` against a store and a stand-in Docker engine (GET /containers/json on a
// unix socket): lists by default, deletes with --force, refuses when the engine does not
// answer or is not the store's, keeps what a daemon still delivers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionFiles } from '../../src/daemon/session-file.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { saveInfo } from '../../src/store/container-info-file.js';
import { cliEnv, frame, info, runCli, TestDaemon } from '../helpers/cli-harness.js';
import { ScriptedSink, scriptedDefinition } from '../helpers/test-sinks.js';
import { tmpDir } from '../helpers/tmp.js';

const KEPT = 'd1'.repeat(32);
const GONE = 'd2'.repeat(32);
const OTHER = 'd3'.repeat(32);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A Docker engine that has exactly `ids`. */
async function engine(dir: string, ids: string[]): Promise<string> {
  const socket = path.join(dir, 'docker.sock');
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/containers/json')) return void res.writeHead(404).end('{}');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(ids.map((Id) => ({ Id, Names: [`/n${Id.slice(0, 4)}`], State: 'exited' }))));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `unix://${socket}`;
}

function storeOf(root: string, id: string, bytes: number): void {
  saveInfo(root, info(id, `n${id.slice(0, 4)}`));
  fs.writeFileSync(path.join(root, 'containers', id, `${id}-json.log`), 'x'.repeat(bytes - 1) + '\n');
}

function setup() {
  const dir = tmpDir('tslogs-cli-prune-');
  const root = path.join(dir, 'store');
  storeOf(root, KEPT, 100);
  storeOf(root, GONE, 2000);
  const env = (dockerHost: string) => cliEnv({ TSLOGS_ROOT: root, TSLOGS_SOCKET: path.join(dir, 'no-daemon.sock'), DOCKER_HOST: dockerHost });
  return { dir, root, env };
}

const exists = (root: string, id: string) => fs.existsSync(path.join(root, 'containers', id));

describe('tslogs prune', () => {
  it('lists the containers the engine no longer has without deleting them; --force deletes them and their sessions', async () => {
    const { dir, root, env } = setup();
    // Left by a daemon stopped before the FIFO's end; the FIFO went with the container.
    new SessionFiles(root).save({ File: path.join(dir, 'fifo-gone'), Info: info(GONE, 'gone') });
    const host = await engine(dir, [KEPT, OTHER]);

    const dry = await runCli(['prune'], env(host));
    expect([dry.code, dry.stderr.toString()]).toEqual([0, '']);
    expect(dry.stdout.toString()).toMatch(new RegExp(`^CONTAINER ID +NAME +SIZE +ACTION\n${GONE.slice(0, 12)} +nd2d2 +\\d+(\\.\\d+)?kB +would delete\n`));
    expect(dry.stdout.toString()).toMatch(/\n1 removed containers \(.*kB\) would be deleted: run tslogs prune --force to delete them\n$/);
    expect(exists(root, GONE)).toBe(true);

    const forced = await runCli(['prune', '--force', '--json'], env(host));
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout.toString())).toEqual([{ id: GONE, name: 'nd2d2', size: expect.any(Number) as number, action: 'deleted' }]);
    expect(exists(root, GONE)).toBe(false);
    expect(exists(root, KEPT)).toBe(true);
    expect(fs.readdirSync(path.join(root, 'sessions'))).toEqual([]);
    expect((await runCli(['prune'], env(host))).stdout.toString()).toBe(`no removed container in ${root}\n`);
  });

  it('deletes nothing when the engine does not answer', async () => {
    const { dir, root, env } = setup();
    const r = await runCli(['prune', '-f'], env(`unix://${path.join(dir, 'none.sock')}`));
    expect(r.code).toBe(1);
    expect(r.stderr.toString()).toMatch(/^tslogs: cannot list Docker's containers at unix:\/\/.*none\.sock, so nothing is known to be removed and nothing was deleted/);
    expect(exists(root, GONE)).toBe(true);
  });

  it('deletes nothing when the store has a session for a container the engine does not know (another engine)', async () => {
    const { dir, root, env } = setup();
    const fifo = path.join(dir, 'fifo-live');
    execFileSync('mkfifo', [fifo]);
    new SessionFiles(root).save({ File: fifo, Info: info(OTHER, 'elsewhere') });
    const r = await runCli(['prune', '--force'], env(await engine(dir, [KEPT])));
    expect(r.code).toBe(1);
    expect(r.stderr.toString()).toContain(`has a live logging session for container ${OTHER.slice(0, 12)}, which the engine at unix://`);
    expect(exists(root, GONE)).toBe(true);
  });

  it('keeps a removed container whose sink a running daemon still delivers to', async () => {
    const down = scriptedDefinition('beta', () => Object.assign(new ScriptedSink(), { down: true }));
    const daemon = await TestDaemon.start(tmpDir('tslogs-cli-prune-d-'), sinkRegistry([down]));
    closers.push(() => daemon.stop());
    const c = await daemon.container(GONE, 'gone', { 'beta-address': 'x' });
    await c.write(frame(0, 'never sent\n'));
    await c.stored(1);
    await c.stop();
    const env = cliEnv({ TSLOGS_ROOT: daemon.root, TSLOGS_SOCKET: daemon.socket, DOCKER_HOST: await engine(daemon.dir, [KEPT]) });
    const r = await runCli(['prune', '--force', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject([{ id: GONE, action: 'kept: a daemon is still delivering it to a sink' }]);
    expect(exists(daemon.root, GONE)).toBe(true);
  });
});
