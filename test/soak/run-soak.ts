// The soak: a tslogs host daemon of its own (a legacy plugin socket named for the run)
// stores and forwards the logs of N containers through the real Docker engine, to a
// fluentd receiver with acknowledgements that goes down every flap period, while
// containers burst, idle, write long lines and are restarted, and followers come and
// go. The daemon's RSS and open fds are sampled throughout; at the end every line is
// accounted for in the store and at the sink.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BB_IMAGE, docker, dockerOk } from '../e2e/helpers/docker.js';
import { FlappingFluentd } from './flapping-fluentd.js';
import { growth, type Growth, Sampler } from './sampler.js';
import { Tally, tallyJsonFile, type TallyFigures } from './tally.js';
import { KINDS, type Kind, script } from './workload.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = [path.join(REPO, 'node_modules/tsx/dist/loader.mjs'), path.join(REPO, 'src/cli/main.ts')];
/** dockerd 20.10 deadlocks when many containers start or exit at once. */
const DOCKER_OPS_AT_ONCE = 4;
/** The share of the run after warm-up over which growth is judged (20 of 30 minutes). */
const JUDGED_SHARE = 2 / 3;
export const GROWTH_LIMIT = 0.05;
/**
 * Open fds may also grow by this many: each live follower holds a connection, and a few
 * more may be live at the end than at the start. It matters only for small runs (10
 * containers: about 65 fds, where 5 % is 3); 50 containers hold about 230.
 */
export const FD_ALLOWANCE = 4;

export interface SoakOptions {
  minutes: number;
  containers: number;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** Keep the store and the daemon log (their paths are in the result). */
  keep?: boolean;
}

export interface SoakResult {
  minutes: number;
  containers: number;
  store: TallyFigures;
  sink: TallyFigures & { missing: number; messages: number; outages: number; errors: number };
  crashes: number;
  restarts: number;
  followers: { started: number; notEnded: number };
  dockerFailures: string[];
  rss: Growth;
  fds: Growth;
  samples: number;
  peakRssMiB: number;
  daemonErrors: number;
  daemonLog: string;
  failures: string[];
}

interface Follower {
  what: string;
  child: ChildProcess;
  ended: boolean;
}

