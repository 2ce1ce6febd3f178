// The fluentd sink over real sockets against the msgpack test receiver (and once
// against @fluent-org/logger's FluentServer): acks, a withheld ack, receiver
// restarts, failover, TLS with a CA made at test time, unix sockets, Docker's
// reconnection series and its start-time connection check.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FluentServer } from '@fluent-org/logger';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '@msgpack/msgpack';
import { FluentdSink, fluentdSinkDefinition } from '../../src/sinks/fluentd/index.js';
import { parseFluentdOptions } from '../../src/sinks/fluentd/options.js';
import { REPLAY_WINDOW_MS } from '../../src/sinks/shared/replay-window.js';
import { sinkContext } from '../helpers/container-info.js';
import { FluentdReceiver, type ReceiverOptions } from '../helpers/fluentd-receiver.js';
import { makeTestCa } from '../helpers/hec-receiver.js';
import { numberedEntries as entries, pkiForFile, rejection, SINK_TEST_ID as ID, SINK_TEST_INFO as INFO, SINK_TEST_T as T, sinkTestRig } from '../helpers/sink-harness.js';
import { closedPort } from '../helpers/ports.js';

const { closed, logged } = sinkTestRig();
const ca = pkiForFile('tslogs-fluentd-ca-', makeTestCa);

async function receiver(options: ReceiverOptions = {}): Promise<FluentdReceiver> {
  const r = await FluentdReceiver.start(options);
  return closed.server(r);
}

function sink(config: Record<string, string>): FluentdSink {
  const context = sinkContext(INFO, logged);
  const s = fluentdSinkDefinition.create(parseFluentdOptions({ labels: 'lab1', ...config }, context), context) as FluentdSink;
  return closed.sink(s);
}

/** Settles within `ms`? */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, ms));
  return done;
}

