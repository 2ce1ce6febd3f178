// The parent side of receiver-child.ts: a receiver process that a fault test kills
// with SIGKILL and starts again on the same port, and what it recorded across its lives.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ReceiverKind } from './receiver-child.js';

export interface Arrival {
  at: number;
  line: number;
}

export class ReceiverProcess {
  private child: ChildProcess | undefined;
  /** When each life started listening (ms, the child's clock: the same machine's). */
  readonly readyAt: number[] = [];

  constructor(
    readonly kind: ReceiverKind,
    readonly port: number,
    private readonly dir: string,
    readonly name: string = kind,
  ) {}

  /** The value of the sink's address option. */
  get address(): string {
    const k = this.kind;
    if (k === 'splunk' || k === 'splunk-ack') return `http://127.0.0.1:${this.port}`;
    if (k === 'fluentd') return `127.0.0.1:${this.port}`;
    return `${k.endsWith('udp') ? 'udp' : 'tcp'}://127.0.0.1:${this.port}`;
  }

  private file(life: number): string {
    return path.join(this.dir, `${this.kind}-${this.port}-${life}.txt`);
  }

  /** Starts a new life; resolves once it listens. */
  async start(): Promise<void> {
    const life = this.readyAt.length;
    // Not spawnForTest: `npm run faults` runs this outside vitest; the callers kill it.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/receiver-child.ts', this.kind, String(this.port), this.file(life)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    const at = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        const m = /ready (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`${this.kind} receiver exited with ${code}`)));
    });
    this.readyAt.push(at);
  }

  /** kill -9, and waits for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** What life `life` recorded, in arrival order. */
  arrivals(life: number): Arrival[] {
    const file = this.file(life);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [at, line] = l.split(' ');
        return { at: Number(at), line: Number(line) };
      });
  }

  /** Every line received, over all lives. */
  lines(): number[] {
    return this.readyAt.flatMap((_, life) => this.arrivals(life).map((a) => a.line));
  }

  /** Milliseconds from life `life` listening to its first line. */
  recoveryMs(life: number): number | undefined {
    const first = this.arrivals(life)[0];
    return first === undefined ? undefined : first.at - this.readyAt[life]!;
  }
}

/** Lines of 1..n never received, and how many arrived more than once. */
export function tally(received: readonly number[], n: number): { lost: number[]; duplicates: number } {
  const seen = new Uint8Array(n + 1);
  let duplicates = 0;
  for (const l of received) {
    if (l < 1 || l > n) continue;
    if (seen[l]) duplicates++;
    seen[l] = 1;
  }
  const lost: number[] = [];
  for (let i = 1; i <= n; i++) if (!seen[i]) lost.push(i);
  return { lost, duplicates };
}
