// Runs one fuzz target against a fresh daemon: inputs in small concurrent groups, and
// after each group the checks that hold whatever the input was: the daemon is alive and
// answers, the sentinel container's line is in its store, memory stays bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bounded, call, Hang } from './client.js';
import { FuzzDaemon } from './daemon.js';
import { FifoMaker } from './fifos.js';
import { hashSeed, Prng } from './prng.js';
import { Sentinel } from './sentinel.js';

/** A property an input broke (a 500, an unnamed option, lines of its own lost). */
export class Finding extends Error {}

/** RSS above this fails the run: a bound on memory, far above what the daemon needs. */
export const RSS_LIMIT = 512 * 1024 * 1024;

export interface TargetContext {
  daemon: FuzzDaemon;
  socket: string;
  root: string;
  dir: string;
  fifos: FifoMaker;
  sentinel: Sentinel;
}

export interface Target {
  readonly name: string;
  /** Inputs run at once (each in its own worker slot 0…group-1). */
  readonly group: number;
  /** Bytes of filler per sentinel line. */
  readonly sentinelFiller?: number;
  setup?(ctx: TargetContext): Promise<void>;
  /** Runs input `index`; throws Finding or Hang. */
  run(ctx: TargetContext, prng: Prng, index: number, worker: number): Promise<void>;
  /** Counts of what the inputs did (accepted, refused, …), for the report. */
  readonly tally?: Record<string, number>;
  /** After the last input; throws Finding when something was left behind. */
  teardown?(ctx: TargetContext): Promise<void>;
}

export interface Stats {
  target: string;
  seed: number;
  inputs: number;
  crashes: number;
  hangs: number;
  /** Property violations other than the above (a 500, an unnamed option, …). */
  findings: number;
  sentinelSent: number;
  sentinelLost: number;
  peakRssBytes: number;
  peakFds: number;
  seconds: number;
  /** The first few failures, each with the input that caused it. */
  failures: string[];
  tally: Record<string, number>;
}

export interface RunOptions {
  seed: number;
  count: number;
  /** Index of the first input (to replay one). */
  from?: number;
  onProgress?: (stats: Stats) => void;
}

const MAX_REPORTED = 20;

export async function runTarget(target: Target, options: RunOptions): Promise<Stats> {
  // On tmpfs when there is one: the store's fsyncs cost nothing there, and the inputs are about logic, not disks.
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, `tslogs-fuzz-${target.name}-`));
  const daemon = new FuzzDaemon(dir);
  const started = Date.now();
  const stats: Stats = {
    target: target.name, seed: options.seed, inputs: 0, crashes: 0, hangs: 0, findings: 0,
    sentinelSent: 0, sentinelLost: 0, peakRssBytes: 0, peakFds: 0, seconds: 0, failures: [], tally: target.tally ?? {},
  };
  const fail = (what: string) => {
    if (stats.failures.length < MAX_REPORTED) stats.failures.push(what.length > 600 ? `${what.slice(0, 600)}…` : what);
  };
  try {
    await daemon.start();
    const fifos = new FifoMaker(path.join(dir, 'fifos'));
    const sentinel = new Sentinel(daemon.socket, daemon.root, fifos, target.sentinelFiller ?? 0);
    await sentinel.start();
    const ctx: TargetContext = { daemon, socket: daemon.socket, root: daemon.root, dir, fifos, sentinel };
    await target.setup?.(ctx);
    const from = options.from ?? 0;
    let lastProgress = Date.now();
    for (let first = from; first < from + options.count && daemon.alive; first += target.group) {
      const last = Math.min(first + target.group, from + options.count);
      const runs = [];
      for (let index = first; index < last; index++) {
        const prng = new Prng(hashSeed(options.seed, target.name, index));
        runs.push(
          target.run(ctx, prng, index, index % target.group).catch((err: Error) => {
            if (err instanceof Hang) stats.hangs++;
            else if (daemon.alive) stats.findings++;
            fail(`input ${index}: ${err instanceof Hang ? 'hang: ' : ''}${err.message}`);
          }),
        );
      }
      await Promise.all(runs);
      stats.inputs += last - first;
      await checkDaemon(ctx, stats, fail, `after input ${last - 1}`);
      if (options.onProgress !== undefined && Date.now() - lastProgress > 5_000) {
        lastProgress = Date.now();
        options.onProgress({ ...stats, seconds: (Date.now() - started) / 1000 });
      }
    }
    if (daemon.alive) {
      await target.teardown?.(ctx).catch((err: Error) => {
        if (err instanceof Hang) stats.hangs++;
        else stats.findings++;
        fail(`teardown: ${err.message}`);
      });
      await checkDaemon(ctx, stats, fail, 'at the end');
      await sentinel.stop();
    }
    for (const line of daemon.internalErrors) {
      stats.findings++;
      fail(`daemon log: ${line}`);
    }
  } finally {
    if (daemon.alive) stats.peakRssBytes = Math.max(stats.peakRssBytes, daemon.memory().peak);
    await daemon.stop();
    if (daemon.exit !== undefined && daemon.exit.code !== 0 && stats.crashes === 0) {
      stats.crashes++;
      fail(`the daemon exited with ${JSON.stringify(daemon.exit)} when stopped: ${daemon.lastLines.slice(-5).join('\n')}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}

async function checkDaemon(ctx: TargetContext, stats: Stats, fail: (what: string) => void, when: string): Promise<void> {
  const { daemon, sentinel } = ctx;
  if (!daemon.alive) {
    stats.crashes++;
    fail(`crash ${when}: the daemon exited with ${JSON.stringify(daemon.exit)}: ${daemon.lastLines.slice(-5).join('\n')}`);
    return;
  }
  try {
    await call(ctx.socket, 'Plugin.Activate');
    if (!(await bounded(sentinel.beat(), 'the sentinel line'))) fail(`sentinel line ${sentinel.sent} not in the store ${when}`);
  } catch (err) {
    if (err instanceof Hang) stats.hangs++;
    else stats.findings++;
    fail(`${when}: ${(err as Error).message}`);
  }
  stats.sentinelSent = sentinel.sent;
  stats.sentinelLost = sentinel.lost;
  if (!daemon.alive) return;
  const { rss, peak } = daemon.memory();
  stats.peakRssBytes = Math.max(stats.peakRssBytes, peak);
  stats.peakFds = Math.max(stats.peakFds, daemon.openFds());
  if (rss > RSS_LIMIT) {
    stats.findings++;
    fail(`RSS ${Math.round(rss / 2 ** 20)} MiB ${when}, above the bound of ${RSS_LIMIT / 2 ** 20} MiB`);
  }
}
