// The sidecar as a process forwarding to a HEC receiver: killed with SIGKILL twice while
// a container writes and rotates (rename + gzip), restarted each time: every line
// arrives, duplicates stay within the unsaved and in-flight batches per kill; after SIGTERM, none at all.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_MAX_UNSAVED } from '../../src/router/checkpoint-file.js';
import { SPLUNK_MAX_IN_FLIGHT_DEFAULT } from '../../src/sinks/splunk/options.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { FakeDockerContainer } from '../helpers/sidecar-fake-docker.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

const BATCH = 100;
const children: ChildProcess[] = [];
/** Exits nobody asked for (the sidecar must run until it is killed or told to stop). */
const unexpectedExits: string[] = [];
const receivers: HecReceiver[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const r of receivers.splice(0)) await r.close();
});

/** The environment without the caller's TSLOGS_* settings, plus the sidecar's. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TSLOGS_') && !k.startsWith('SPLUNK_')) env[k] = v;
  return { ...env, ...extra };
}

function startSidecar(args: string[], env: NodeJS.ProcessEnv, stderr: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/sidecar-child.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && !(code === 0 && killedWithTerm.has(child))) unexpectedExits.push(`${code ?? signal}`);
      reject(new Error(`sidecar exited with ${code ?? signal}: ${stderr.join('')}`));
    });
  });
}

const killedWithTerm = new WeakSet<ChildProcess>();

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (r: HecReceiver) => r.accepted.map((e) => (e as { event: { line: string } }).event.line);

describe('sidecar process', () => {
  it('kill -9 twice mid-run: nothing lost across rotations, duplicates within the unsaved and in-flight batches per kill; SIGTERM: none', { timeout: 240_000 }, async () => {
    const dir = tmpDir('tslogs-sidecar-crash-');
    const dockerDir = path.join(dir, 'containers');
    fs.mkdirSync(dockerDir);
    const receiver = await HecReceiver.start();
    receivers.push(receiver);
    const env = childEnv({
      TSLOGS_SPLUNK_URL: receiver.url,
      TSLOGS_SPLUNK_TOKEN: '00000000-0000-0000-0000-000000000000',
      TSLOGS_SPLUNK_FORMAT: 'inline',
      SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '50ms',
      SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: String(BATCH),
      LOG_LEVEL: 'warn',
    });
    const args = ['--docker-dir', dockerDir, '--state-dir', path.join(dir, 'state'), '--start-at', 'beginning', '--poll-interval', '50ms'];
    const stderr: string[] = [];
    // There before the sidecar's first start: --start-at beginning sends its history too.
    // ~100 lines a file; max-file keeps far more than is written while the sidecar restarts.
    const c = new FakeDockerContainer(dockerDir, { name: 'crashy', maxSize: 8000, maxFile: 200, compress: true });
    let n = 0;
    const write = (count: number) => {
      const batch: string[] = [];
      for (let i = 0; i < count; i++) batch.push(`n${String(n++).padStart(6, '0')}`);
      c.write(batch);
    };
    write(500);
    let child = await startSidecar(args, env, stderr);
    let writing = true;
    const writer = (async () => {
      while (writing) {
        write(20);
        await sleep(20);
      }
    })();
    for (let kill = 0; kill < 2; kill++) {
      const before = receiver.accepted.length;
      await waitUntil(() => receiver.accepted.length >= before + 1000, 'progress before the kill', 30_000);
      child.kill('SIGKILL');
      await exited(child);
      await sleep(200); // the container writes (and rotates) while the sidecar is down
      child = await startSidecar(args, env, stderr);
    }
    writing = false;
    await writer;
    const total = n;
    await waitUntil(() => new Set(lines(receiver)).size >= total, `all ${total} lines`, 180_000); // a liveness bound: other suites may hold both cores
    await sleep(300);
    const got = lines(receiver);
    const unique = [...new Set(got)].sort();
    expect(unique).toEqual(Array.from({ length: total }, (_, i) => `n${String(i).padStart(6, '0')}`));
    expect(c.rotations).toBeGreaterThan(20);
    const duplicates = got.length - unique.length;
    // Per kill: the acknowledged batches whose checkpoint was not written yet, and those in flight.
    expect(duplicates).toBeLessThanOrEqual(2 * (CHECKPOINT_MAX_UNSAVED + SPLUNK_MAX_IN_FLIGHT_DEFAULT) * BATCH);

    // SIGTERM: batches in flight are acknowledged and checkpointed; nothing is sent twice after the restart.
    write(300);
    await waitUntil(() => new Set(lines(receiver)).size >= n, 'lines before SIGTERM', 30_000);
    write(300);
    killedWithTerm.add(child);
    child.kill('SIGTERM');
    await exited(child);
    expect(child.exitCode).toBe(0);
    child = await startSidecar(args, env, stderr);
    write(100);
    await waitUntil(() => new Set(lines(receiver)).size >= n, 'lines after the clean restart', 30_000);
    await sleep(300);
    expect(lines(receiver).length - new Set(lines(receiver)).size).toBe(duplicates);
    expect(stderr.join('')).not.toContain('00000000-0000-0000-0000-000000000000');
    expect(unexpectedExits).toEqual([]);
  });
});
