// `--log-driver tslogs` with the fluentd sink against Docker's own fluentd driver: the
// same workloads (helpers/workloads.ts) run once under each, with the same options, to
// one forward receiver on loopback (Docker's driver runs in dockerd, the managed plugin
// in the host network namespace). Decoded records must be identical apart from times and
// container-specific values; tag, time encoding and option encoding byte for byte.
//
// tslogs reassembles Docker's 16 KiB partial chunks by default; Docker's fluentd driver
// sends each chunk with partial_* keys, so the tslogs side runs with
// partial-reassembly=false here (one case shows the default). json-file keeps no
// partial ids, so the router makes new ones: partial groups are compared by ordinal,
// last and consistency, not by id value. json-file keeps only that a byte was not valid
// UTF-8 (`\ufffd` per byte); sinks get 0xFF for each such byte, where Docker's driver
// sends the raw bytes (identical for a lone invalid byte such as ff).
//
// Not compared: Docker's driver with fluentd-request-ack on a container writing to both
// stdout and stderr. Its two copier goroutines share one connection and each reads "its"
// ack with a fresh buffered reader and no lock, so they take each other's acks, close the
// connection on the mismatch and reconnect; observed for interleaved(500): 9256 records,
// 183 distinct lines, 9079 connections (and SYN-flood warnings in the kernel log). tslogs
// is checked alone on that workload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN_NAME, DockerError, cleanupContainers, runContainerFull, uniqueName, waitFor, type RunResult } from './helpers/docker.js';
import { burst, emptyLines, interleaved, longLine, invalidBytesAsFF, noTrailingNewline, oneMebibyteLine, shortLines, trickyBytes, type Workload } from './helpers/workloads.js';
import { limiter } from './helpers/compat.js';
import { FluentdReceiver, decodeMessage, type FluentMessage } from '../helpers/fluentd-receiver.js';
import { namedFor } from '../helpers/errors.js';
import { closedPort } from '../helpers/ports.js';

const LABELS: Record<string, string> = { lab1: 'v<1> &/x=y,z \u00e9', lab2: 'plain', 'rx.one': 'r1', unselected: 'no' };
const ENV: Record<string, string> = { E1: 'x 1', E2: 'tab\there', E3: 'no' };
const BASE_OPTS: Record<string, string> = { labels: 'lab1,lab2,missing', 'labels-regex': '^rx\\.', env: 'E1,E2,NOPE' };

const WORKLOADS: Workload[] = [
  shortLines(1000), emptyLines(), noTrailingNewline(), longLine(16383), longLine(16384), longLine(16385), longLine(40000),
  oneMebibyteLine(), trickyBytes(), interleaved(500),
];

interface Variant {
  name: string;
  opts: Record<string, string>;
}
const VARIANTS: Variant[] = [
  { name: 'defaults', opts: {} },
  { name: 'sub-second+ack', opts: { 'fluentd-sub-second-precision': 'true', 'fluentd-request-ack': 'true' } },
  { name: 'tag+sub-second', opts: { tag: '{{.ImageName}}/{{.DaemonName}}', 'fluentd-sub-second-precision': 'true' } },
  { name: 'ack', opts: { 'fluentd-request-ack': 'true' } },
];

let receiver: FluentdReceiver;
const slot = limiter(4);

beforeAll(async () => {
  receiver = await FluentdReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  await receiver?.close();
});

interface Side {
  run: RunResult;
  messages: FluentMessage[];
}

