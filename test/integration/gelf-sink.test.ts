// The gelf sink against GELF receivers on loopback (test/helpers/gelf-receiver.ts) that
// decode it fully: chunks reassembled by message id, gzip and zlib decompressed, JSON
// parsed. UDP (every compression, chunking, the 128-chunk limit, outages, DNS) and TCP
// (framing, one connection, Docker's reconnect options, receiver restarts through the
// real router with nothing lost).
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';

import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { compileMessages, encodeMessage, chunkCount, GELF_CHUNK_DATA } from '../../src/sinks/gelf/format.js';
import { GelfSink, gelfSinkDefinition } from '../../src/sinks/gelf/index.js';
import type { Lookup } from '../../src/sinks/gelf/lookup.js';
import { parseGelfAddress, parseGelfOptions, type GelfOptions } from '../../src/sinks/gelf/options.js';
import { TcpTransport } from '../../src/sinks/gelf/tcp-transport.js';
import { DNS_REFRESH_MS, UdpTransport } from '../../src/sinks/gelf/udp-transport.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import type { SinkEntry } from '../../src/sinks/sink.js';
import { ByteSink } from '../../src/util/byte-sink.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { GelfTcpReceiver, GelfUdpReceiver, type GelfMessage } from '../helpers/gelf-receiver.js';
import { rejection } from '../helpers/sink-harness.js';
import { REPLAY_WINDOW_MS } from '../../src/sinks/shared/replay-window.js';
import { tmpDir } from '../helpers/tmp.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { silentLogger } from '../../src/util/log.js';

const INFO = containerInfo({
  ContainerID: '6a8cee679052345a8321aa7a9da1c1832590462179cdaba4a2884dcb3eb51781', ContainerName: '/g2', ContainerArgs: ['-c', 'echo plain'],
  ContainerCreated: '2026-11-28T20:02:28.070117105Z', ContainerEnv: ['E1=x1'], ContainerLabels: { lab1: 'v1', 'com.example.team': 'core' },
});
const T0 = 1795896148;

const cleanups: Array<() => Promise<unknown>> = [];
const logged = recordingLogger();
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  logged.records.length = 0;
});

async function udpReceiver(host = '127.0.0.1', port = 0): Promise<GelfUdpReceiver> {
  const r = await GelfUdpReceiver.start(host, port);
  cleanups.push(() => r.close());
  return r;
}

async function tcpReceiver(host = '127.0.0.1', port = 0): Promise<GelfTcpReceiver> {
  const r = await GelfTcpReceiver.start(host, port);
  cleanups.push(() => r.close());
  return r;
}

function options(config: Record<string, string>): GelfOptions {
  return parseGelfOptions({ labels: 'lab1,com.example.team', env: 'E1', ...config }, sinkContext(INFO, logged));
}

function sink(config: Record<string, string>): GelfSink {
  const s = gelfSinkDefinition.create(options(config), sinkContext(INFO, logged)) as GelfSink;
  cleanups.push(() => s.close());
  return s;
}

/** What format.ts makes of an entry: the JSON the receiver must decode. */
function expectedJson(config: Record<string, string>, e: SinkEntry): string {
  const out = new ByteSink(64);
  encodeMessage(e, compileMessages(options(config).messages), out);
  return out.view().toString('utf8');
}

/** Bytes with every 7-bit value, JSON escapes and invalid UTF-8: compresses poorly. */
function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = (s >>> 16) & 0xff;
  }
  return b;
}

const entry = (line: string | Buffer, source = 'stdout', i = 0): SinkEntry => ({ line: Buffer.from(line), source, sec: T0 + i, nsec: 407_000_000 + i });

const BATCH: SinkEntry[] = [
  entry('plain'),
  entry('to stderr <&>', 'stderr', 1),
  entry('', 'stdout', 2), // skipped, as Docker does
  entry(noise(5000), 'stdout', 3), // needs chunks unless compressed well
  entry(Buffer.from([0x68, 0xff, 0xe2, 0x82, 0x20, 0xe2, 0x80, 0xa8]), 'stderr', 4),
];

function layoutOf(payloadLength: number): number[] {
  const n = chunkCount(payloadLength);
  if (n === 1) return [payloadLength];
  return Array.from({ length: n }, (_, i) => 12 + Math.min(GELF_CHUNK_DATA, payloadLength - i * GELF_CHUNK_DATA));
}

