// Named routes through the real Docker engine (README "Routes"): a managed plugin of this
// test's own (installed from the checkout, removed afterwards) whose routes file lives in
// the host directory mounted at /etc/tslogs (certs.source). A container started with
// --log-opt sinks=r1 keeps running while the file is changed to point r1 at a second HEC
// receiver: the lines after the reload arrive there, none is lost, and the container is
// never recreated. `tslogs reload` refuses a broken file with exit 1, keeping the route.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { cleanupContainers, docker, dockerOk, PLUGIN_NAME, runContainerFull, uniqueName, waitFor } from './helpers/docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NAME = process.env.TSLOGS_PLUGIN_NAME === undefined ? 'tslogs-routes-e2e' : `${PLUGIN_NAME}-routes`;
const HOST_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-routes-store-'));
/** The plugin's /etc/tslogs: the routes file is read there. */
const ETC = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-routes-etc-'));
const PLUGIN_DIR = path.join(ROOT, 'build/plugin-routes-e2e');
let a: HecReceiver;
let b: HecReceiver;

async function removePlugin(): Promise<void> {
  await docker(['plugin', 'disable', '-f', NAME]);
  await docker(['plugin', 'rm', '-f', NAME]);
}

/** Written beside and renamed over, as an editor or a config tool does: the daemon never reads half a file. */
function writeRoutes(text: string): void {
  const tmp = path.join(ETC, '.routes.json.tmp');
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, path.join(ETC, 'routes.json'));
}
const r1 = (url: string) => JSON.stringify({ routes: { r1: { 'splunk-url': url, 'splunk-token': 'routes-e2e-token' } } });

beforeAll(async () => {
  [a, b] = await Promise.all([HecReceiver.start(), HecReceiver.start()]);
  writeRoutes(r1(a.url));
  await removePlugin();
  execFileSync('bash', ['scripts/plugin-install.sh', NAME], {
    cwd: ROOT,
    env: {
      ...process.env,
      TSLOGS_SKIP_BUILD: '1',
      TSLOGS_HOST_ROOT: HOST_ROOT,
      TSLOGS_PLUGIN_DIR: PLUGIN_DIR,
      // A batch that is not full goes out 200 ms after its first line instead of Docker's 5 s.
      TSLOGS_PLUGIN_SETTINGS: `certs.source=${ETC} SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY=200ms`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
});

afterAll(async () => {
  await cleanupContainers();
  await removePlugin();
  await Promise.all([a?.close(), b?.close()]);
  for (const dir of [HOST_ROOT, ETC, PLUGIN_DIR]) fs.rmSync(dir, { recursive: true, force: true });
});

const numbers = (r: HecReceiver) => r.accepted.map((e) => Number(/^routes line (\d+)$/.exec((e as { event: { line: string } }).event.line)?.[1]));

// Not Math.max(...xs): 100,000 arguments are too many for one call.
const highest = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const lowest = (xs: number[]) => xs.reduce((m, x) => Math.min(m, x), Infinity);

async function cli(args: string[], socket: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [path.join(ROOT, 'dist/cli/main.js'), ...args, '--socket', socket], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('routes on the managed plugin', () => {
  it('moves a running container\'s route to another receiver when the file changes while 100,000 lines flow, without recreating it; nothing lost', async () => {
    const socket = `/run/docker/plugins/${await dockerOk(['plugin', 'inspect', '-f', '{{.ID}}', NAME])}/tslogs.sock`;
    const { id, name } = await runContainerFull({
      driver: NAME,
      name: uniqueName('tslogs-routes'),
      logOpts: { sinks: 'r1', 'sink-retry-min': '50ms', 'sink-retry-max': '500ms' },
      // 100,000 lines in bursts of 1,000 a tenth of a second apart (about 10 s), then a slow trickle.
      cmd: 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); echo "routes line $i"; if [ $((i % 1000)) -eq 0 ]; then sleep 0.1; fi; done; while true; do i=$((i+1)); echo "routes line $i"; sleep 0.05; done',
      network: 'host',
      detach: true,
    });
    await waitFor(() => a.accepted.length >= 5000, { timeoutMs: 60_000, what: 'lines at the first receiver' });
    const routes = await cli(['routes', '--json'], socket);
    expect(routes.code).toBe(0);
    expect(JSON.parse(routes.stdout)).toMatchObject({ routes: [{ name: 'r1', sink: 'splunk', options: { 'splunk-url': a.url, 'splunk-token': '<redacted>' }, containers: [{ id: id.slice(0, 12), name }] }] });
    expect(routes.stdout).not.toContain('routes-e2e-token');

    writeRoutes(r1(b.url));
    await waitFor(() => b.accepted.length >= 20, { timeoutMs: 60_000, what: 'lines at the second receiver after the file changed' });
    const movedAt = lowest(numbers(b));
    expect(movedAt, 'the route moved while the 100,000 lines flowed').toBeLessThan(100_000);
    await waitFor(() => highest(numbers(b)) >= 100_000, { timeoutMs: 120_000, what: 'the 100,000 lines through' });

    // A broken file: refused with what is wrong, exit 1; the route goes on as it was.
    writeRoutes('{"routes": {"r1": {"splunk-url": ');
    const refused = await cli(['reload'], socket);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('routes not reloaded, the routes in force are kept: routes file /etc/tslogs/routes.json: not valid JSON: ');
    const seen = b.accepted.length;
    await waitFor(() => b.accepted.length >= seen + 20, { timeoutMs: 60_000, what: 'more lines at the second receiver after the refused reload' });

    await dockerOk(['stop', '-t', '1', name]);
    // Never recreated: the same container, which started once.
    expect(await dockerOk(['inspect', '-f', '{{.Id}} {{.RestartCount}}', name])).toBe(`${id} 0`);
    const last = await waitFor(async () => {
      const stored = fs.readFileSync(path.join(HOST_ROOT, 'containers', id, `${id}-json.log`), 'utf8').trim().split('\n');
      const n = Number(/routes line (\d+)/.exec(stored.at(-1)!)?.[1]);
      return new Set([...numbers(a), ...numbers(b)]).size >= n && n;
    }, { timeoutMs: 60_000, what: 'every stored line at one receiver or the other' });
    const all = new Set([...numbers(a), ...numbers(b)]);
    let missing = 0;
    for (let i = 1; i <= last; i++) if (!all.has(i)) missing++;
    expect(missing, `lines lost of ${last}`).toBe(0);
    // The handover flushes the checkpoint first: at most the one batch in flight (Docker's 1,000 lines) comes twice.
    expect(a.accepted.length + b.accepted.length - all.size, 'sent twice').toBeLessThanOrEqual(1000);
    // The successor resumed after everything the first receiver acknowledged; the rest, to the end, went to the new one.
    expect(highest(numbers(a))).toBeLessThan(movedAt);
    expect(highest(numbers(b))).toBe(last);
  });
});