/** Runs one workload under Docker's fluentd driver and under the plugin, and collects what each sent. */
async function runPair(w: Workload, v: Variant, tslogsExtra: Record<string, string> = { 'partial-reassembly': 'false' }): Promise<{ docker: Side; tslogs: Side }> {
  const logOpts = { ...BASE_OPTS, ...v.opts, 'fluentd-address': receiver.address };
  const opts = { cmd: w.cmd, labels: LABELS, env: ENV };
  const [d, t] = await Promise.all([
    runContainerFull({ ...opts, driver: 'fluentd', logOpts, name: uniqueName(`fl-docker-${w.name}`) }),
    runContainerFull({ ...opts, driver: PLUGIN_NAME, logOpts: { ...logOpts, ...tslogsExtra }, name: uniqueName(`fl-ts-${w.name}`) }),
  ]);
  // Docker's driver is synchronous: when the container has exited and `docker wait`
  // returned, everything was written. The plugin delivers from its store afterwards.
  const want = receiver.of(d.id).length;
  const expected = tslogsExtra['partial-reassembly'] === 'false' ? want : 1;
  await waitFor(() => receiver.of(t.id).length >= expected, { timeoutMs: 120_000, intervalMs: 100, what: `${expected} records from tslogs for ${w.name}` });
  await new Promise((r) => setTimeout(r, 300));
  return { docker: { run: d, messages: receiver.of(d.id) }, tslogs: { run: t, messages: receiver.of(t.id) } };
}

/** What a record must look like once the container's own values are taken out. */
function normalized(side: Side, m: FluentMessage, groups: Map<string, number>) {
  const id = side.run.id;
  const record = { ...m.rawRecord };
  expect(record.container_id?.toString()).toBe(id);
  expect(record.container_name?.toString()).toBe(`/${side.run.name}`);
  delete record.container_id;
  delete record.container_name;
  let group: number | undefined;
  if (record.partial_id !== undefined) {
    const pid = record.partial_id.toString();
    expect(pid).toMatch(/^[0-9a-f]{64}$/);
    if (!groups.has(pid)) groups.set(pid, groups.size);
    group = groups.get(pid);
    delete record.partial_id;
  }
  const values = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, k === 'log' ? v.toString('hex') : v.toString('utf8')]));
  return {
    tag: m.tag.split(id.slice(0, 12)).join('<ID>'),
    timeKind: m.timeKind,
    optionKeys: Object.keys(m.option),
    record: values,
    group,
  };
}

function byStream(messages: FluentMessage[], stream: string): FluentMessage[] {
  return messages.filter((m) => m.record.source === stream);
}

describe.each(VARIANTS.map((v) => [v.name, v] as const))('fluentd driver vs tslogs, options %s', (_n, v) => {
  const workloads = v.opts['fluentd-request-ack'] === 'true' ? WORKLOADS.filter((w) => w.stderr.length === 0) : WORKLOADS;
  describe.each(workloads.map((w) => [w.name, w] as const))('workload %s', (_w, w) => {
    it.concurrent('the same records, tag, time encoding and option encoding', async ({ expect: ex }) => {
      const { docker, tslogs } = await slot(() => runPair(w, v));
      ex(docker.run.exitCode).toBe(0);
      ex(tslogs.run.exitCode).toBe(0);
      ex(docker.messages.length, 'Docker sent records').toBeGreaterThan(0);
      ex(tslogs.messages.length, 'records: tslogs vs Docker').toBe(docker.messages.length);
      for (const stream of ['stdout', 'stderr']) {
        const dGroups = new Map<string, number>();
        const tGroups = new Map<string, number>();
        const d = byStream(docker.messages, stream).map((m) => {
          const n = normalized(docker, m, dGroups);
          n.record.log = invalidBytesAsFF(Buffer.from(n.record.log!, 'hex')).toString('hex');
          return n;
        });
        const t = byStream(tslogs.messages, stream).map((m) => normalized(tslogs, m, tGroups));
        ex(t, `${stream} records`).toEqual(d);
        ex(tGroups.size, `${stream} partial groups`).toBe(dGroups.size);
      }
      for (const side of [docker, tslogs]) {
        for (const m of side.messages) {
          // The array header, tag and option bytes are Docker's encoding (checked against the decoded values).
          ex(m.raw[0]).toBe(0x94);
          if (m.timeKind === 'int32') ex(m.timeBytes).toHaveLength(5);
          else ex(m.timeBytes.subarray(0, 2).toString('hex')).toBe('d700');
          if (v.opts['fluentd-request-ack'] === 'true') {
            const chunk = m.option.chunk!;
            ex(m.optionBytes.subarray(0, 8).toString('hex')).toBe('81a56368756e6bb8');
            ex(Buffer.from(chunk, 'base64').readBigInt64LE(0), 'chunk id: event seconds first').toBe(BigInt(m.sec));
          } else ex(m.optionBytes.toString('hex')).toBe('80');
        }
      }
      // Same encoding of the time on both sides, and the same tag bytes after substitution.
      ex(new Set(tslogs.messages.map((m) => m.timeKind))).toEqual(new Set(docker.messages.map((m) => m.timeKind)));
      ex(new Set(tslogs.messages.map((m) => m.timeKind))).toEqual(new Set([v.opts['fluentd-sub-second-precision'] === 'true' ? 'eventtime' : 'int32']));
      if (v.opts['fluentd-sub-second-precision'] === 'true') ex(tslogs.messages.some((m) => m.nsec !== 0), 'nanoseconds sent').toBe(true);
      const now = Date.now() / 1000;
      for (const m of tslogs.messages) ex(Math.abs(m.sec - now), 'tslogs time: the capture time').toBeLessThan(600);
    }, 300_000);
  });
});