/** Sends BATCH, then a second batch, through a sink for `config`; `r` must decode exactly their messages. */
async function sendsTwoBatches(r: GelfUdpReceiver | GelfTcpReceiver, config: Record<string, string>): Promise<GelfMessage[]> {
  const s = sink(config);
  await s.open();
  await s.send(BATCH);
  await s.send([entry('second batch', 'stdout', 9)]);
  const got = await r.waitForMessages(5);
  const want = [...BATCH.filter((e) => e.line.length > 0), entry('second batch', 'stdout', 9)].map((e) => expectedJson(config, e));
  expect(got.map((m) => m.json.toString('utf8'))).toEqual(want);
  return got;
}

describe('gelf sink over UDP', () => {
  for (const [type, level] of [['gzip', '1'], ['gzip', '0'], ['zlib', '9'], ['zlib', '0'], ['none', '1']] as const) {
    it(`gelf-compression-type=${type} level ${level}: the receiver decodes exactly the expected messages, chunked as go-gelf does, from one socket`, async () => {
      const r = await udpReceiver();
      const config = { 'gelf-address': r.address, 'gelf-compression-type': type, 'gelf-compression-level': level };
      const got = await sendsTwoBatches(r, config);
      expect(got.every((m) => m.compression === type)).toBe(true);
      for (const m of got) expect(m.datagrams).toEqual(layoutOf(m.payload.length));
      if (type === 'none') expect(got[2]!.datagrams.length).toBeGreaterThan(1);
      // One connected socket for the container, not one per message.
      expect(new Set(r.datagrams.map((d) => d.port)).size).toBe(1);
      expect(r.errors).toEqual([]);
      expect(got[1]!.fields).toMatchObject({ level: 3, short_message: 'to stderr <&>', '_com.example.team': 'core', _E1: 'x1', _lab1: 'v1' });
    });
  }

  it('a message that needs more than 128 chunks is dropped as Docker does (msg too large, would need N chunks): rejected alone, not retried', async () => {
    const r = await udpReceiver();
    const s = sink({ 'gelf-address': r.address, 'gelf-compression-type': 'none' });
    const huge = entry('<'.repeat(40_000)); // 240,000 bytes of JSON: 171 chunks
    const err = await rejection(s.send([huge]));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^gelf: cannot send GELF message: msg too large, would need 17\d chunks$/);
    // Such a line never shares a batch: the batch byte limit is below it …
    expect(huge.line.length).toBeGreaterThan(s.maxBatchBytes);
    // … but if it did, the others would still go and the drop be reported.
    await s.send([entry('before'), huge, entry('after')]);
    expect((await r.waitForMessages(2)).map((m) => m.fields.short_message)).toEqual(['before', 'after']);
    expect(logged.messages()).toEqual([err.message]);
  });

  it('receiver down: send fails retryably (ICMP port unreachable) instead of counting as sent; once it is back the last second is sent again, then the batch', async () => {
    const r = await udpReceiver();
    const { port } = r;
    const s = sink({ 'gelf-address': r.address });
    await s.send([entry('one')]);
    await r.waitForMessages(1);
    await r.close();
    const err = await rejection(s.send([entry('two')]));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`gelf: cannot send GELF message: write udp 127.0.0.1:${port}: write: connection refused`);
    // Retried while down: still refused every time.
    expect((await rejection(s.send([entry('two')]))).retryable).toBe(true);
    const back = await udpReceiver('127.0.0.1', port);
    await s.send([entry('two')]);
    // 'one' was sent less than a second before the refusals: the dead receiver may not have read it.
    expect((await back.waitForMessages(2)).map((m) => m.fields.short_message)).toEqual(['one', 'two']);
  });

  it('over UDP, what was sent more than a second before the receiver went away is not sent again', async () => {
    const r = await udpReceiver();
    const { port } = r;
    let clock = 1_000_000;
    const s = new UdpTransport(parseGelfAddress(r.address), () => clock);
    cleanups.push(() => s.close());
    await s.send([Buffer.from('{"short_message":"old"}')]);
    clock += REPLAY_WINDOW_MS + 1;
    await s.send([Buffer.from('{"short_message":"recent"}')]);
    await r.waitForMessages(2);
    await r.close();
    await rejection(s.send([Buffer.from('{"short_message":"next"}')]));
    const back = await udpReceiver('127.0.0.1', port);
    await s.send([Buffer.from('{"short_message":"next"}')]);
    expect((await back.waitForMessages(2)).map((m) => m.fields.short_message)).toEqual(['recent', 'next']);
  });

  it('re-resolves the host name (Docker resolves it once, moby #17904): the socket follows the host to its new address', async () => {
    const a = await udpReceiver('127.0.0.1');
    const b = await udpReceiver('127.0.0.2', a.port);
    let target = '127.0.0.1';
    let clock = 1_000_000;
    const lookup: Lookup = async () => ({ address: target, family: 4 });
    const t = new UdpTransport(parseGelfAddress(`udp://graylog.test:${a.port}`), () => clock, lookup);
    cleanups.push(() => t.close());
    await t.send([Buffer.from('{"n":1}')]);
    target = '127.0.0.2';
    clock += DNS_REFRESH_MS - 1;
    await t.send([Buffer.from('{"n":2}')]);
    clock += 1;
    await t.send([Buffer.from('{"n":3}')]);
    await a.waitForMessages(2);
    await b.waitForMessages(1);
    expect(a.messages.map((m) => m.fields.n)).toEqual([1, 2]);
    expect(b.messages.map((m) => m.fields.n)).toEqual([3]);
  });

  it('an unresolvable host fails open() retryably with Go\'s dial error (Docker fails the container start)', async () => {
    const lookup: Lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND', hostname: 'nohost' });
    };
    const t = new UdpTransport(parseGelfAddress('udp://nohost:12201'), Date.now, lookup);
    const err = await rejection(t.open());
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('gelf: cannot connect to GELF endpoint: nohost:12201 dial udp: lookup nohost: no such host');
  });
});