/** Runs at most `n` of the given tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    while (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForFile(file: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${ms} ms`);
    await sleep(50);
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const say = options.progress ?? ((line: string) => process.stderr.write(`[soak] ${line}\n`));
  const durationMs = options.minutes * 60_000;
  // Scaled down for short runs: a flap and a follower every minute of a 30-minute run.
  const flapMs = Math.min(60_000, durationMs / 6);
  const sampleMs = durationMs >= 600_000 ? 5000 : 2000;
  const run = `soak-${randomBytes(3).toString('hex')}`;
  const driver = `tslogs-${run}`;
  const socket = `/run/docker/plugins/${driver}.sock`;
  const work = fs.mkdtempSync(`/tmp/tslogs-${run}-`);
  const root = path.join(work, 'store');
  const daemonLog = path.join(work, 'daemon.log');
  const dockerOps = limiter(DOCKER_OPS_AT_ONCE);
  const dockerFailures: string[] = [];
  const failures: string[] = [];
  const quietly = async (what: string, args: string[]) => {
    const r = await dockerOps(() => docker(args, { timeoutMs: 120_000 }).catch((e: Error) => ({ code: -1, stderr: Buffer.from(e.message) })));
    if (r.code !== 0) dockerFailures.push(`${what}: ${r.stderr.toString().trim()}`);
    return r;
  };

  const receiver = await FlappingFluentd.start();
  fs.mkdirSync('/run/docker/plugins', { recursive: true });
  const logFd = fs.openSync(daemonLog, 'a');
  const daemon = spawn(process.execPath, ['--import', CLI[0]!, CLI[1]!, 'plugin'], {
    env: { ...process.env, TSLOGS_SOCKET: socket, TSLOGS_ROOT: root, LOG_LEVEL: 'info' },
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  let crashes = 0;
  let stopping = false;
  daemon.on('exit', (code, signal) => {
    if (!stopping) {
      crashes++;
      say(`daemon exited during the run: code ${code} signal ${signal}`);
    }
  });
  const ids: string[] = [];
  const names: string[] = [];
  const followers: Follower[] = [];
  const timers: NodeJS.Timeout[] = [];
  const sampler = new Sampler(daemon.pid!, sampleMs);
  let restarts = 0;
  try {
    await waitForFile(socket, 30_000);
    say(`daemon ${daemon.pid} on ${socket}, store ${root}, receiver ${receiver.address}`);

    // Containers, a few at a time.
    const opts = [`fluentd-address=${receiver.address}`, 'fluentd-request-ack=true', 'fluentd-async=true', 'max-size=1g'];
    const kinds: Kind[] = Array.from({ length: options.containers }, (_, i) => KINDS[i % KINDS.length]!);
    await Promise.all(kinds.map((kind, i) => dockerOps(async () => {
      const name = `${run}-${i}-${kind}`;
      const gate = path.join(work, 'gates', String(i));
      fs.mkdirSync(gate, { recursive: true });
      const id = (await dockerOk(['run', '-d', '--name', name, '--network', 'none', '-v', `${gate}:/gate:ro`, '--log-driver', driver,
        ...opts.flatMap((o) => ['--log-opt', o]), BB_IMAGE, 'sh', '-c', script(kind, name)])).trim();
      ids[i] = id;
      names[i] = name;
    })));
    say(`${ids.length} containers running (${KINDS.map((k) => `${kinds.filter((x) => x === k).length} ${k}`).join(', ')})`);
    sampler.start();
    const began = Date.now();

    // The sink flaps: down for a sixth of every period.
    timers.push(setInterval(() => {
      void receiver.down().then(() => sleep(flapMs / 6)).then(() => receiver.up());
    }, flapMs));
    // A `restarted` container is restarted every half period, in turn.
    const restartable = ids.filter((_, i) => kinds[i] === 'restarted');
    timers.push(setInterval(() => {
      const id = restartable[restarts++ % restartable.length];
      if (id !== undefined) void quietly(`restart ${id.slice(0, 12)}`, ['restart', '-t', '1', id]);
    }, flapMs / 2));
    // Followers: `docker logs -f` and `tslogs -f` with --until on steady containers (end at
    // that time), and without on restarted ones (end when the container stops).
    let nextFollower = 0;
    const follow = (what: string, command: string, args: string[]) => {
      const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, TSLOGS_SOCKET: socket } });
      const f: Follower = { what, child, ended: false };
      child.on('exit', () => (f.ended = true));
      followers.push(f);
    };
    timers.push(setInterval(() => {
      const k = nextFollower++;
      const steady = ids.filter((_, i) => kinds[i] === 'steady');
      const pool = k % 2 === 0 ? steady : restartable;
      const id = pool[Math.floor(k / 2) % Math.max(1, pool.length)];
      if (id === undefined) return;
      const until = k % 2 === 0 ? ['--until', new Date(Date.now() + flapMs).toISOString()] : [];
      if (k % 4 < 2) follow(`docker logs -f ${until.join(' ')} ${id.slice(0, 12)}`, 'docker', ['logs', '-f', '--tail', '5', ...until, id]);
      else follow(`tslogs -f ${until.join(' ')} ${id.slice(0, 12)}`, process.execPath, ['--import', CLI[0]!, CLI[1]!, id, '-f', '--tail', '5', ...until]);
    }, flapMs / 2));

    while (Date.now() - began < durationMs && crashes === 0) {
      await sleep(Math.min(60_000, durationMs - (Date.now() - began)));
      const last = sampler.samples.at(-1);
      say(`${Math.round((Date.now() - began) / 1000)} s: rss ${last ? Math.round(last.rssKiB / 1024) : '?'} MiB, fds ${last?.fds}, ` +
        `sink ${receiver.messages} messages, ${receiver.outages} outages, ${followers.filter((f) => !f.ended).length} followers live`);
    }
    sampler.stop();
    for (const t of timers) clearInterval(t);
    await sleep(flapMs / 6 + 100);
    await receiver.up();

    // Each container ends its loop when its stop file appears: a few at a time.
    say('stopping the containers');
    await Promise.all(ids.map((id, i) => dockerOps(async () => {
      fs.writeFileSync(path.join(work, 'gates', String(i), 'stop'), '');
      const r = await docker(['wait', id], { timeoutMs: 120_000 }).catch((e: Error) => ({ code: -1, stderr: Buffer.from(e.message), stdout: Buffer.alloc(0) }));
      if (r.code !== 0) dockerFailures.push(`wait ${names[i]}: ${r.stderr.toString().trim()}`);
    })));

    const followersDeadline = Date.now() + 30_000;
    while (followers.some((f) => !f.ended) && Date.now() < followersDeadline) await sleep(200);
    const notEnded = followers.filter((f) => !f.ended);
    for (const f of notEnded) {
      failures.push(`follower did not end: ${f.what}`);
      f.child.kill('SIGKILL');
    }

    // What the store holds, then the sink catching up with it.
    const store = new Tally();
    for (const id of ids) {
      const file = path.join(root, 'containers', id, `${id}-json.log`);
      if (fs.existsSync(file)) await tallyJsonFile(file, store);
      else failures.push(`no store file for ${id}`);
    }
    const sinkDeadline = Date.now() + 120_000;
    while (store.missingFrom(receiver.tally) > 0 && Date.now() < sinkDeadline) await sleep(1000);

    const judgedFrom = durationMs * (1 - JUDGED_SHARE);
    const span = Math.max(flapMs, sampleMs * 5);
    const rss = growth(sampler.samples, (s) => s.rssKiB, judgedFrom, durationMs, span);
    const fds = growth(sampler.samples, (s) => s.fds, judgedFrom, durationMs, span);
    const daemonText = fs.readFileSync(daemonLog, 'utf8');
    const result: SoakResult = {
      minutes: options.minutes,
      containers: options.containers,
      store: store.figures(),
      sink: { ...receiver.tally.figures(), missing: store.missingFrom(receiver.tally), messages: receiver.messages, outages: receiver.outages, errors: receiver.errors.length },
      crashes,
      restarts,
      followers: { started: followers.length, notEnded: notEnded.length },
      dockerFailures,
      rss,
      fds,
      samples: sampler.samples.length,
      peakRssMiB: Math.max(...sampler.samples.map((s) => s.rssKiB)) / 1024,
      daemonErrors: daemonText.split('\n').filter((l) => /"level":(50|60)/.test(l)).length,
      daemonLog,
      failures,
    };
    judge(result);
    return result;
  } finally {
    stopping = true;
    sampler.stop();
    for (const t of timers) clearInterval(t);
    for (const f of followers) if (!f.ended) f.child.kill('SIGKILL');
    await Promise.all(ids.map((id) => dockerOps(() => docker(['rm', '-f', id]))));
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode !== null ? r(undefined) : daemon.once('exit', r)));
    fs.rmSync(socket, { force: true });
    await receiver.close();
    if (!options.keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Adds a failure for every figure out of bounds. */
