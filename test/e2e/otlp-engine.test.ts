// `--log-driver tslogs` with the OTLP sink through the real engine: the managed plugin
// (host network namespace) exports to the decoding OTLP/HTTP receiver of
// test/helpers/otlp-receiver.ts on loopback. Every line of a container arrives in order
// with its container's resource; a bad option fails `docker run` naming it; with the
// receiver down a container still runs to its end, and its lines arrive once the
// receiver is back.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BB_IMAGE, DockerError, PLUGIN_NAME, cleanupContainers, dockerOk, runContainerFull, uniqueName } from './helpers/docker.js';
import { OtlpReceiver, type ReceivedRecord } from '../helpers/otlp-receiver.js';
import { waitUntil } from '../helpers/wait.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  await receiver?.close();
});

const opts = (extra: Record<string, string> = {}) => ({ 'otlp-endpoint': receiver.url, 'sink-retry-max': '1s', ...extra });
const recordsOf = (id: string): ReceivedRecord[] => receiver.accepted.filter((r) => r.resource['container.id'] === id);
const bodiesOf = (id: string) => recordsOf(id).map((r) => r.record.body);
const seq = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe('otlp sink through dockerd and the managed plugin', () => {
  it('every line of `seq 1 20000` arrives in order, with the container resource and capture times', async () => {
    const name = uniqueName('otlp-e2e');
    const run = await runContainerFull({ driver: PLUGIN_NAME, name, logOpts: opts({ 'otlp-compression': 'gzip' }), cmd: ['seq', '1', '20000'] });
    expect(run.exitCode).toBe(0);
    await waitUntil(() => recordsOf(run.id).length >= 20000, '20000 log records', 120_000, 200);
    expect(bodiesOf(run.id)).toEqual(seq(20000));
    const imageId = await dockerOk(['image', 'inspect', '-f', '{{.Id}}', BB_IMAGE]);
    const [imageName, tag] = BB_IMAGE.split(':');
    const records = recordsOf(run.id);
    expect(records[0]!.resource).toEqual({
      'container.id': run.id,
      'container.name': name,
      'container.image.name': imageName,
      'container.image.tags': [tag],
      'container.image.id': imageId,
      // The managed plugin shares the host's UTS namespace: the Docker host's name, as Docker's drivers send it.
      'host.name': os.hostname(),
      'service.name': name,
    });
    expect(records[0]!.scope.name).toBe('tslogs');
    expect(records.every((r) => r.record.attributes['log.iostream'] === 'stdout' && r.record.severityNumber === 0)).toBe(true);
    const times = records.map((r) => BigInt(r.record.timeUnixNano));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    const started = BigInt(Date.parse(await dockerOk(['inspect', '-f', '{{.State.StartedAt}}', run.id]))) * 1_000_000n;
    expect(times[0]! >= started - 1_000_000_000n).toBe(true);
    expect(records.every((r) => BigInt(r.record.observedTimeUnixNano) >= BigInt(r.record.timeUnixNano) - 1_000_000n)).toBe(true);
  });

  it('marks each line with its stream, in http/json, and takes otlp-resource-attributes', async () => {
    const name = uniqueName('otlp-e2e-streams');
    const run = await runContainerFull({
      driver: PLUGIN_NAME, name, cmd: 'echo out; echo err >&2',
      logOpts: opts({ 'otlp-protocol': 'http/json', 'otlp-resource-attributes': 'service.name=billing,deployment.environment.name=e2e' }),
    });
    expect(run.exitCode).toBe(0);
    await waitUntil(() => recordsOf(run.id).length >= 2, 'two log records', 60_000, 100);
    const records = recordsOf(run.id);
    expect(new Map(records.map((r) => [r.record.body, r.record.attributes['log.iostream']]))).toEqual(new Map([['out', 'stdout'], ['err', 'stderr']]));
    expect(records[0]!.resource).toMatchObject({ 'service.name': 'billing', 'deployment.environment.name': 'e2e', 'container.name': name });
  });

  it('refuses at `docker run` an option it cannot use, naming it', async () => {
    const err = await runContainerFull({ driver: PLUGIN_NAME, logOpts: opts({ 'otlp-protocol': 'grpc' }), cmd: ['true'] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toContain("log opt 'otlp-protocol': grpc is not supported; use http/protobuf");
  });

  it('with the receiver down the container runs to its end; its lines arrive once the receiver is back, 0 lost', async () => {
    await receiver.stop();
    const name = uniqueName('otlp-e2e-down');
    let id = '';
    try {
      const run = await runContainerFull({ driver: PLUGIN_NAME, name, logOpts: opts(), cmd: ['seq', '1', '5000'] });
      expect(run.exitCode).toBe(0);
      id = run.id;
      expect(recordsOf(id)).toEqual([]);
    } finally {
      await receiver.restart();
    }
    await waitUntil(() => new Set(bodiesOf(id)).size >= 5000, '5000 lines after the restart', 120_000, 250);
    const bodies = bodiesOf(id);
    expect(new Set(bodies)).toEqual(new Set(seq(5000)));
    // First arrivals in order: the sink keeps one request in flight by default.
    expect([...new Set(bodies)]).toEqual(seq(5000));
  });
});
