// For the CLI tests: an in-process tslogs daemon on a temporary socket fed through real
// FIFOs (playing dockerd), and the `tslogs` command run as a child process
// (`node --import tsx src/cli/main.ts …`) against it.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { buildServer, listenOnSocket } from '../../src/protocol/server.js';
import type { SinkRegistry } from '../../src/sinks/registry.js';
import { containerInfo } from './container-info.js';
import { call, Fifo } from './fake-dockerd.js';
import { waitUntil } from './wait.js';
import { silentLogger } from '../../src/util/log.js';

export const CLI_MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

// `tslogs ls` prints the image name.
export function info(id: string, name: string, config: Record<string, string> = {}, labels: Record<string, string> = {}) {
  return containerInfo({ Config: config, ContainerID: id, ContainerName: `/${name}`, ContainerImageName: 'bb:latest', ContainerLabels: labels });
}

/**
 * One LogEntry frame at T0 + ms milliseconds + 123 ns. dockerd strips the newline (the
 * store puts it back): `line` is written as `docker logs` would print it, and a line
 * without a trailing newline is sent as a partial chunk.
 */
export const T0 = 1795896100;
export function frame(ms: number, line: string, source = 'stdout'): Buffer {
  const sec = T0 + Math.floor(ms / 1000);
  const nsec = (ms % 1000) * 1_000_000 + 123;
  const partial = !line.endsWith('\n');
  return encodeFrame({ source, sec, nsec, line: Buffer.from(partial ? line : line.slice(0, -1)), partial, meta: undefined });
}

export class Container {
  constructor(
    readonly daemon: TestDaemon,
    readonly id: string,
    readonly fifo: Fifo,
  ) {}

  write(...frames: Buffer[]): Promise<void> {
    return this.fifo.write(Buffer.concat(frames));
  }

  /** dockerd's StopLogging, then it closes the FIFO. */
  async stop(): Promise<void> {
    await call(this.daemon.socket, 'LogDriver.StopLogging', { File: this.fifo.path });
    await this.fifo.close();
  }

  /** Waits until the store holds `lines` lines (all files). */
  async stored(lines: number): Promise<void> {
    const dir = path.join(this.daemon.root, 'containers', this.id);
    const count = (): number => {
      let n = 0;
      for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        if (!f.includes('-json.log') || f.endsWith('.gz')) continue;
        const data = fs.readFileSync(path.join(dir, f));
        for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
      }
      return n;
    };
    await waitUntil(() => count() >= lines, `${lines} stored lines of ${this.id.slice(0, 12)}`, 8000);
  }
}

export class TestDaemon {
  private fifos = 0;
  private constructor(
    readonly dir: string,
    readonly root: string,
    readonly socket: string,
    readonly driver: PluginDriver,
    readonly app: FastifyInstance,
  ) {}

  static async start(dir: string, registry?: SinkRegistry): Promise<TestDaemon> {
    const root = path.join(dir, 'store');
    const socket = path.join(dir, 'tslogs.sock');
    const driver = new PluginDriver({ root, log: silentLogger, ...(registry ? { registry } : {}) });
    const metrics = createMetrics({ ingest: () => driver.ingestViews(), deliveries: () => driver.router.views(), logPath: (c) => path.join(root, 'containers', c, `${c}-json.log`) });
    const app = buildServer({ driver, logger: pino({ level: 'silent' }), metrics });
    await listenOnSocket(app, socket);
    return new TestDaemon(dir, root, socket, driver, app);
  }

  async container(id: string, name: string, config: Record<string, string> = {}, labels: Record<string, string> = {}): Promise<Container> {
    const fifo = new Fifo(this.dir, `fifo${++this.fifos}`);
    const res = await call(this.socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, name, config, labels) });
    const body = JSON.parse(res.body.toString()) as { Err?: string };
    if (body.Err) throw new Error(body.Err);
    return new Container(this, id, fifo);
  }

  async stop(): Promise<void> {
    await this.driver.shutdown();
    await this.app.close();
  }
}


export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): Buffer;
  stderr(): Buffer;
  done: Promise<CliResult>;
  /** Resolves with the time it happened once stdout satisfies `pred`. */
  waitForStdout(pred: (text: string) => boolean, timeoutMs?: number): Promise<number>;
}

/** The environment for the CLI: this daemon (or none), no Docker engine, no NO_COLOR. */
export function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock', ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  if (!('NO_COLOR' in extra)) delete env.NO_COLOR;
  return env;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) })),
  );
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => Buffer.concat(err),
    done,
    waitForStdout: async (pred, timeoutMs = 10_000) => {
      await waitUntil(() => pred(Buffer.concat(out).toString('utf8')), 'CLI output', timeoutMs);
      return Date.now();
    },
  };
}

/** A shell command line (the event loop keeps running: the daemon under test lives in it). */
export function shell(command: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn('bash', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) })));
}

/** `tslogs …` as a shell word list. */
export function cliCommand(args: string): string {
  return `"${process.execPath}" --import tsx "${CLI_MAIN}" ${args}`;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return spawnCli(args, env).done;
}