function judge(r: SoakResult): void {
  const check = (ok: boolean, what: string) => {
    if (!ok) r.failures.push(what);
  };
  check(r.store.lines > 0 && r.sink.lines > 0, 'nothing was logged');
  check(r.store.lost === 0, `${r.store.lost} lines missing from the store`);
  check(r.store.duplicates === 0, `${r.store.duplicates} duplicate lines in the store`);
  check(r.store.damaged === 0, `${r.store.damaged} long lines damaged in the store`);
  check(r.sink.missing === 0, `${r.sink.missing} stored lines never acknowledged by the sink`);
  check(r.sink.errors === 0, `${r.sink.errors} undecodable messages at the sink`);
  check(r.crashes === 0, `${r.crashes} daemon crashes`);
  check(r.dockerFailures.length === 0, `docker commands failed: ${r.dockerFailures.join('; ')}`);
  check(r.rss.ratio <= GROWTH_LIMIT, `RSS grew ${(r.rss.ratio * 100).toFixed(1)} % (${r.rss.from} → ${r.rss.to} KiB)`);
  check(r.fds.ratio <= GROWTH_LIMIT || r.fds.to - r.fds.from <= FD_ALLOWANCE, `open fds grew ${(r.fds.ratio * 100).toFixed(1)} % (${r.fds.from} → ${r.fds.to})`);
}
