// Daemons in their own processes, so a test can kill -9 them; every one is killed after its test.
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { afterEach } from 'vitest';
import { waitUntil } from './wait.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** `command args`, killed with SIGKILL after the test. */
export function spawnForTest(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  children.push(child);
  return child;
}

/**
 * The real entry point, `tslogs plugin`, as dockerd starts it, under `umask` when given and
 * with `env` added; resolves once its socket exists, rejects when it exits first.
 */
export async function startPluginProcess(root: string, socket: string, umask?: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const node = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'plugin'];
  const [command, ...args] = umask === undefined ? node : ['sh', '-c', `umask ${umask} && exec "$@"`, 'sh', ...node];
  const child = spawnForTest(command!, args, {
    env: { ...process.env, TSLOGS_ROOT: root, TSLOGS_SOCKET: socket, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`plugin exited early with ${code}`))));
  await Promise.race([waitUntil(() => fs.existsSync(socket), 'the plugin socket', 30_000, 20), exited]);
  return child;
}

/**
 * test/helpers/daemon-child.ts (the driver with a file sink that fsyncs before it
 * acknowledges) in its own process, on `root` and `socket`; resolves once it serves.
 */
export function startDaemonChild(root: string, socket: string): Promise<ChildProcess> {
  const child = spawnForTest(process.execPath, ['--import', 'tsx', 'test/helpers/daemon-child.ts', root, socket], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[daemon] ${d}`));
    child.on('exit', (code) => reject(new Error(`daemon exited with ${code} before it was ready`)));
  });
}
