// Checks that the environment is what the other e2e tests assume (scripts/test-all.sh
// sets it up). These tests fail, never skip, when Docker is missing.
import { afterAll, describe, expect, it } from 'vitest';
import {
  BB_IMAGE,
  DOCKER_BIN,
  cleanupContainers,
  docker,
  dockerJsonFileFor,
  dockerLogs,
  dockerOk,
  parseJsonLines,
  runContainerFull,
} from './helpers/docker.js';
import { readFile } from 'node:fs/promises';

afterAll(cleanupContainers);

describe('docker engine', () => {
  it('the daemon is reachable and is Docker Engine 20.10', async () => {
    const r = await docker(['version', '-f', '{{.Server.Version}}'], { timeoutMs: 30_000 });
    expect(r.stderr.toString(), `${DOCKER_BIN} version failed`).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString().trim()).toMatch(/^20\.10\./);
  });

  it(`the image ${BB_IMAGE} exists and has the applets the workloads use`, async () => {
    await dockerOk(['image', 'inspect', '-f', '{{.Id}}', BB_IMAGE]);
    const applets = 'sh echo printf seq head tr cat sleep yes dd od';
    const r = await docker([
      'run', '--rm', '--network', 'none', '--log-driver', 'none', BB_IMAGE,
      'sh', '-c', `for a in ${applets}; do which $a >/dev/null || echo "missing $a"; done`,
    ]);
    expect(r.stdout.toString() + r.stderr.toString()).toBe('');
    expect(r.code).toBe(0);
  });

  it('json-file round trip: echo hello comes back from docker logs and the LogPath file', async () => {
    const { id, exitCode } = await runContainerFull({ driver: 'json-file', cmd: 'echo hello; echo oops >&2' });
    expect(exitCode).toBe(0);

    const logs = await dockerLogs(id);
    expect(logs.code).toBe(0);
    expect(logs.stdout.toString()).toBe('hello\n');
    expect(logs.stderr.toString()).toBe('oops\n');

    const file = await dockerJsonFileFor(id);
    expect(file).toMatch(new RegExp(`/containers/${id}/${id}-json\\.log$`));
    const entries = parseJsonLines(await readFile(file));
    expect(entries.map((e) => [e.log, e.stream]).sort()).toEqual([
      ['hello\n', 'stdout'],
      ['oops\n', 'stderr'],
    ]);
    for (const e of entries) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  });
});
