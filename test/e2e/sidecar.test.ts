// The sidecar with the real Docker engine: run as a container from the offline image
// (scripts/build-sidecar-image.sh), --network host, Docker's container directory mounted
// read-only and a state directory, forwarding json-file containers (small max-size, so
// they rotate many times, with and without gzip) to a HEC receiver on loopback.
// Every container here carries the label tslogs.sidecar.e2e=<run id>-<case> and each
// case's sidecar includes only its own, so other containers on the engine are left alone.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_MAX_UNSAVED } from '../../src/router/checkpoint-file.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { cleanupContainers, docker, dockerOk, removeContainersByPrefix, runContainerFull, uniqueName, waitContainer, waitFor } from './helpers/docker.js';

const PREFIX = 'tslogs-sidecar-e2e';
const IMAGE = process.env.TSLOGS_SIDECAR_IMAGE ?? 'tslogs-sidecar:latest';
const LABEL = 'tslogs.sidecar.e2e';
const RUN = randomBytes(4).toString('hex');
const BATCH = 100;
const TOKEN = 'e2e-token-3f9a1c7b';
const DOCKER_CONTAINERS = '/var/lib/docker/containers';

const receivers: HecReceiver[] = [];
const stateDirs: string[] = [];

beforeAll(async () => {
  await removeContainersByPrefix(PREFIX);
  // Offline image from this checkout; a no-op when dist/ has not changed since the last import.
  execFileSync('bash', ['scripts/build-sidecar-image.sh'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
});

afterAll(async () => {
  await cleanupContainers();
  for (const r of receivers.splice(0)) await r.close();
  for (const d of stateDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Sidecar {
  name: string;
  logs(): Promise<string>;
  /** Waits for the n-th start's "watching" line. */
  ready(starts: number): Promise<void>;
}

async function startSidecar(receiverUrl: string, run: string, dockerArgs: readonly string[] = []): Promise<Sidecar> {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-sidecar-e2e-state-'));
  stateDirs.push(state);
  const { name } = await runContainerFull({
    driver: 'json-file',
    name: uniqueName(`${PREFIX}-sidecar`),
    network: 'host',
    image: IMAGE,
    detach: true,
    extraArgs: [
      '-v', `${DOCKER_CONTAINERS}:${DOCKER_CONTAINERS}:ro`,
      '-v', `${state}:/var/lib/tslogs-sidecar`,
      '-e', `TSLOGS_SPLUNK_URL=${receiverUrl}`,
      '-e', `TSLOGS_SPLUNK_TOKEN=${TOKEN}`,
      '-e', 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY=200ms',
      '-e', `SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE=${BATCH}`,
      '-e', 'TSLOGS_SINK_RETRY_MAX=500ms',
      ...dockerArgs,
    ],
    cmd: ['--include-label', `${LABEL}=${run}`, '--poll-interval', '100ms'],
  });
  const sidecar: Sidecar = {
    name,
    logs: async () => {
      const r = await docker(['logs', name]);
      return r.stdout.toString() + r.stderr.toString();
    },
    ready: async (starts) => {
      await waitFor(async () => (await sidecar.logs()).split('tslogs sidecar: watching').length > starts, { timeoutMs: 30_000, what: `${name} ready` });
    },
  };
  await sidecar.ready(1);
  return sidecar;
}

/** Writes `count` numbered lines, 100 at a time with a pause, so rotation and kills interleave. */
function writer(tag: string, count: number): string {
  return `i=0; while [ $i -lt ${count} ]; do echo "${tag} $i"; i=$((i+1)); if [ $((i % 100)) -eq 0 ]; then sleep 0.1; fi; done`;
}

function linesOf(receivers: HecReceiver[], tag: string): string[] {
  return receivers.flatMap((r) => r.accepted).map((e) => (e as { event: { line: string } }).event.line).filter((l) => l.startsWith(`${tag} `));
}

const expected = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag} ${i}`).sort();

describe('sidecar (Docker engine)', () => {
  it('forwards rotating json-file logs; kill -9 twice mid-run: every line arrives, duplicates within one batch per kill', async () => {
    const receiver = await HecReceiver.start();
    receivers.push(receiver);
    const run = `${RUN}-kill`;
    const sidecar = await startSidecar(receiver.url, run);
    const N = 5000;
    const tags = [`gz-${RUN}`, `plain-${RUN}`];
    const containers = await Promise.all(tags.map((tag, i) => runContainerFull({
      driver: 'json-file',
      name: uniqueName(`${PREFIX}-writer`),
      // ~130 lines a file: ~38 rotations each; 50 files keep everything, so nothing may be lost.
      logOpts: { 'max-size': '10k', 'max-file': '50', ...(i === 0 ? { compress: 'true' } : {}) },
      labels: { [LABEL]: run },
      detach: true,
      cmd: writer(tag, N),
    })));
    for (const threshold of [1500, 5000]) {
      await waitFor(() => receiver.accepted.length >= threshold, { timeoutMs: 60_000, what: `${threshold} events before a kill` });
      await dockerOk(['kill', '-s', 'KILL', sidecar.name]);
      await new Promise((r) => setTimeout(r, 500)); // the containers log (and rotate) while it is down
      await dockerOk(['start', sidecar.name]);
    }
    for (const c of containers) expect(await waitContainer(c.id)).toBe(0);
    const running = await dockerOk(['inspect', '-f', '{{.State.Running}}', sidecar.name]);
    expect(running).toBe('true');
    for (const tag of tags) {
      await waitFor(() => new Set(linesOf([receiver], tag)).size >= N, { timeoutMs: 90_000, what: `all ${N} lines of ${tag}` });
    }
    await new Promise((r) => setTimeout(r, 500));
    const rotated = fs.readdirSync(path.join(DOCKER_CONTAINERS, containers[0]!.id)).filter((f) => /-json\.log\.\d+\.gz$/.test(f));
    expect(rotated.length).toBeGreaterThan(20);
    for (const tag of tags) {
      const got = linesOf([receiver], tag);
      expect([...new Set(got)].sort()).toEqual(expected(tag, N));
      // Per kill, each container's delivery re-sends at most the batch it had in flight and
      // the acknowledged ones whose checkpoint was not yet written (it is written every 200 ms).
      expect(got.length - N).toBeLessThanOrEqual(2 * (CHECKPOINT_MAX_UNSAVED + 1) * BATCH);
    }
    const logs = await sidecar.logs();
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toMatch(/"level":50/); // no errors
    await dockerOk(['rm', '-f', '-v', sidecar.name]);
  });

  it('filters, a new container picked up, a removed container finished; opted-out and unlabelled ones send nothing', async () => {
    let receiver = await HecReceiver.start();
    const mine = [receiver];
    receivers.push(receiver);
    const port = Number(new URL(receiver.url).port);
    const run = `${RUN}-filters`;
    const sidecar = await startSidecar(receiver.url, run);
    const optOut = await runContainerFull({
      driver: 'json-file', name: uniqueName(`${PREFIX}-optout`), labels: { [LABEL]: run, 'tslogs.enable': 'false' }, cmd: writer(`optout-${RUN}`, 50),
    });
    const unlabelled = await runContainerFull({ driver: 'json-file', name: uniqueName(`${PREFIX}-other`), cmd: writer(`other-${RUN}`, 50) });
    const fresh = await runContainerFull({ driver: 'json-file', name: uniqueName(`${PREFIX}-new`), labels: { [LABEL]: run }, cmd: writer(`new-${RUN}`, 200) });
    await waitFor(() => linesOf(mine, `new-${RUN}`).length >= 200, { timeoutMs: 30_000, what: 'the new container' });
    expect(linesOf(mine, `new-${RUN}`).sort()).toEqual(expected(`new-${RUN}`, 200));

    // Removal: the receiver is down while the container logs, exits and is removed; the
    // sidecar holds its files open and delivers the backlog once the receiver is back.
    await receiver.close();
    const gone = await runContainerFull({
      driver: 'json-file', name: uniqueName(`${PREFIX}-gone`), logOpts: { 'max-size': '5k', 'max-file': '3' }, labels: { [LABEL]: run }, cmd: writer(`gone-${RUN}`, 150),
    });
    await waitFor(async () => (await sidecar.logs()).includes(`forwarding container ${gone.id.slice(0, 12)}`), { timeoutMs: 10_000, what: 'the sidecar to open its files' });
    await dockerOk(['rm', '-v', gone.id]);
    expect(fs.existsSync(path.join(DOCKER_CONTAINERS, gone.id))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    receiver = await HecReceiver.start({ port });
    receivers.push(receiver);
    mine.push(receiver);
    await waitFor(() => linesOf(mine, `gone-${RUN}`).length >= 150, { timeoutMs: 30_000, what: 'the removed container\'s backlog' });
    expect([...new Set(linesOf(mine, `gone-${RUN}`))].sort()).toEqual(expected(`gone-${RUN}`, 150));
    await waitFor(async () => (await sidecar.logs()).includes(`container ${gone.id.slice(0, 12)} (${gone.name}) finished and forgotten`), { timeoutMs: 10_000, what: 'forgotten' });

    expect(linesOf(mine, `optout-${RUN}`)).toEqual([]);
    expect(linesOf(mine, `other-${RUN}`)).toEqual([]);
    const logs = await sidecar.logs();
    expect(logs).toContain(`not forwarding container ${optOut.id.slice(0, 12)}: label tslogs.enable=false`);
    expect(logs).toContain(`not forwarding container ${unlabelled.id.slice(0, 12)}: no included label`);
    expect(logs).toMatch(new RegExp(`forwarding container ${fresh.id.slice(0, 12)} \\(${fresh.name}, (not )?running\\)`));
    await dockerOk(['rm', '-f', '-v', sidecar.name]);
  });

  it('is healthy by its image\'s HEALTHCHECK (tslogs health --sidecar), which prints each container\'s sink state', async () => {
    const receiver = await HecReceiver.start();
    receivers.push(receiver);
    const run = `${RUN}-health`;
    // The image's own check, only run more often than its 30 s.
    const sidecar = await startSidecar(receiver.url, run, ['--health-interval', '1s', '--health-start-period', '0s']);
    expect(JSON.parse(await dockerOk(['image', 'inspect', '-f', '{{json .Config.Healthcheck.Test}}', IMAGE]))).toEqual(['CMD', '/usr/bin/node', '/app/dist/cli/main.js', 'health', '--sidecar']);
    const writerName = uniqueName(`${PREFIX}-health-writer`);
    await runContainerFull({ driver: 'json-file', name: writerName, labels: { [LABEL]: run }, cmd: 'echo one; sleep 60', detach: true });
    await waitFor(async () => receiver.accepted.length >= 1, { timeoutMs: 30_000, what: 'the writer\'s line' });
    await waitFor(async () => (await dockerOk(['inspect', '-f', '{{.State.Health.Status}}', sidecar.name])) === 'healthy', { timeoutMs: 30_000, what: 'healthy' });
    const r = await docker(['exec', sidecar.name, '/usr/bin/node', '/app/dist/cli/main.js', 'health', '--sidecar']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.toString()) as { status: string; store: { path: string; writable: boolean }; containers: { container_name: string; sinks: { sink: string; state: string }[] }[] };
    expect(report.status).toBe('ok');
    expect(report.store).toMatchObject({ path: '/var/lib/tslogs-sidecar', writable: true });
    expect(report.containers.find((c) => c.container_name === writerName)?.sinks).toEqual([expect.objectContaining({ sink: 'splunk', state: 'connected' })]);
  });

  it('refuses an unreadable Docker directory and a token on the command line, with clear messages', async () => {
    const noDir = await docker(['run', '--rm', '--name', uniqueName(`${PREFIX}-nodir`), '--network', 'none', '--log-driver', 'none',
      '-e', 'TSLOGS_SPLUNK_URL=http://127.0.0.1:9', '-e', `TSLOGS_SPLUNK_TOKEN=${TOKEN}`, IMAGE]);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr.toString()).toContain("tslogs sidecar: cannot read Docker's container directory /var/lib/docker/containers: no such directory");
    const tokenArg = await docker(['run', '--rm', '--name', uniqueName(`${PREFIX}-tokenarg`), '--network', 'none', '--log-driver', 'none', IMAGE, '--splunk-token', TOKEN]);
    expect(tokenArg.code).toBe(2);
    expect(tokenArg.stderr.toString()).toContain('--splunk-token is refused');
    expect(tokenArg.stderr.toString()).not.toContain(TOKEN);
  });
});
