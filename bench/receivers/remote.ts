// The benchmark side of bench/receivers/child.ts: starts a counting receiver in a child
// process and waits, polling over IPC, until it has every line (or, for UDP, until no
// more arrive). Times are CLOCK_MONOTONIC (process.hrtime) in both processes.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReceiverKind } from './counting.js';

export interface Arrival {
  received: number;
  /** hrtime (ns) of the last message's arrival. */
  lastAt: bigint;
}

export class RemoteReceiver {
  private constructor(
    private readonly child: ChildProcess,
    readonly opts: string[],
  ) {}

  static async start(kind: ReceiverKind): Promise<RemoteReceiver> {
    const child = fork(path.join(import.meta.dirname, 'child.ts'), [kind], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const opts = await new Promise<string[]>((resolve, reject) => {
      child.once('message', (m: { opts: string[] }) => resolve(m.opts));
      child.once('exit', (code) => reject(new Error(`receiver ${kind} exited with ${code} before listening`)));
    });
    return new RemoteReceiver(child, opts);
  }

  status(): Promise<Arrival> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { count: number; lastAt: string }) => resolve({ received: m.count, lastAt: BigInt(m.lastAt) }));
      this.child.send({ op: 'status' });
    });
  }

  /** Waits until `lines` arrived, or nothing arrived for `quietMs` (losses), or `timeoutMs`. */
  async until(lines: number, { quietMs = 2_000, timeoutMs = 600_000 } = {}): Promise<Arrival> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    let changed = Date.now();
    for (;;) {
      const s = await this.status();
      if (s.received >= lines) return s;
      if (s.received !== seen) {
        seen = s.received;
        changed = Date.now();
      }
      if (Date.now() - changed > quietMs || Date.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ op: 'close' });
    await exited;
  }
}