describe('fluentd sink beyond the conformance workloads', () => {
  it('by default tslogs delivers a 40000-byte line whole, where Docker sends three chunks', async () => {
    const w = longLine(40000);
    const { docker, tslogs } = await runPair(w, VARIANTS[0]!, {});
    expect(docker.messages.map((m) => [m.rawRecord.log!.length, m.record.partial_ordinal, m.record.partial_last])).toEqual([
      [16384, '1', 'false'], [16384, '2', 'false'], [7232, '3', 'true'],
    ]);
    expect(tslogs.messages).toHaveLength(1);
    expect(tslogs.messages[0]!.rawRecord.log).toEqual(w.stdout.subarray(0, 40000));
    expect(tslogs.messages[0]!.record.partial_message).toBeUndefined();
  }, 180_000);

  it('Docker\'s driver sends invalid UTF-8 raw; tslogs sends 0xFF for each byte json-file marked invalid', async () => {
    const { docker, tslogs } = await runPair(trickyBytes(), VARIANTS[0]!);
    const first = (s: Side) => s.messages.find((m) => m.record.log!.startsWith('invalid: '))!.rawRecord.log!;
    expect(first(docker).subarray(0, 39).toString('latin1')).toBe('invalid: \xff\xfe truncated: \xe2\x82 lone-cont: \x80 ');
    expect(first(tslogs).subarray(0, 39).toString('latin1')).toBe('invalid: \xff\xff truncated: \xff\xff lone-cont: \xff ');
  }, 180_000);

  it('fluentd-request-ack with stdout and stderr interleaved: every line once, each stream in order, one connection', async () => {
    const w = interleaved(500);
    const t = await runContainerFull({ driver: PLUGIN_NAME, logOpts: { 'fluentd-address': receiver.address, 'fluentd-request-ack': 'true' }, cmd: w.cmd, name: uniqueName('fl-ts-interleaved-ack') });
    await waitFor(() => receiver.of(t.id).length >= 1000, { timeoutMs: 60_000, what: '1000 records' });
    await new Promise((r) => setTimeout(r, 300));
    const got = receiver.of(t.id);
    expect(got).toHaveLength(1000);
    expect(byStream(got, 'stdout').map((m) => m.record.log)).toEqual(Array.from({ length: 500 }, (_, i) => `out ${i}`));
    expect(byStream(got, 'stderr').map((m) => m.record.log)).toEqual(Array.from({ length: 500 }, (_, i) => `err ${i}`));
    expect(new Set(got.map((m) => m.connection)).size).toBe(1);
  }, 120_000);

  it('a receiver that is down when the container starts: Docker refuses to start it, tslogs starts it and delivers everything later', async () => {
    const port = await closedPort();
    const logOpts = { 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-request-ack': 'true' };
    const refused = await runContainerFull({ driver: 'fluentd', logOpts, cmd: 'echo x', name: uniqueName('fl-docker-down') }).then(
      () => undefined,
      (e: unknown) => (e as DockerError).result.stderr.toString(),
    );
    expect(refused).toContain(`failed to initialize logging driver: dial tcp 127.0.0.1:${port}: connect: connection refused`);
    const w = shortLines(300);
    const t = await runContainerFull({ driver: PLUGIN_NAME, logOpts: { ...logOpts, 'sink-retry-max': '500ms' }, cmd: w.cmd, name: uniqueName('fl-ts-down') });
    expect(t.exitCode).toBe(0);
    const late = await FluentdReceiver.start({ port });
    try {
      await waitFor(() => late.of(t.id).length >= 300, { timeoutMs: 60_000, what: '300 records after the receiver started' });
      expect(late.of(t.id).map((m) => m.record.log)).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    } finally {
      await late.close();
    }
  }, 180_000);

  it('with acks, a receiver restarted while the container writes gets every line, in order (resends allowed)', async () => {
    const own = await FluentdReceiver.start();
    try {
      const n = 3000;
      const cmd = `i=1; while [ $i -le ${n} ]; do echo "line $i"; [ $((i % 100)) -eq 0 ] && sleep 0.05; i=$((i+1)); done`;
      const running = runContainerFull({ driver: PLUGIN_NAME, logOpts: { 'fluentd-address': own.address, 'fluentd-request-ack': 'true', 'fluentd-retry-wait': '100ms', 'sink-retry-max': '200ms' }, cmd, name: uniqueName('fl-ts-restart') });
      await waitFor(() => own.messages.length >= 500, { timeoutMs: 60_000, what: '500 records before the restart' });
      await own.stop();
      await new Promise((r) => setTimeout(r, 1500));
      await own.restart();
      const t = await running;
      const firstSeen = () => [...new Set(own.of(t.id).map((m) => m.record.log))];
      await waitFor(() => firstSeen().length >= n, { timeoutMs: 120_000, what: `${n} distinct lines` });
      expect(firstSeen()).toEqual(Array.from({ length: n }, (_, i) => `line ${i + 1}`));
      expect(own.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await own.close();
    }
  }, 240_000);

  it('fluentd-async=false asks tslogs for Docker\'s start-time check', async () => {
    const port = await closedPort();
    const err = await runContainerFull({ driver: PLUGIN_NAME, logOpts: { 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-async': 'false' }, cmd: 'true', name: uniqueName('fl-ts-sync') }).then(
      () => undefined,
      (e: unknown) => (e as DockerError).result.stderr.toString(),
    );
    expect(err?.split('\n')[0]).toBe(`docker: Error response from daemon: failed to initialize logging driver: error creating logger: dial tcp 127.0.0.1:${port}: connect: connection refused.`);
  }, 60_000);

  it('throughput: the same burst under each driver, container start to last record at the receiver (reported, not asserted)', async () => {
    // A receiver per run that only frames, counts and acks, so that it is not the bottleneck.
    // Docker's driver waits for each ack before the next message: the ack runs are shorter.
    const runs = [
      ['docker fluentd', 'fluentd', {}, 200_000],
      ['tslogs', PLUGIN_NAME, {}, 200_000],
      ['docker fluentd, ack', 'fluentd', { 'fluentd-request-ack': 'true' }, 20_000],
      ['tslogs, ack', PLUGIN_NAME, { 'fluentd-request-ack': 'true' }, 20_000],
    ] as const;
    const ms: Record<string, number> = {};
    for (const [label, driver, extra, count] of runs) {
      const counter = await FluentdReceiver.start({ countOnly: true });
      try {
        const start = Date.now();
        const r = await runContainerFull({ driver, logOpts: { 'fluentd-address': counter.address, ...extra }, cmd: burst(count).cmd, name: uniqueName('fl-burst') });
        await waitFor(() => counter.count >= count, { timeoutMs: 300_000, intervalMs: 20, what: `${count} records (${label})` }).catch((e: Error) => {
          throw new Error(`${e.message}; got ${counter.count}, exit code ${r.exitCode}`);
        });
        ms[label] = Date.now() - start;
        expect(decodeMessage(counter.last!).record.log).toBe(String(count));
        console.log(`fluentd throughput: ${label}: ${count} lines in ${ms[label]} ms (${Math.round(count / (ms[label]! / 1000))} lines/s)`);
      } finally {
        await counter.close();
      }
    }
    const ratio = (ts: string, docker: string) => (ms[docker]! / ms[ts]!).toFixed(2);
    console.log(`fluentd throughput ratio tslogs/Docker (time of Docker ÷ time of tslogs): ${ratio('tslogs', 'docker fluentd')} without ack, ${ratio('tslogs, ack', 'docker fluentd, ack')} with ack`);
  }, 900_000);
});

// Option errors: Docker's fluentd driver's own text (checked here against the real engine)
// must appear in tslogs' error, which dockerd wraps as `error creating logger: …`, with
// `log opt '<key>': ` in front where Docker's text does not name the option.
describe('fluentd option errors, Docker\'s words', () => {
  const BAD: Array<Record<string, string>> = [
    { 'fluentd-address': 'tcp://a b:1' },
    { 'fluentd-address': 'tcp://h:x' },
    { 'fluentd-address': 'h:x' },
    { 'fluentd-address': 'a:b:c' },
    { 'fluentd-address': 'tcp://u^@h:1' },
    { 'fluentd-address': 'udp://127.0.0.1:1' },
    { 'fluentd-address': 'tcp+tls://127.0.0.1:1' },
    { 'fluentd-address': 'unix://' },
    { 'fluentd-address': 'tcp://127.0.0.1:99999' },
    { 'fluentd-buffer-limit': 'x' },
    { 'fluentd-retry-wait': '1' },
    { 'fluentd-max-retries': '-1' },
    { 'fluentd-max-retries': '99999999999999999999' },
    { 'fluentd-async': 'x' },
    { 'fluentd-async-connect': 'yes' },
    { 'fluentd-async': 'true', 'fluentd-async-connect': 'true' },
    { 'fluentd-sub-second-precision': 'x' },
    { 'fluentd-request-ack': 'x' },
    { tag: '{{' },
  ];
  for (const opts of BAD) {
    const label = Object.entries(opts).map(([k, v]) => `${k}=${v}`).join(' ');
    it.concurrent(`--log-opt ${label}`, async ({ expect: ex }) => {
      const logOpts = { 'fluentd-address': receiver.address, ...opts };
      const [d, t] = await Promise.all(
        (['fluentd', PLUGIN_NAME] as const).map((driver) =>
          runContainerFull({ driver, logOpts, cmd: 'true', name: uniqueName('fl-bad') }).then(
            () => 'started',
            (e: unknown) => {
              if (!(e instanceof DockerError)) throw e;
              return e.result.stderr.toString().split('\n')[0]!;
            },
          ),
        ),
      );
      // Docker: `docker: Error response from daemon: [failed to initialize logging driver: ]<text>.`
      const text = /^docker: Error response from daemon: (?:failed to initialize logging driver: )?(.*)\.$/.exec(d!)?.[1];
      ex(text, `Docker's error: ${d}`).toBeDefined();
      // tslogs names the option where Docker's text does not.
      ex(t).toBe(`docker: Error response from daemon: failed to initialize logging driver: error creating logger: ${namedFor(Object.keys(opts)[0]!, text!)}.`);
    }, 60_000);
  }
});
