// Small harness for the e2e tests: runs the Docker CLI (Debian's 20.10 client, same as
// the daemon) and a few container helpers. The environment is prepared by
// scripts/test-all.sh (dockerd, image tslogs-bb:latest, plugin tslogs).
//
// Containers get unique names (uniqueName) so that test files can run cases
// concurrently; every container created here is remembered and removed by
// cleanupContainers() (call it in afterAll).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The docker client: $DOCKER, else /usr/bin/docker (not the newer /usr/local/bin one). */
export const DOCKER_BIN: string =
  process.env.DOCKER ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');
/** The busybox image every test container runs. */
export const BB_IMAGE: string = process.env.TSLOGS_BB_IMAGE ?? 'tslogs-bb:latest';
/** Name of the installed managed plugin (scripts/plugin-install.sh). */
export const PLUGIN_NAME: string = process.env.TSLOGS_PLUGIN_NAME ?? 'tslogs';
/** Host directory of the plugin's log store. */
export const STORE_ROOT: string = process.env.TSLOGS_ROOT ?? '/var/lib/tslogs';

export interface DockerResult {
  /** Exit code; -1 when the process was killed by a signal. */
  code: number;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface DockerOptions {
  /** Written to the client's stdin (otherwise stdin is /dev/null). */
  input?: string | Buffer;
  /** Kill the client (SIGKILL) after this many ms and reject. Default: no limit. */
  timeoutMs?: number;
  /** Reject with DockerError when the exit code is not 0. Default false. */
  check?: boolean;
  /** Extra environment for the client. */
  env?: Record<string, string>;
}

export class DockerError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: DockerResult,
    reason?: string,
  ) {
    super(
      `docker ${args.join(' ')}: ${reason ?? `exit code ${result.code}`}` +
        (result.stderr.length ? `\n${result.stderr.toString('utf8').trimEnd()}` : ''),
    );
    this.name = 'DockerError';
  }
}

function collect(child: ChildProcess): { stdout: () => Buffer; stderr: () => Buffer } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  return { stdout: () => Buffer.concat(out), stderr: () => Buffer.concat(err) };
}

function spawnClient(args: readonly string[], opts: DockerOptions): ChildProcess {
  const child = spawn(DOCKER_BIN, args, {
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: opts.env ? { ...process.env, ...opts.env } : process.env,
  });
  if (opts.input !== undefined) {
    child.stdin?.on('error', () => {}); // the client may exit before reading everything
    child.stdin?.end(opts.input);
  }
  return child;
}

/** Runs `docker ...args` and collects its output. Rejects if the client cannot start. */
export function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawnClient(args, opts);
    const io = collect(child);
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`cannot run ${DOCKER_BIN}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result: DockerResult = { code: code ?? -1, signal, stdout: io.stdout(), stderr: io.stderr() };
      if (timedOut) reject(new DockerError(args, result, `timed out after ${opts.timeoutMs} ms`));
      else if (opts.check && result.code !== 0) reject(new DockerError(args, result));
      else resolve(result);
    });
  });
}

/** `docker ...args` that must succeed; resolves to trimmed stdout text. */
export async function dockerOk(args: readonly string[], opts: Omit<DockerOptions, 'check'> = {}): Promise<string> {
  const r = await docker(args, { ...opts, check: true });
  return r.stdout.toString('utf8').trim();
}

/** A long-running client (e.g. `docker logs -f`) whose output can be watched while it runs. */
export interface DockerProcess {
  child: ChildProcess;
  stdout(): Buffer;
  stderr(): Buffer;
  /** Resolves when the client exits (never rejects for a non-zero exit). */
  done: Promise<DockerResult>;
  /** Waits until stdout satisfies pred (polling), or rejects after timeoutMs. */
  waitForStdout(pred: (stdout: Buffer) => boolean, timeoutMs?: number): Promise<Buffer>;
  /** Sends a signal (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<DockerResult>;
}

export function spawnDocker(args: readonly string[], opts: Omit<DockerOptions, 'check' | 'timeoutMs'> = {}): DockerProcess {
  const child = spawnClient(args, opts);
  const io = collect(child);
  const done = new Promise<DockerResult>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`cannot run ${DOCKER_BIN}: ${e.message}`)));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? -1, signal, stdout: io.stdout(), stderr: io.stderr() }),
    );
  });
  const proc: DockerProcess = {
    child,
    stdout: io.stdout,
    stderr: io.stderr,
    done,
    waitForStdout: (pred, timeoutMs = 30_000) =>
      waitFor(() => {
        const b = io.stdout();
        return pred(b) ? b : undefined;
      }, { timeoutMs, what: `stdout of docker ${args.join(' ')}` }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    },
  };
  return proc;
}

/** Polls fn until it returns something other than undefined/false/null; returns that value. */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------
// Containers

const created = new Set<string>();

/** A container name unique across concurrent cases and runs: `<prefix>-<time>-<random>`. */
export function uniqueName(prefix = 'tslogs-e2e'): string {
  const clean = prefix.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '') || 'c';
  return `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface RunOptions {
  /** --log-driver, e.g. 'json-file' or PLUGIN_NAME. */
  driver: string;
  /** --log-opt key=value pairs. */
  logOpts?: Record<string, string>;
  /** A string runs as `sh -c <cmd>`; an array is the command and its arguments. */
  cmd: string | readonly string[];
  /** Container name (default uniqueName()). */
  name?: string;
  labels?: Record<string, string>;
  env?: Record<string, string>;
  /** Return as soon as the container is started instead of waiting for it to exit. */
  detach?: boolean;
  /** 'none' (default) or 'host'. Never create networks. */
  network?: 'none' | 'host';
  /** Allocate a TTY (-t). */
  tty?: boolean;
  /** More `docker run` flags, placed before the image. */
  extraArgs?: readonly string[];
  /** Image (default BB_IMAGE). */
  image?: string;
}

