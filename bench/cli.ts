// `tslogs <c>` against `docker logs <c>` for the same container, same run, same machine:
//  1. `--tail 100` on a container whose log is ~1 GiB (one file, no rotation);
//  2. reading a whole 1,000,000-line log (`seq 1 1000000`).
// Each command's wall time (spawn to exit, output to /dev/null) is the median of
// `rounds`, alternating the order. `tslogs` is the built CLI (node dist/cli/main.js)
// reading through the plugin's socket; a third row reads the store without the daemon.
// Needs dockerd, the tslogs-bb image and the plugin (PLUGIN_NAME, store STORE_ROOT).
//
// Wire into bench/run.ts:  import { runCliBench, cliBenchTable } from './cli.js';
//                          cliBenchTable(await runCliBench({ quick }))
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BB_IMAGE, DOCKER_BIN, dockerOk, PLUGIN_NAME, STORE_ROOT } from '../test/e2e/helpers/docker.js';

export interface CliBenchResult {
  case: string;
  reader: 'docker logs' | 'tslogs' | 'tslogs (store, no daemon)';
  seconds: number;
  outputBytes: number;
}

export interface CliBenchOptions {
  quick?: boolean;
  rounds?: number;
  /** The CLI entry point (default dist/cli/main.js: run `npm run build` first). */
  cliMain?: string;
  /** Store bytes of the big log (default 1 GiB; 64 MiB with quick). */
  bigLogBytes?: number;
  /** Lines of the full-read case (default 1,000,000; 200,000 with quick). */
  lines?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs a command with stdout on /dev/null and returns its wall time. */
function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; outputBytes: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let outputBytes = 0;
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Drained as fast as it comes, like a pipe into another program.
    child.stdout.on('data', (c: Buffer) => (outputBytes += c.length));
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.slice(0, 300)}`));
      else resolve({ seconds, outputBytes });
    });
  });
}

function storeBytes(id: string): number {
  const dir = path.join(STORE_ROOT, 'containers', id);
  try {
    return fs.readdirSync(dir).filter((f) => f.includes('-json.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

/** Runs a container to completion and waits until the plugin stopped writing its log. */
async function makeLog(cmd: string, opts: string[]): Promise<string> {
  const id = await dockerOk(['run', '-d', '--network', 'none', '--log-driver', PLUGIN_NAME, ...opts.flatMap((o) => ['--log-opt', o]), BB_IMAGE, 'sh', '-c', cmd]);
  await dockerOk(['wait', id]);
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = storeBytes(id);
    if (now === last) return id;
    last = now;
  }
}

async function pluginSocket(): Promise<string | undefined> {
  const id = await dockerOk(['plugin', 'inspect', '-f', '{{.Id}}', PLUGIN_NAME]).catch(() => undefined);
  return id === undefined ? undefined : `/run/docker/plugins/${id}/tslogs.sock`;
}

export async function runCliBench(options: CliBenchOptions = {}): Promise<CliBenchResult[]> {
  const quick = options.quick === true;
  const rounds = options.rounds ?? 3;
  const cliMain = path.resolve(options.cliMain ?? 'dist/cli/main.js');
  if (!fs.existsSync(cliMain)) throw new Error(`${cliMain} missing: run npm run build`);
  const bigBytes = options.bigLogBytes ?? (quick ? 64 * 2 ** 20 : 2 ** 30);
  const lines = options.lines ?? (quick ? 200_000 : 1_000_000);
  const socket = await pluginSocket();
  const env: NodeJS.ProcessEnv = { ...process.env, TSLOGS_ROOT: STORE_ROOT, ...(socket ? { TSLOGS_SOCKET: socket } : {}) };
  const direct: NodeJS.ProcessEnv = { ...env, TSLOGS_SOCKET: '/nonexistent/tslogs.sock' };

  // ~100-byte lines: each becomes ~165 bytes of json-file, so ~0.62 × the store size of output.
  const line = 'x'.repeat(99);
  const big = await makeLog(`yes ${line} | head -c ${Math.round(bigBytes / 1.65)}`, ['max-size=4g', 'max-file=1']);
  const seq = await makeLog(`seq 1 ${lines}`, ['max-size=1g', 'max-file=1']);
  const results: CliBenchResult[] = [];
  try {
    const cases = [
      { name: `--tail 100 on a ${(storeBytes(big) / 2 ** 30).toFixed(2)} GiB log`, id: big, flags: ['--tail', '100'] },
      { name: `whole ${lines.toLocaleString('en')}-line log (${(storeBytes(seq) / 2 ** 20).toFixed(0)} MiB)`, id: seq, flags: [] },
    ];
    for (const c of cases) {
      const runs: Record<CliBenchResult['reader'], { seconds: number; outputBytes: number }[]> = { 'docker logs': [], tslogs: [], 'tslogs (store, no daemon)': [] };
      const readers: [CliBenchResult['reader'], () => ReturnType<typeof timed>][] = [
        ['docker logs', () => timed(DOCKER_BIN, ['logs', ...c.flags, c.id], env)],
        ['tslogs', () => timed(process.execPath, [cliMain, c.id, ...c.flags], env)],
        ['tslogs (store, no daemon)', () => timed(process.execPath, [cliMain, c.id, ...c.flags], direct)],
      ];
      await readers[1]![1](); // warm the page cache and the daemon once
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? readers : [...readers].reverse();
        for (const [reader, run] of order) runs[reader].push(await run());
      }
      for (const [reader] of readers) {
        const r = runs[reader];
        results.push({ case: c.name, reader, seconds: median(r.map((x) => x.seconds)), outputBytes: r[0]!.outputBytes });
      }
    }
  } finally {
    for (const id of [big, seq]) {
      await dockerOk(['rm', '-f', id]).catch(() => undefined);
      fs.rmSync(path.join(STORE_ROOT, 'containers', id), { recursive: true, force: true });
    }
  }
  return results;
}

export function cliBenchTable(results: readonly CliBenchResult[]): string {
  const rows = results.map((r) => {
    const base = results.find((x) => x.case === r.case && x.reader === 'docker logs')!;
    return `| ${r.case} | ${r.reader} | ${r.seconds.toFixed(3)} s | ${(r.outputBytes / 2 ** 20).toFixed(1)} MiB | ${(r.seconds / base.seconds).toFixed(2)} |`;
  });
  return ['| case | reader | wall time (median) | output | vs docker logs |', '|---|---|---|---|---|', ...rows].join('\n');
}
