// The README's setup path on this machine: the build leaves a runnable `tslogs` bin,
// the busybox finder accepts Debian's static busybox, and scripts/start.sh runs the
// host daemon that `docker run --log-driver …` and `docker logs` use, puts `tslogs` on
// PATH, and refuses to run when a managed plugin of the same name would take its traffic.
// (.ci/run imports the image and installs the plugin under scratch names on every run,
// so those steps are exercised from nothing before these tests start.)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BB_IMAGE, cleanupContainers, dockerLogs, dockerOk, PLUGIN_NAME, runContainerFull, uniqueName, waitFor } from './helpers/docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-install-'));

afterAll(async () => {
  await cleanupContainers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Started {
  output(): string;
  exited: Promise<number | null>;
  stop(): void;
}

function startScript(env: NodeJS.ProcessEnv): Started {
  const child = spawn('bash', [path.join(ROOT, 'scripts/start.sh')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // The script's notes go to stderr, the daemon's log lines to stdout: one transcript.
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return {
    output: () => out,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    stop: () => child.kill('SIGTERM'),
  };
}

describe('the build', () => {
  it('leaves dist/cli/main.js executable, so npx tslogs runs', () => {
    const mode = fs.statSync(path.join(ROOT, 'dist/cli/main.js')).mode;
    expect(mode & 0o111, 'execute bits of dist/cli/main.js').toBe(0o111);
    const r = spawnSync('npx', ['--no-install', 'tslogs', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}tslogs CONTAINER/);
  });
});

describe('scripts/lib/docker-env.sh', () => {
  it('finds the statically linked busybox under set -euo pipefail (ldd exits 1 on it)', () => {
    const r = spawnSync('bash', ['-c', 'set -euo pipefail; source scripts/lib/docker-env.sh; _tslogs_find_busybox'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\/(usr\/)?bin\/busybox$/);
  });
});

describe('scripts/start.sh', () => {
  it('runs the host daemon that docker run and docker logs use, and puts tslogs on PATH', async () => {
    const driver = uniqueName('tslogs-start');
    const prefix = path.join(tmp, 'npm-prefix');
    const started = startScript({
      TSLOGS_SOCKET: `/run/docker/plugins/${driver}.sock`,
      TSLOGS_ROOT: path.join(tmp, 'store'),
      // The suite's own npm ci and build are what start.sh would run; a second build would pull dist/ from under other tests.
      TSLOGS_SKIP_INSTALL: '1',
      TSLOGS_SKIP_BUILD: '1',
      npm_config_prefix: prefix,
      PATH: `${prefix}/bin:${process.env.PATH ?? ''}`,
    });
    try {
      await waitFor(() => started.output().includes('tslogs plugin listening'), { timeoutMs: 60_000, what: 'start.sh listening' }).catch((e: Error) => {
        throw new Error(`${e.message}; its output:\n${started.output()}`);
      });
      expect(started.output()).toContain(`tslogs command: ${prefix}/bin/tslogs`);
      expect(started.output()).toContain(`use --log-driver ${driver}`);
      const run = await runContainerFull({ driver, image: BB_IMAGE, cmd: ['sh', '-c', 'echo one; echo two >&2; echo three'] });
      expect(run.exitCode).toBe(0);
      const logs = await dockerLogs(run.id);
      expect(logs.code).toBe(0);
      expect(logs.stdout.toString()).toBe('one\nthree\n');
      expect(logs.stderr.toString()).toBe('two\n');
      const help = spawnSync(path.join(prefix, 'bin/tslogs'), ['--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Usage:/);
    } finally {
      started.stop();
    }
    expect(await started.exited).toBe(0);
  });

  it('refuses to run when a managed plugin of the same name would receive every container', async () => {
    const name = PLUGIN_NAME.replace(/:latest$/, '');
    await dockerOk(['plugin', 'inspect', name]);
    const started = startScript({
      TSLOGS_SOCKET: `/run/docker/plugins/${name}.sock`,
      TSLOGS_ROOT: path.join(tmp, 'refused'),
      TSLOGS_SKIP_INSTALL: '1',
      TSLOGS_SKIP_BUILD: '1',
      TSLOGS_NO_LINK: '1',
    });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(`a managed plugin named ${name} is installed`);
    expect(started.output()).toContain(`docker plugin disable -f ${name} && docker plugin rm ${name}`);
    expect(fs.existsSync(`/run/docker/plugins/${name}.sock`), 'no socket was created').toBe(false);
  });
});
