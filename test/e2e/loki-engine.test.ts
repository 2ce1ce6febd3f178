// `--log-driver <plugin>` with the Loki sink through the real engine: the managed plugin
// (host network namespace) pushes to the decoding Loki receiver of
// test/helpers/loki-receiver.ts on loopback. Every line of a container arrives, in
// order, with the labels the Loki driver would set; a Loki driver option tslogs cannot
// honour fails `docker run` naming it; with Loki down, `docker stop` of a logging
// container returns as it would with json-file, and its lines arrive once Loki is back.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerError, PLUGIN_NAME, cleanupContainers, dockerOk, runContainerFull, uniqueName } from './helpers/docker.js';
import { type LokiEntry, LokiReceiver } from '../helpers/loki-receiver.js';
import { waitUntil } from '../helpers/wait.js';

let receiver: LokiReceiver;
beforeAll(async () => {
  receiver = await LokiReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  await receiver?.close();
});

const opts = (extra: Record<string, string> = {}) => ({ 'loki-url': receiver.url, 'loki-batch-wait': '100ms', 'loki-max-backoff': '1s', ...extra });
const entriesOf = (name: string): LokiEntry[] => receiver.accepted.filter((e) => e.labels.container_name === name);
const linesOf = (name: string) => entriesOf(name).map((e) => e.line);
const seq = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe('loki sink through dockerd and the managed plugin', () => {
  it('every line of `seq 1 20000` arrives in order with the labels of the Loki driver', async () => {
    const name = uniqueName('loki-e2e');
    const run = await runContainerFull({
      driver: PLUGIN_NAME, name, cmd: ['seq', '1', '20000'],
      labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api', 'app.tier': 'web' },
      env: { DEPLOY_ENV: 'e2e' },
      logOpts: opts({ labels: 'app.tier', env: 'DEPLOY_ENV', 'loki-external-labels': 'job=docker,container_name={{.Name}}', 'loki-tenant-id': 'e2e-tenant' }),
    });
    expect(run.exitCode).toBe(0);
    await waitUntil(() => entriesOf(name).length >= 20000, '20000 entries', 120_000, 200);
    expect(linesOf(name)).toEqual(seq(20000));
    const logPath = await dockerOk(['inspect', '-f', '{{.LogPath}}', run.id]);
    const entries = entriesOf(name);
    expect(entries[0]!.labels).toEqual({
      app_tier: 'web', DEPLOY_ENV: 'e2e', compose_project: 'shop', compose_service: 'api', container_name: name, job: 'docker',
      // The managed plugin shares the host's UTS namespace: the Docker host's name, as the Loki driver sends it.
      host: os.hostname(),
      source: 'stdout',
      // dockerd hands plugins its json-file path only for some drivers; the label is left out when it is empty.
      ...(logPath === '' ? {} : { filename: logPath }),
    });
    expect(new Set(entries.map((e) => e.labelText)).size).toBe(1);
    const times = entries.map((e) => BigInt(e.sec) * 1_000_000_000n + BigInt(e.nsec));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    const started = BigInt(Date.parse(await dockerOk(['inspect', '-f', '{{.State.StartedAt}}', run.id]))) * 1_000_000n;
    expect(times[0]! >= started - 1_000_000_000n).toBe(true);
    const pushes = receiver.requests.filter((r) => r.streams.some((s) => s.labels.container_name === name));
    expect(pushes.every((r) => r.headers['x-scope-orgid'] === 'e2e-tenant' && r.status === 204)).toBe(true);
    expect([receiver.invalid.length, receiver.outOfOrder]).toEqual([0, 0]);
  });

  it('puts stdout and stderr in their own streams', async () => {
    const name = uniqueName('loki-e2e-streams');
    const run = await runContainerFull({ driver: PLUGIN_NAME, name, cmd: 'echo out; echo err >&2', logOpts: opts() });
    expect(run.exitCode).toBe(0);
    await waitUntil(() => entriesOf(name).length >= 2, 'two entries', 60_000, 100);
    expect(new Map(entriesOf(name).map((e) => [e.line, e.labels.source]))).toEqual(new Map([['out', 'stdout'], ['err', 'stderr']]));
  });

  it('refuses at `docker run` a Loki driver option it cannot honour, naming it and saying why', async () => {
    const err = await runContainerFull({ driver: PLUGIN_NAME, logOpts: opts({ 'loki-pipeline-stages': '- json: {}' }), cmd: ['true'] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toContain("log opt 'loki-pipeline-stages': not supported by tslogs: tslogs has no promtail pipeline");
  });

  it('with Loki down, `docker stop` of a logging container returns and the container exits as it would; its lines arrive once Loki is back, 0 lost', async () => {
    await receiver.stop();
    const name = uniqueName('loki-e2e-down');
    try {
      // Logs until stopped; the SIGTERM trap ends it at once with the number of lines it wrote last.
      const run = await runContainerFull({
        driver: PLUGIN_NAME, name, detach: true, logOpts: opts(),
        cmd: 'i=0; trap \'echo "end $i"; exit 0\' TERM; while true; do i=$((i+1)); echo "line $i"; if [ $((i % 500)) -eq 0 ]; then sleep 0.1; fi; done',
      });
      expect(await dockerOk(['inspect', '-f', '{{.State.Running}}', run.id])).toBe('true');
      // Long enough for several thousand lines and failed pushes.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await dockerOk(['stop', '-t', '10', run.id]);
      expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', run.id])).toBe('0');
      expect(entriesOf(name)).toEqual([]);
    } finally {
      await receiver.restart();
    }
    await waitUntil(() => linesOf(name).some((l) => l.startsWith('end ')), 'the last line after the restart', 120_000, 250);
    const count = Number(linesOf(name).find((l) => l.startsWith('end '))!.slice(4));
    expect(count).toBeGreaterThan(0);
    const lines = [...new Set(linesOf(name))];
    expect(lines).toEqual([...Array.from({ length: count }, (_, i) => `line ${i + 1}`), `end ${count}`]);
  });
});