describe('fluentd sink over TCP', () => {
  it('sends Docker\'s records: one Message-mode array per line, int32 seconds, empty option', async () => {
    const r = await receiver();
    const s = sink({ 'fluentd-address': r.address, tag: 'docker.{{.Name}}' });
    await s.open();
    await s.send(entries(3));
    const got = await r.waitForMessages(3);
    expect(got.map((m) => [m.tag, m.timeKind, m.sec, m.record, m.optionBytes.toString('hex')])).toEqual(
      [0, 1, 2].map((i) => ['docker.web', 'int32', T + i, { container_id: ID, container_name: '/web', source: i % 3 === 0 ? 'stderr' : 'stdout', log: `line ${i}`, lab1: 'v1' }, '80']),
    );
    expect(r.errors).toEqual([]);
    expect(s.maxBatchEntries).toBe(1000);
    expect(s.lingerMs).toBe(0);
  });

  it('with fluentd-sub-second-precision the time is EventTime with the nanoseconds', async () => {
    const r = await receiver();
    const s = sink({ 'fluentd-address': r.address, 'fluentd-sub-second-precision': 'true' });
    await s.send(entries(1));
    const [m] = await r.waitForMessages(1);
    expect([m!.timeKind, m!.sec, m!.nsec]).toEqual(['eventtime', T, 630940000]);
  });

  it('with fluentd-request-ack, send() resolves only once every chunk was acknowledged', async () => {
    const r = await receiver({ answerAck: () => ({ delayMs: 400 }) });
    const s = sink({ 'fluentd-address': r.address, 'fluentd-request-ack': 'true' });
    const sending = s.send(entries(5));
    await r.waitForMessages(5);
    expect(await settlesWithin(sending, 150)).toBe(false);
    await sending;
    const chunks = r.messages.map((m) => m.option.chunk!);
    expect(new Set(chunks).size).toBe(5);
    for (const [i, m] of r.messages.entries()) {
      const raw = Buffer.from(m.option.chunk!, 'base64');
      expect(raw).toHaveLength(16);
      expect(raw.readBigInt64LE(0)).toBe(BigInt(T + i));
    }
  });

  it('a withheld ack fails the batch after fluentd-read-timeout; the resend gets new chunk ids on a new connection', async () => {
    const r = await receiver({ answerAck: (_m, i) => i >= 3 });
    const s = sink({ 'fluentd-address': r.address, 'fluentd-request-ack': 'true', 'fluentd-read-timeout': '200ms' });
    const batch = entries(3);
    const err = await rejection(s.send(batch));
    expect(err.message).toBe('fluent#write: 3 message(s) not acknowledged within 200 ms (fluentd-read-timeout); the batch will be sent again');
    expect(err.retryable).toBe(true);
    await s.send(batch);
    expect(r.messages.map((m) => m.record.log)).toEqual(['line 0', 'line 1', 'line 2', 'line 0', 'line 1', 'line 2']);
    expect(r.messages.map((m) => m.connection)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(new Set(r.messages.map((m) => m.option.chunk)).size).toBe(6);
  });

  it('a wrong ack fails the batch with Docker\'s text and closes the connection', async () => {
    const r = await receiver({ answerAck: () => ({ ack: 'bm90IGl0' }) });
    const s = sink({ 'fluentd-address': r.address, 'fluentd-request-ack': 'true' });
    const err = await rejection(s.send(entries(1)));
    expect(err.message).toMatch(/^fluent#write: message ack \(bm90IGl0\) doesn't match expected one \([A-Za-z0-9+/]{22}==\)$/);
    expect(s.transport.connectedTo).toBeUndefined();
  });

  it('an ack sent with the end of the connection (one write, then FIN) acknowledges the batch', async () => {
    const server = net.createServer((socket) => {
      socket.on('data', (data) => {
        const [, , , option] = decode(data) as [string, unknown, unknown, { chunk: string }];
        socket.end(encode({ ack: option.chunk }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const s = sink({ 'fluentd-address': `127.0.0.1:${(server.address() as net.AddressInfo).port}`, 'fluentd-request-ack': 'true', 'fluentd-read-timeout': '2s' });
      await s.send(entries(1));
    } finally {
      server.close();
    }
  });

  it('an answer that never ends (arrays nested without end) closes the connection once it passes 64 KiB', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined); // the sink resets the connection
      socket.once('data', () => socket.write(Buffer.alloc(256 * 1024, 0x91)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const s = sink({ 'fluentd-address': `127.0.0.1:${(server.address() as net.AddressInfo).port}`, 'fluentd-request-ack': 'true', 'fluentd-read-timeout': '2s' });
      const err = await rejection(s.send(entries(1)));
      expect(err.message).toMatch(/^fluent#write: tcp 127\.0\.0\.1:\d+: unreadable answer from fluentd: too long$/);
    } finally {
      server.close();
    }
  });

  it('the receiver going away and coming back: send fails while it is down, then reconnects and writes the last second again first', async () => {
    const r = await receiver();
    const s = sink({ 'fluentd-address': r.address, 'fluentd-retry-wait': '10ms' });
    await s.send(entries(10));
    await r.waitForMessages(10);
    await r.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const err = await rejection(s.send(entries(10, 10)));
    expect(err.message).toBe(`dial tcp 127.0.0.1:${r.port}: connect: connection refused`);
    await r.restart();
    await s.send(entries(10, 10));
    await r.waitForMessages(30);
    // Written less than a second before the connection was lost: fluentd may not have read them.
    const lines = (from: number, n: number) => entries(n, from).map((e) => e.line.toString());
    expect(r.messages.map((m) => m.record.log)).toEqual([...lines(0, 10), ...lines(0, 10), ...lines(10, 10)]);
    expect(r.connections).toBe(2);
    expect(logged.records.filter((x) => x.level === 'warn').map((x) => x.msg)).toEqual([
      `container 812526b87fae sink fluentd: connection to tcp 127.0.0.1:${r.port} was lost; re-sent the 10 messages written in the last 1000 ms before it (fluentd may see some twice; fluentd-request-ack=true avoids both losses and duplicates)`,
    ]);
  });

  it('replays nothing with fluentd-request-ack: what was acknowledged is not sent again', async () => {
    const r = await receiver();
    const s = sink({ 'fluentd-address': r.address, 'fluentd-retry-wait': '10ms', 'fluentd-request-ack': 'true' });
    await s.send(entries(10));
    r.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.send(entries(10, 10)).catch(() => s.send(entries(10, 10)));
    await r.waitForMessages(20);
    expect(r.messages.map((m) => m.record.log)).toEqual(entries(20).map((e) => e.line.toString()));
  });

  it('a lost connection replays only its own last second: writes older than REPLAY_WINDOW_MS are not sent again', async () => {
    const r = await receiver();
    const s = sink({ 'fluentd-address': r.address, 'fluentd-retry-wait': '10ms' });
    await s.send(entries(5));
    await new Promise((resolve) => setTimeout(resolve, REPLAY_WINDOW_MS + 100));
    await s.send(entries(5, 5));
    await r.waitForMessages(10);
    r.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.send(entries(5, 10)).catch(() => s.send(entries(5, 10)));
    await r.waitForMessages(20);
    const lines = (from: number, n: number) => entries(n, from).map((e) => e.line.toString());
    expect(r.messages.map((m) => m.record.log)).toEqual([...lines(0, 10), ...lines(5, 5), ...lines(10, 5)]);
  });

  it('fails over to the next address when the first refuses, and back to the first when it returns', async () => {
    const downPort = await closedPort();
    const second = await receiver();
    const s = sink({ 'fluentd-address': `127.0.0.1:${downPort},${second.address}`, 'fluentd-request-ack': 'true' });
    await s.send(entries(4));
    expect(second.messages.map((m) => m.record.log)).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
    expect(s.transport.connectedTo).toEqual({ network: 'tcp', host: '127.0.0.1', port: second.port });
    expect(logged.messages()).toEqual([
      `container 812526b87fae sink fluentd: failed over to tcp 127.0.0.1:${second.port} (dial tcp 127.0.0.1:${downPort}: connect: connection refused)`,
    ]);
    // The first address comes up, the second goes down: the next connection is the first again.
    const first = await receiver({ port: downPort });
    await second.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.send(entries(2, 4));
    expect(first.messages.map((m) => m.record.log)).toEqual(['line 4', 'line 5']);
  });

  it('with every address down, the error names each of them', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const s = sink({ 'fluentd-address': `127.0.0.1:${a}, 127.0.0.1:${b}` });
    const err = await rejection(s.open());
    expect(err.message).toBe(`dial tcp 127.0.0.1:${a}: connect: connection refused; dial tcp 127.0.0.1:${b}: connect: connection refused`);
  });

  it('fluentd-async=false: the sink asks to be opened before the container starts, failing with Docker\'s dial text', async () => {
    const port = await closedPort();
    const s = sink({ 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-async': 'false' });
    expect(s.openBeforeStart).toBe(true);
    expect((await rejection(s.open())).message).toBe(`dial tcp 127.0.0.1:${port}: connect: connection refused`);
    expect(sink({ 'fluentd-address': `127.0.0.1:${port}` }).openBeforeStart).toBe(false);
  });

  it('follows Docker\'s reconnection series: waits retry-wait × 0, 1, 1, 2 … and restarts after fluentd-max-retries', async () => {
    const port = await closedPort();
    const s = sink({ 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-retry-wait': '150ms', 'fluentd-max-retries': '4' });
    const times: number[] = [];
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) {
      const start = Date.now();
      messages.push((await rejection(s.open())).message);
      times.push(Date.now() - start);
    }
    // Waits before attempts 1..6: 0, 0, 150, 150, then (series over) 0, 0.
    expect(times[2]).toBeGreaterThanOrEqual(140);
    expect(times[3]).toBeGreaterThanOrEqual(140);
    const refused = `dial tcp 127.0.0.1:${port}: connect: connection refused`;
    expect(messages[0]).toBe(refused);
    expect(messages[3]).toBe(`fluent#write: could not connect to fluentd after 4 retries (${refused}); the messages stay in the store and a new series of retries starts`);
    expect(messages[4]).toBe(refused);
  });

  it('close() ends a wait for the next connection attempt at once', async () => {
    const port = await closedPort();
    const s = sink({ 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-retry-wait': '10s' });
    await rejection(s.open());
    await rejection(s.open());
    const waiting = s.open();
    const start = Date.now();
    await s.close();
    expect((await rejection(waiting)).message).toBe('fluentd sink closed');
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('a receiver that stops reading fails the write after fluentd-write-timeout', async () => {
    const server = net.createServer((socket) => socket.pause());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const s = sink({ 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-write-timeout': '300ms' });
      const big = Array.from({ length: 64 }, (_, i) => ({ ...entries(1, i)[0]!, line: Buffer.alloc(1024 * 1024, 0x61) }));
      const err = await rejection(s.send(big));
      expect(err.message).toBe(`fluent#write: tcp 127.0.0.1:${port}: write i/o timeout after 300 ms (fluentd-write-timeout)`);
    } finally {
      server.close();
    }
  });
});

describe('fluentd sink over TLS and unix sockets', () => {
  it('tls:// is verified: a server signed by fluentd-tls-ca is accepted', async () => {
    const r = await receiver({ kind: 'tls', tls: { key: ca().key, cert: ca().cert } });
    const s = sink({ 'fluentd-address': r.address, 'fluentd-tls-ca': ca().caFile, 'fluentd-request-ack': 'true' });
    await s.send(entries(2));
    expect(r.messages.map((m) => m.record.log)).toEqual(['line 0', 'line 1']);
  });

  it('tls:// refuses a certificate the system roots do not vouch for, unless verification is turned off', async () => {
    const r = await receiver({ kind: 'tls', tls: { key: ca().key, cert: ca().cert } });
    const strict = sink({ 'fluentd-address': r.address });
    const err = await rejection(strict.open());
    expect(err.message).toMatch(new RegExp(`^dial tls 127\\.0\\.0\\.1:${r.port}: tls: .*(certificate|self.signed)`));
    const lax = sink({ 'fluentd-address': r.address, 'fluentd-tls-insecure-skip-verify': 'true' });
    await lax.send(entries(1));
    await r.waitForMessages(1);
  });

  it('tls:// checks the server name (the test certificate is for localhost and 127.0.0.1)', async () => {
    const r = await receiver({ kind: 'tls', tls: { key: ca().key, cert: ca().cert } });
    const wrong = sink({ 'fluentd-address': r.address, 'fluentd-tls-ca': ca().caFile, 'fluentd-tls-servername': 'fluentd.example' });
    expect((await rejection(wrong.open())).message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match|altnames/i);
    const right = sink({ 'fluentd-address': `tls://localhost:${r.port}`, 'fluentd-tls-ca': ca().caFile });
    await right.send(entries(1));
    await r.waitForMessages(1);
  });

  it('unix:// sockets, with acks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-fluentd-'));
    try {
      const r = await receiver({ kind: 'unix', path: path.join(dir, 'fluent.sock') });
      const s = sink({ 'fluentd-address': r.address, 'fluentd-request-ack': 'true' });
      await s.send(entries(3));
      expect(r.messages.map((m) => m.record.log)).toEqual(['line 0', 'line 1', 'line 2']);
      const missing = sink({ 'fluentd-address': `unix://${dir}/nope.sock` });
      expect((await rejection(missing.open())).message).toBe(`dial unix ${dir}/nope.sock: connect: no such file or directory`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('interoperability', () => {
  it('@fluent-org/logger\'s FluentServer reads the messages and answers their acks', async () => {
    const server = new FluentServer({ listenOptions: { host: '127.0.0.1', port: 0 } });
    const got: Array<[string, unknown, Record<string, string>]> = [];
    server.on('entry', (tag: string, time: unknown, record: Record<string, string>) => got.push([tag, time, record]));
    await server.listen();
    try {
      const s = sink({ 'fluentd-address': `127.0.0.1:${server.port}`, 'fluentd-request-ack': 'true', 'fluentd-sub-second-precision': 'true', tag: 't' });
      await s.send(entries(2));
      expect(got.map(([tag, time, record]) => [tag, (time as { epoch: number }).epoch, (time as { nano: number }).nano, record.log])).toEqual([
        ['t', T, 630940000, 'line 0'],
        ['t', T + 1, 630940000, 'line 1'],
      ]);
    } finally {
      await server.close();
    }
  });
});
