// The daemon under fuzz: the real `tslogs plugin` entry point in its own process, with a
// fresh store, its stderr (pino) scanned for what only a bug prints.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Daemon log lines that only a defect produces: a JavaScript error surfacing as a message. */
const INTERNAL = /TypeError|RangeError|ReferenceError|SyntaxError: (?!.*JSON)|is not a function|Cannot read propert|Maximum call stack|uncaught|unhandled/i;

export class FuzzDaemon {
  readonly root: string;
  readonly socket: string;
  private child: ChildProcess | undefined;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Daemon log lines that look like defects (capped). */
  readonly internalErrors: string[] = [];
  /** The last lines of its log, for a failure report. */
  readonly lastLines: string[] = [];
  private partial = '';

  constructor(readonly dir: string) {
    this.root = path.join(dir, 'store');
    this.socket = path.join(dir, 'tslogs.sock');
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', path.join(REPO, 'test/fuzz/loopback-only.ts'), path.join(REPO, 'src/cli/main.ts'), 'plugin'], {
      cwd: REPO,
      env: { ...process.env, TSLOGS_ROOT: this.root, TSLOGS_SOCKET: this.socket, LOG_LEVEL: 'warn', TSLOGS_HOSTNAME: 'fuzz' },
      // stdin is a pipe the preload watches: the daemon ends with its fuzzer, even one killed by a timeout.
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => this.scan(chunk.toString('utf8')));
    child.on('exit', (code, signal) => (this.exit = { code, signal }));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(this.socket)) {
      if (this.exit !== undefined) throw new Error(`the daemon exited before listening (${JSON.stringify(this.exit)}): ${this.lastLines.join('\n')}`);
      if (Date.now() > deadline) throw new Error('the daemon did not listen within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  get pid(): number {
    return this.child!.pid!;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Resident set now and its peak (VmHWM), in bytes. */
  memory(): { rss: number; peak: number } {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  }

  openFds(): number {
    return fs.readdirSync(`/proc/${this.pid}/fd`).length;
  }

  /** SIGTERM (the daemon flushes and exits 0); SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.child === undefined || !this.alive) return;
    const exited = new Promise<void>((resolve) => this.child!.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private scan(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      this.lastLines.push(line.slice(0, 2000));
      if (this.lastLines.length > 20) this.lastLines.shift();
      if (INTERNAL.test(line) && this.internalErrors.length < 20) this.internalErrors.push(line.slice(0, 2000));
    }
  }
}