export interface RunResult {
  /** Full 64-hex container ID. */
  id: string;
  name: string;
  /** Exit code of the container's process; undefined with detach. */
  exitCode: number | undefined;
}

function kv(flag: string, m: Record<string, string> | undefined): string[] {
  return Object.entries(m ?? {}).flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

/**
 * Starts a container with `docker run -d` (output goes only to the log driver, not to an
 * attached client) and, unless detach, waits for it to exit (`docker wait`). When
 * `docker wait` returns, dockerd has drained the output and closed the logger (for a
 * plugin: StopLogging was answered) — a plugin may still be writing its store, so poll
 * with waitFor. Rejects with DockerError if the container cannot be created or started
 * (e.g. the log driver refused it); a created-but-failed container is still cleaned up.
 */
export async function runContainerFull(opts: RunOptions): Promise<RunResult> {
  const name = opts.name ?? uniqueName();
  const cmd = typeof opts.cmd === 'string' ? ['sh', '-c', opts.cmd] : [...opts.cmd];
  const args = [
    'run', '-d',
    '--name', name,
    '--network', opts.network ?? 'none',
    '--log-driver', opts.driver,
    ...kv('--log-opt', opts.logOpts),
    ...kv('--label', opts.labels),
    ...kv('-e', opts.env),
    ...(opts.tty ? ['-t'] : []),
    ...(opts.extraArgs ?? []),
    opts.image ?? BB_IMAGE,
    ...cmd,
  ];
  created.add(name);
  const id = await dockerOk(args);
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`unexpected output from docker run: ${JSON.stringify(id)}`);
  if (opts.detach) return { id, name, exitCode: undefined };
  return { id, name, exitCode: await waitContainer(id) };
}

/** How `docker run` ended for a container the daemon may refuse: exit code 0, or the client's code and stderr. */
export async function runOutcome(opts: RunOptions): Promise<{ code: number; stderr: string }> {
  try {
    await runContainerFull(opts);
    return { code: 0, stderr: '' };
  } catch (e) {
    if (!(e instanceof DockerError)) throw e;
    return { code: e.result.code, stderr: e.result.stderr.toString() };
  }
}

/** runContainerFull, resolving to the full container ID. */
export async function runContainer(opts: RunOptions): Promise<string> {
  return (await runContainerFull(opts)).id;
}

/** `docker wait`: the container's exit code. */
export async function waitContainer(id: string): Promise<number> {
  return Number(await dockerOk(['wait', id]));
}

/** `docker logs ...flags id`; the CLI demultiplexes stdout and stderr for non-TTY containers. */
export async function dockerLogs(id: string, flags: readonly string[] = [], opts: DockerOptions = {}): Promise<DockerResult> {
  return docker(['logs', ...flags, id], opts);
}

/** `docker logs -f ...flags id` as a running process (stop() it, or it ends when the container stops). */
export function followLogs(id: string, flags: readonly string[] = []): DockerProcess {
  return spawnDocker(['logs', '-f', ...flags, id]);
}

/** Force-removes a container and its volumes; a missing container is not an error. */
export async function rm(idOrName: string): Promise<void> {
  const r = await docker(['rm', '-f', '-v', idOrName]);
  if (r.code !== 0 && !/No such container/i.test(r.stderr.toString())) {
    throw new DockerError(['rm', '-f', '-v', idOrName], r);
  }
  created.delete(idOrName);
}

/** Removes every container created through this module (use in afterAll). Best effort. */
export async function cleanupContainers(): Promise<void> {
  const names = [...created];
  for (let i = 0; i < names.length; i += 20) {
    const batch = names.slice(i, i + 20);
    await docker(['rm', '-f', '-v', ...batch]).catch(() => undefined);
    for (const n of batch) created.delete(n);
  }
}

/** Removes all containers whose name starts with prefix (leftovers of earlier runs). */
export async function removeContainersByPrefix(prefix: string): Promise<void> {
  const re = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const r = await docker(['ps', '-aq', '--filter', `name=^/?${re}`], { check: true });
  const ids = r.stdout.toString().split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', '-v', ...ids]);
}

/** The plugin store's file for a container: `<TSLOGS_ROOT>/containers/<id>/<id>-json.log`. */
export function storeFileFor(id: string): string {
  return path.join(STORE_ROOT, 'containers', id, `${id}-json.log`);
}

/** The json-file driver's file for a container (`docker inspect -f '{{.LogPath}}'`). */
export async function dockerJsonFileFor(id: string): Promise<string> {
  const p = await dockerOk(['inspect', '-f', '{{.LogPath}}', id]);
  if (!p) throw new Error(`container ${id} has no LogPath (driver is not json-file?)`);
  return p;
}

/** Reads a file, or undefined when it does not exist (yet). */
export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Parses a json-file style log file into its entries (one JSON object per line). */
export function parseJsonLines(content: Buffer | string): Array<Record<string, unknown>> {
  return content
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
