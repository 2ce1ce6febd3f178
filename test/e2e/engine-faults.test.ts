// Faults of tslogs' own host through the real engine (issue 16 part 2; RELIABILITY.md
// "Faults through the engine"): a host daemon, discovered by dockerd as the legacy plugin
// in /run/docker/plugins, killed with SIGKILL mid-run; its store on a full disk. dockerd
// opens a log FIFO read-write, so it is a reader itself: while the daemon is gone
// the container's writes wait in dockerd (as in Docker's blocking mode) instead of
// failing: the restarted daemon reopens the FIFO from its saved session and finds them.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_MAX_UNSAVED } from '../../src/router/checkpoint-file.js';
import { startDaemonChild, startPluginProcess } from '../helpers/processes.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';
import { cleanupContainers, dockerLogs, dockerOk, runContainer, uniqueName, waitContainer } from './helpers/docker.js';

const PLUGIN_DIR = '/run/docker/plugins';

const sockets: string[] = [];

/** A legacy plugin name no earlier run has used: dockerd caches a plugin per name. */
function pluginName(what: string): { name: string; socket: string } {
  const name = `tslogs-${what}-${crypto.randomBytes(3).toString('hex')}`;
  const socket = path.join(PLUGIN_DIR, `${name}.sock`);
  sockets.push(socket);
  return { name, socket };
}

/** The numbers of a store's or sink file's lines: `{"log":"17\n",…}` or `17`. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/^(?:\{"log":")?(\d+)/gm)].map((m) => Number(m[1]));
}

function storeText(root: string, id: string): string {
  const dir = path.join(root, 'containers', id);
  if (!fs.existsSync(dir)) return '';
  return fs.readdirSync(dir).filter((f) => f.includes('-json.log')).sort().reverse().map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
}

function lostAndDuplicates(numbers: number[], total: number): { lost: number; duplicates: number } {
  const seen = new Set(numbers);
  let lost = 0;
  for (let i = 1; i <= total; i++) if (!seen.has(i)) lost++;
  return { lost, duplicates: numbers.length - seen.size };
}

afterAll(async () => {
  await cleanupContainers();
  // A daemon killed with SIGKILL leaves its socket behind in dockerd's plugin directory.
  for (const socket of sockets) fs.rmSync(socket, { force: true });
});

// One after the other: each cleans up its containers while its daemon still reads them.
describe.sequential('faults of the host through the real engine', () => {
  it('kill -9 of the daemon mid-run: the container waits, then the store has every line once and the sink every line', async () => {
    const root = tmpDir('tslogs-kill9-');
    const sinkFile = path.join(root, 'sink.txt');
    const { name, socket } = pluginName('kill9');
    let daemon = await startDaemonChild(root, socket);
    const total = 200_000;
    // 40 bursts of 5,000 lines, a tenth of a second apart: still logging when the daemon dies.
    const id = await runContainer({
      name: uniqueName('kill9'),
      driver: name,
      logOpts: { 'file-address': sinkFile },
      cmd: ['sh', '-c', 'for i in $(seq 1 40); do seq $((i*5000-4999)) $((i*5000)); sleep 0.1; done'],
      detach: true,
    });
    try {
      await killAndRestart();
    } finally {
      if (daemon.exitCode !== null || daemon.signalCode !== null) daemon = await startDaemonChild(root, socket);
      await cleanupContainers();
      daemon.kill('SIGTERM');
    }

    async function killAndRestart(): Promise<void> {
      await waitUntil(() => numbersIn(storeText(root, id)).length >= 20_000, '20,000 lines stored before the kill', 60_000, 20);
      daemon.kill('SIGKILL');
      await new Promise((r) => daemon.once('exit', r));
      const atKill = numbersIn(storeText(root, id)).length;
      await new Promise((r) => setTimeout(r, 3000));
      expect(numbersIn(storeText(root, id)).length, 'nothing is stored while the daemon is gone').toBe(atKill);
      daemon = await startDaemonChild(root, socket);
      expect(await waitContainer(id)).toBe(0);
      await waitUntil(() => new Set(numbersIn(fs.readFileSync(sinkFile, 'utf8'))).size >= total, 'every line at the sink', 120_000, 100);

      expect(atKill, 'killed mid-run').toBeLessThan(total);
      expect(lostAndDuplicates(numbersIn(storeText(root, id)), total), 'store').toEqual({ lost: 0, duplicates: 0 });
      const sink = lostAndDuplicates(numbersIn(fs.readFileSync(sinkFile, 'utf8')), total);
      expect(sink.lost, 'lost at the sink').toBe(0);
      // Batches of 50: at most CHECKPOINT_MAX_UNSAVED acknowledged and not yet written, plus the one in flight.
      expect(sink.duplicates, 'sent twice').toBeLessThanOrEqual((CHECKPOINT_MAX_UNSAVED + 1) * 50);
      const logs = await dockerLogs(id);
      expect(lostAndDuplicates(numbersIn(logs.stdout.toString()), total), 'docker logs').toEqual({ lost: 0, duplicates: 0 });
    }
  });

  it('a full store disk mid `seq 1 1000000`: the container waits, docker logs keeps working, and once space is freed every line is stored once', async () => {
    const root = tmpDir('tslogs-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', root]);
    try {
      await fullDisk(root);
    } finally {
      // Room first, and the containers gone while the daemon still reads them: dockerd
      // cannot remove a container whose log writes wait on a FIFO nobody reads.
      execFileSync('mount', ['-o', 'remount,size=256m', root]);
      await cleanupContainers();
      execFileSync('umount', ['-l', root]);
    }
  });
});

async function fullDisk(root: string): Promise<void> {
  const { name, socket } = pluginName('full');
  await startPluginProcess(root, socket);
  const first = await runContainer({ name: uniqueName('full-first'), driver: name, cmd: ['seq', '1', '1000'], detach: true });
  expect(await waitContainer(first)).toBe(0);
  const total = 1_000_000;
  const id = await runContainer({ name: uniqueName('full'), driver: name, cmd: ['seq', '1', String(total)], detach: true });
  const free = (): number => fs.statfsSync(root).bavail;
  await waitUntil(() => free() === 0, 'the store disk full', 60_000, 50);
  await new Promise((r) => setTimeout(r, 2000));
  expect((await dockerOk(['inspect', '-f', '{{.State.Running}}', id])).trim(), 'the container waits for the disk').toBe('true');
  const stored = numbersIn(storeText(root, id)).length;
  expect(stored).toBeLessThan(total);
  const earlier = await dockerLogs(first);
  expect(numbersIn(earlier.stdout.toString()), 'docker logs of another container while the disk is full').toHaveLength(1000);

  execFileSync('mount', ['-o', 'remount,size=256m', root]);
  expect(await waitContainer(id)).toBe(0);
  await waitUntil(() => numbersIn(storeText(root, id)).length >= total, 'every line stored', 60_000, 100);
  expect(lostAndDuplicates(numbersIn(storeText(root, id)), total)).toEqual({ lost: 0, duplicates: 0 });
}
