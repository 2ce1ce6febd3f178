// Rate limits and redaction (README "Rate limits", "Redaction") through the real engine:
// containers log to the managed plugin, which sends to a fluentd forward receiver on
// loopback (the plugin runs in the host's network namespace; the containers have none).
// What the receiver gets is compared exactly; `docker logs` must still show everything
// the store keeps.
//
// The limits are chosen so that capture times cannot change the outcome on a slow
// machine: 360/h refills one line per 10 s (100/h one per 36 s), and the burst printed
// at once takes far less than that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN_NAME, cleanupContainers, dockerLogs, dockerOk, runContainerFull, uniqueName, waitContainer, waitFor } from './helpers/docker.js';
import { FluentdReceiver, type FluentMessage } from '../helpers/fluentd-receiver.js';

let receiver: FluentdReceiver;

beforeAll(async () => {
  receiver = await FluentdReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  await receiver?.close();
});

/** Waits for `n` records of the container, then a little longer: no more may come. */
async function received(id: string, n: number): Promise<FluentMessage[]> {
  await waitFor(() => receiver.of(id).length >= n, { timeoutMs: 60_000, intervalMs: 100, what: `${n} records` });
  await new Promise((r) => setTimeout(r, 1_000));
  return receiver.of(id);
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
const seq = (n: number) => `i=1; while [ $i -le ${n} ]; do echo "line $i"; i=$((i+1)); done`;

describe('rate-limit', () => {
  it('sends the burst, then one marker per window with the exact count, while the container runs; docker logs keeps every line', async () => {
    // 300 lines at once against a burst of 100: 200 suppressed. The window of the first
    // suppressed line ends 10 s later; a second after that, with nothing logged, its
    // marker goes out. 20 s later the bucket holds a line again for 'after'.
    const cmd = `${seq(300)}; sleep 20; echo after`;
    const run = await runContainerFull({
      driver: PLUGIN_NAME,
      cmd,
      detach: true,
      name: uniqueName('tf-rate'),
      logOpts: { 'fluentd-address': receiver.address, 'rate-limit': '360/h', 'rate-limit-burst': '100' },
    });
    await received(run.id, 101);
    expect((await dockerOk(['inspect', '-f', '{{.State.Running}}', run.id])).trim()).toBe('true');
    expect(await waitContainer(run.id)).toBe(0);
    const got = await received(run.id, 102);
    expect(got.map((m) => m.record.log)).toEqual([...lines(1, 100), '[tslogs: 200 lines suppressed in 10s]', 'after']);
    expect(got.every((m) => m.record.source === 'stdout')).toBe(true);
    const logs = await dockerLogs(run.id);
    expect(logs.stdout.toString()).toBe([...lines(1, 300), 'after'].map((l) => `${l}\n`).join(''));
  });

  it('reports what was suppressed when the container stops inside a window', async () => {
    const run = await runContainerFull({
      driver: PLUGIN_NAME,
      cmd: `${seq(1000)}; echo oops >&2; echo again >&2`,
      name: uniqueName('tf-rate-end'),
      logOpts: { 'fluentd-address': receiver.address, 'rate-limit': '100/h' },
    });
    const got = await received(run.id, 102);
    const text = got.map((m) => `${m.record.source} ${m.record.log}`);
    expect(text.slice(0, 100)).toEqual(lines(1, 100).map((l) => `stdout ${l}`));
    // One marker per stream, in the order their suppression began; the window lasted at most a few seconds.
    expect(text.slice(100)).toHaveLength(2);
    expect(text[100]).toMatch(/^stdout \[tslogs: 900 lines suppressed in [1-9]s\]$/);
    expect(text[101]).toMatch(/^stderr \[tslogs: 2 lines suppressed in [1-9]s\]$/);
    expect((await dockerLogs(run.id)).stdout.toString().split('\n')).toHaveLength(1001);
  });
});

describe('redact', () => {
  const SECRETS = ['s3cr3t-XYZ', 'alice@example.com', '4111 1111 1111 1111', 'LONGSECRET0123456789'];
  const OPTS = {
    redact: String.raw`token=\S+`,
    'redact-1': String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,
    'redact-2': String.raw`\b(?:\d{4}[ -]?){3}\d{4}\b`,
  };
  // The long line: 16379 'x', then the token, which dockerd's 16 KiB split cuts after 'token'.
  const CMD = [
    "echo 'login token=s3cr3t-XYZ user=alice@example.com card 4111 1111 1111 1111 ok'",
    "yes x | tr -d '\\n' | head -c 16379; echo 'token=LONGSECRET0123456789 end'",
    "echo 'plain line' >&2",
  ].join('; ');
  const MASKED = ['login [REDACTED] user=[REDACTED] card [REDACTED] ok', `${'x'.repeat(16379)}[REDACTED] end`];

  it('keeps every secret from the receiver, also across the 16 KiB chunk boundary, while docker logs shows them', async () => {
    const run = await runContainerFull({ driver: PLUGIN_NAME, cmd: CMD, name: uniqueName('tf-redact'), logOpts: { 'fluentd-address': receiver.address, ...OPTS } });
    const got = await received(run.id, 3);
    expect(got.map((m) => m.record.log).sort()).toEqual([...MASKED, 'plain line'].sort());
    for (const m of got) for (const s of SECRETS) expect(m.raw.includes(Buffer.from(s))).toBe(false);
    const logs = (await dockerLogs(run.id)).stdout.toString();
    for (const s of SECRETS) expect(logs).toContain(s);
  });

  it('with redact-store=true masks in the store too: docker logs shows no secret', async () => {
    const run = await runContainerFull({
      driver: PLUGIN_NAME,
      cmd: CMD,
      name: uniqueName('tf-redact-store'),
      logOpts: { 'fluentd-address': receiver.address, ...OPTS, 'redact-replacement': '<hidden>', 'redact-store': 'true' },
    });
    const hidden = MASKED.map((l) => l.replaceAll('[REDACTED]', '<hidden>'));
    const got = await received(run.id, 3);
    expect(got.map((m) => m.record.log).sort()).toEqual([...hidden, 'plain line'].sort());
    const logs = await dockerLogs(run.id);
    expect(logs.stdout.toString()).toBe(hidden.map((l) => `${l}\n`).join(''));
    expect(logs.stderr.toString()).toBe('plain line\n');
  });

  it('refuses a bad rule at docker run, naming the option', async () => {
    const result = await runContainerFull({ driver: PLUGIN_NAME, cmd: 'true', name: uniqueName('tf-bad'), logOpts: { 'redact-3': 'a(b' } }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(result).toContain('error parsing regexp for redact-3: missing closing ): `a(b`');
  });
});
