// `--log-driver tslogs` with the NATS sink through the real engine: the managed plugin
// (host network namespace) publishes to an R3 stream on a three-node nats-server
// cluster on loopback. Every line of a container arrives, with its container's fields;
// a bad option fails `docker run` naming it; with the whole cluster down a container
// still runs to its end, and its lines arrive once the cluster is back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN_NAME, DockerError, cleanupContainers, runContainerFull, uniqueName } from './helpers/docker.js';
import { NatsCluster } from '../helpers/nats-cluster.js';
import { waitUntil } from '../helpers/wait.js';

const STREAM = 'E2E';
let cluster: NatsCluster;
// Not tmpDir(): that is removed after each test, and the nodes keep their stores across the file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-nats-e2e-'));

beforeAll(async () => {
  cluster = await NatsCluster.start(dir);
  await cluster.createStream({ name: STREAM, subjects: ['docker.>'] });
});
afterAll(async () => {
  await cleanupContainers();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The `log` fields stored on one container's subject, and its records. */
async function storedFor(name: string) {
  return cluster.storedLogs(STREAM, `docker.${name}`);
}

async function countFor(name: string): Promise<number> {
  const nc = await cluster.client();
  try {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAM, { subjects_filter: `docker.${name}` });
    return info.state.subjects?.[`docker.${name}`] ?? 0;
  } finally {
    await nc.close();
  }
}

const opts = (extra: Record<string, string> = {}) => ({
  'nats-url': cluster.url, 'nats-stream': STREAM, 'nats-subject': 'docker.{{.Name}}', 'sink-retry-max': '1s', ...extra,
});

const seq = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe('nats sink through dockerd and the managed plugin', () => {
  it('every line of `seq 1 20000` reaches the stream on the container\'s subject, in order, with its fields', async () => {
    const name = uniqueName('nats-e2e');
    const run = await runContainerFull({ driver: PLUGIN_NAME, name, logOpts: opts(), labels: { team: 'a' }, cmd: ['seq', '1', '20000'] });
    expect(run.exitCode).toBe(0);
    await waitUntil(async () => (await countFor(name)) >= 20000, '20000 stored lines', 120_000, 200);
    const { logs, records } = await storedFor(name);
    expect(logs).toEqual(seq(20000));
    expect(records[0]).toMatchObject({ stream: 'stdout', container_id: run.id, container_name: `/${name}`, _subject: `docker.${name}` });
  });

  it('refuses at `docker run` an option it cannot use, naming it', async () => {
    const err = await runContainerFull({ driver: PLUGIN_NAME, logOpts: opts({ 'nats-subject': 'docker.*' }), cmd: ['true'] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toContain("log opt 'nats-subject': the rendered subject 'docker.*' is not a NATS subject to publish to");
  });

  it('with all three nodes down the container runs to its end; its lines arrive when the cluster is back', async () => {
    await cluster.killAll();
    const name = uniqueName('nats-e2e-down');
    try {
      const run = await runContainerFull({ driver: PLUGIN_NAME, name, logOpts: opts(), cmd: ['seq', '1', '5000'] });
      expect(run.exitCode).toBe(0);
    } finally {
      await cluster.startAll();
    }
    await waitUntil(async () => (await countFor(name).catch(() => 0)) >= 5000, '5000 lines after the restart', 120_000, 250);
    const { logs } = await storedFor(name);
    expect(new Set(logs)).toEqual(new Set(seq(5000)));
  });
});