describe('gelf sink over TCP', () => {
  it('sends uncompressed JSON, each message NUL-terminated, over one connection for every batch', async () => {
    const r = await tcpReceiver();
    const config = { 'gelf-address': r.address };
    await sendsTwoBatches(r, config);
    expect(r.connections).toBe(1);
    expect(r.errors).toEqual([]);
  });

  it('open() against a closed port fails retryably with Docker\'s text', async () => {
    const r = await tcpReceiver();
    const { port } = r;
    await r.stop();
    const s = sink({ 'gelf-address': `tcp://127.0.0.1:${port}` });
    const err = await rejection(s.open());
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`gelf: cannot connect to GELF endpoint: 127.0.0.1:${port} dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('gelf-tcp-max-reconnect / -reconnect-delay: Docker\'s attempts inside send, then the router\'s backoff; a success restores them', async () => {
    const r = await tcpReceiver();
    // The option is in whole seconds (options.test.ts); 150 ms keeps the test short.
    const t = new TcpTransport(parseGelfAddress(r.address), { maxReconnect: 2, reconnectDelayMs: 150, log: logged, replayWindowMs: 0 });
    cleanups.push(() => t.close());
    await t.send(Buffer.from('{"n":1}\0'), 1);
    await r.stop();
    const timed = async (p: Promise<unknown>) => {
      const start = Date.now();
      const err = await rejection(p);
      return { ms: Date.now() - start, err };
    };
    // First failure of the outage: 2 reconnections, 150 ms apart, then a retryable rejection.
    const first = await timed(t.send(Buffer.from('{"n":2}\0'), 1));
    expect(first.ms).toBeGreaterThanOrEqual(290);
    expect(first.err.retryable).toBe(true);
    expect(first.err.message).toMatch(/^gelf: cannot connect to GELF endpoint: 127\.0\.0\.1:\d+ dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
    // Later sends of the same outage: one attempt each; the router's backoff spaces them.
    const second = await timed(t.send(Buffer.from('{"n":2}\0'), 1));
    expect(second.ms).toBeLessThan(100);
    await r.listen();
    await t.send(Buffer.from('{"n":2}\0'), 1);
    expect((await r.waitForMessages(2)).map((m) => m.fields.n)).toEqual([1, 2]);
    // The budget is back after a success.
    await r.stop();
    expect((await timed(t.send(Buffer.from('{"n":3}\0'), 1))).ms).toBeGreaterThanOrEqual(290);
  });

  it('re-writes the last second after a reset: the receiver died with unread data (GELF TCP has no acks)', async () => {
    const r = await tcpReceiver();
    await r.stop();
    // A receiver that accepts but has not read yet: what is sent stays in its kernel buffer.
    await r.listen({ unread: true });
    const t = new TcpTransport(parseGelfAddress(r.address), { maxReconnect: 3, reconnectDelayMs: 0, log: logged });
    cleanups.push(() => t.close());
    await t.send(Buffer.from('{"n":1}\0'), 1);
    await t.send(Buffer.from('{"n":2}\0{"n":3}\0'), 2);
    // It dies with unread data: the kernel resets the connection. Both sends had succeeded.
    await r.stop();
    expect(r.messages).toEqual([]);
    await r.listen();
    await t.send(Buffer.from('{"n":4}\0'), 1);
    await r.waitForMessages(4);
    expect(r.messages.map((m) => m.fields.n)).toEqual([1, 2, 3, 4]);
    expect(logged.messages()).toEqual([`gelf: connection to 127.0.0.1:${r.port} was lost; re-sent the 3 messages written in the last 1000 ms before it (the receiver may see some twice)`]);
  });

  it('after a clean close (FIN) re-writes only what could have been in flight', async () => {
    const r = await tcpReceiver();
    const t = new TcpTransport(parseGelfAddress(r.address), { maxReconnect: 3, reconnectDelayMs: 0, log: logged });
    cleanups.push(() => t.close());
    await t.send(Buffer.from('{"n":1}\0'), 1);
    await r.waitForMessages(1);
    await new Promise((res) => setTimeout(res, 300));
    await t.send(Buffer.from('{"n":2}\0'), 1);
    await r.waitForMessages(2);
    // The receiver read everything and closes: only n=2, written just before, is written again.
    await r.stop();
    await r.listen();
    await t.send(Buffer.from('{"n":3}\0'), 1);
    await r.waitForMessages(4);
    expect(r.messages.map((m) => m.fields.n)).toEqual([1, 2, 2, 3]);
    expect(logged.messages()).toHaveLength(1);
    expect(logged.messages()[0]).toMatch(/re-sent the 1 messages written in the last 1\d\d ms before it/);
  });

  it('re-resolves the host on reconnect (Docker resolves it once, moby #17904)', async () => {
    const a = await tcpReceiver('127.0.0.1');
    const b = await tcpReceiver('127.0.0.2', a.port);
    let target = '127.0.0.1';
    const t = new TcpTransport(parseGelfAddress(`tcp://graylog.test:${a.port}`), {
      maxReconnect: 1, reconnectDelayMs: 0, log: silentLogger, replayWindowMs: 0,
      lookup: async () => ({ address: target, family: 4 }),
    });
    cleanups.push(() => t.close());
    await t.send(Buffer.from('{"n":1}\0'), 1);
    await a.stop();
    target = '127.0.0.2';
    await t.send(Buffer.from('{"n":2}\0'), 1);
    expect((await a.waitForMessages(1)).map((m) => m.fields.n)).toEqual([1]);
    expect((await b.waitForMessages(1)).map((m) => m.fields.n)).toEqual([2]);
  });

  it('through the router: the receiver restarts mid-stream and every line still arrives, in order', async () => {
    const r = await tcpReceiver();
    const dir = tmpDir();
    const driver = new PluginDriver({ root: `${dir}/store`, registry: sinkRegistry([gelfSinkDefinition]), log: logged, hostname: 'vm' });
    cleanups.push(() => driver.shutdown());
    const fifo = new Fifo(dir, 'f1');
    cleanups.push(() => fifo.close());
    const id = INFO.ContainerID;
    const config = { 'gelf-address': r.address, 'gelf-tcp-reconnect-delay': '0', 'sink-retry-min': '20ms', 'sink-retry-max': '100ms' };
    await driver.startLogging({ File: fifo.path, Info: { ...INFO, Config: config } });
    const total = 3000;
    const line = (i: number) => `line ${String(i).padStart(5, '0')}`;
    const writer = (async () => {
      for (let i = 0; i < total; i += 50) {
        const frames: Buffer[] = [];
        for (let k = i; k < i + 50; k++) {
          frames.push(encodeFrame({ source: k % 5 === 0 ? 'stderr' : 'stdout', sec: T0 + k, nsec: 0, line: Buffer.from(line(k)), partial: false, meta: undefined }));
        }
        await fifo.write(Buffer.concat(frames));
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    await r.waitForMessages(300, 15_000);
    await r.stop();
    await new Promise((res) => setTimeout(res, 600));
    await r.listen();
    await writer;
    const lines = () => r.messages.map((m) => m.fields.short_message as string);
    const want = Array.from({ length: total }, (_, i) => line(i));
    await expect.poll(() => new Set(lines()).size, { timeout: 20_000 }).toBe(total);
    // In order once repeats (the re-written tail of the lost connection, or a retried batch) are set aside.
    const firsts = lines().filter((l, i, all) => all.indexOf(l) === i);
    expect(firsts).toEqual(want);
    // The only thing the receiver may see wrong is the message it was cut in the middle of when it stopped.
    expect(r.errors.filter((e) => !/^connection 0: \d+ bytes without a NUL terminator$/.test(e))).toEqual([]);
    expect(r.connections).toBeGreaterThanOrEqual(2);
    expect(driver.router.views()[0]!.delivery.stats.retries).toBeGreaterThan(0);
    const message = r.messages.find((m) => m.fields.short_message === line(5))!;
    expect(message.fields).toMatchObject({ level: 3, host: 'vm', _container_id: id, timestamp: T0 + 5 });
  }, 60_000);
});
