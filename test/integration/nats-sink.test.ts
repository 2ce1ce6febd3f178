// The nats sink against a real nats-server (Debian's) with JetStream, one node: the
// messages and subject stored, the stream expectation, failures that must be retried
// (no stream, server down, unverified TLS) and the two a resend cannot cure (a line
// over max_payload is cut, a message over the stream's max_msg_size is dropped alone).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NatsSink, natsSinkDefinition } from '../../src/sinks/nats/index.js';
import { parseNatsOptions } from '../../src/sinks/nats/options.js';
import { sinkContext } from '../helpers/container-info.js';
import { makeTestCa } from '../helpers/hec-receiver.js';
import { type ClusterOptions, NatsCluster } from '../helpers/nats-cluster.js';
import { numberedEntries as entries, pkiForFile, rejection, SINK_TEST_ID as ID, SINK_TEST_INFO as INFO, SINK_TEST_T as T, sinkTestRig } from '../helpers/sink-harness.js';
import { tmpDir } from '../helpers/tmp.js';

// Servers stop only after the sinks closed: a sink left open when its server stopped
// would log its disconnection into the next test.
const { closed, logged } = sinkTestRig();
const ca = pkiForFile('tslogs-nats-ca-', makeTestCa);

async function server(options: ClusterOptions & { stream?: Record<string, unknown> } = {}): Promise<NatsCluster> {
  const s = await NatsCluster.start(tmpDir('tslogs-nats-'), 1, options);
  closed.server({ close: () => s.stop() });
  await s.createStream({ name: 'LOGS', subjects: ['docker.>', 'logs.>'], ...options.stream });
  return s;
}

function sink(config: Record<string, string>): NatsSink {
  const context = sinkContext(INFO, logged);
  return closed.sink(natsSinkDefinition.create(parseNatsOptions({ 'nats-timeout': '2s', ...config }, context), context) as NatsSink);
}

describe('nats sink against nats-server with JetStream', () => {
  it('publishes one JSON message per line to the rendered subject and resolves once JetStream stored them all', async () => {
    const s = await server();
    const k = sink({ 'nats-url': s.url, 'nats-subject': 'logs.{{.Name}}', 'nats-stream': 'LOGS', labels: 'lab1' });
    await k.open();
    await k.send(entries(3));
    const { records } = await s.storedLogs('LOGS');
    expect(records).toEqual([0, 1, 2].map((i) => ({
      log: `line ${i}`, stream: i % 3 === 0 ? 'stderr' : 'stdout', time: new Date((T + i) * 1000).toISOString().replace('.000Z', '.63094Z'),
      container_id: ID, container_name: '/web', image_name: 'bb:latest', host: 'vm', attrs: { lab1: 'v1' },
      _subject: 'logs.web', _seq: i + 1,
    })));
    expect([k.maxBatchEntries, k.maxInFlight, k.lingerMs]).toEqual([1000, 4, 0]);
  });

  it('with nats-stream, a subject that another stream captures is refused (retryably), not stored there', async () => {
    const s = await server();
    const k = sink({ 'nats-url': s.url, 'nats-stream': 'OTHER' });
    const err = await rejection(k.send(entries(2)));
    expect(err.message).toBe('nats: JetStream refused the message: expected stream does not match (error code 10060); the batch will be sent again');
    expect(err.retryable).toBe(true);
    expect((await s.storedLogs('LOGS')).logs).toEqual([]);
  });

  it('a subject no stream captures fails retryably, saying so', async () => {
    const s = await server();
    const k = sink({ 'nats-url': s.url, 'nats-subject': 'elsewhere.{{.ID}}' });
    const err = await rejection(k.send(entries(1)));
    expect(err.message).toBe("nats: no JetStream stream answered on subject 'elsewhere.812526b87fae' (no stream captures it, or its leader is being elected); the batch will be sent again");
    expect(err.retryable).toBe(true);
  });

  it('with no server, open() fails retryably naming the servers; while the server is down sends fail at once and resume after it', async () => {
    const s = await server();
    const url = s.url;
    await s.kill('n1');
    // A minute for acknowledgements: the sends below must fail because the connection is down, not time out.
    const k = sink({ 'nats-url': url, 'nats-timeout': '60s' });
    const err = await rejection(k.open());
    expect(err.message).toMatch(/^nats: cannot connect to 127\.0\.0\.1:\d+: /);
    await s.startNode('n1');
    await k.send(entries(2));
    await s.kill('n1');
    const down = await rejection(k.send(entries(2, 2)));
    expect(down.message).toMatch(/^nats: disconnected from 127\.0\.0\.1:\d+, reconnecting/);
    await s.startNode('n1');
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await k.send(entries(2, 2));
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // Nothing sent while down was buffered by the client and replayed: each line is there once.
    expect((await s.storedLogs('LOGS')).logs).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
    expect(logged.messages().some((m) => m.includes('nats: reconnected to'))).toBe(true);
  });

  it('over TLS, verified against nats-tls-ca-cert; without the CA the certificate is refused, retryably', async () => {
    const pki = ca();
    const tlsConfig = `tls { cert_file: "${path.join(pki.dir, 'server.pem')}", key_file: "${path.join(pki.dir, 'server.key')}" }`;
    const s = await server({ extraConfig: tlsConfig, scheme: 'tls', clientCa: fs.readFileSync(pki.caFile, 'utf8') });
    const good = sink({ 'nats-url': s.url.replace('127.0.0.1', 'localhost'), 'nats-tls-ca-cert': pki.caFile });
    await good.send(entries(1));
    const unverified = sink({ 'nats-url': s.url.replace('127.0.0.1', 'localhost') });
    const err = await rejection(unverified.open());
    expect(err.message).toMatch(/^nats: cannot connect to localhost:\d+: .*(self[- ]signed|unable to verify|issuer)/i);
    const skipping = sink({ 'nats-url': s.url, 'nats-tls-skip-verify': 'true' });
    await skipping.send(entries(1, 1));
    expect((await s.storedLogs('LOGS')).logs).toEqual(['line 0', 'line 1']);
  });

  it('cuts a line that would exceed the server\'s max_payload, and delivers it', async () => {
    const s = await server({ extraConfig: 'max_payload: 2048' });
    const k = sink({ 'nats-url': s.url });
    await k.send([{ line: Buffer.alloc(5000, 0x61), source: 'stdout', sec: T, nsec: 0 }, ...entries(1)]);
    const { logs, sizes } = await s.storedLogs('LOGS');
    expect(logs[0]).toMatch(/^a+ \[tslogs: line cut at \d+ bytes\]$/);
    expect(sizes[0]).toBeLessThanOrEqual(2048);
    expect(sizes[0]).toBeGreaterThan(2000);
    expect(logs[1]).toBe('line 0');
    expect(logged.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      expect.stringMatching(/^container 812526b87fae sink nats: nats: a line was cut to \d+ bytes to fit the server's max_payload of 2048 bytes/),
    ]);
  });

  it('drops alone a message over the stream\'s max_msg_size (a resend cannot cure it) and reports it', async () => {
    const s = await server({ stream: { max_msg_size: 400 } });
    const k = sink({ 'nats-url': s.url });
    await k.send([...entries(1), { line: Buffer.alloc(1000, 0x62), source: 'stdout', sec: T, nsec: 0 }, ...entries(1, 1)]);
    expect((await s.storedLogs('LOGS')).logs).toEqual(['line 0', 'line 1']);
    expect(logged.records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual([
      expect.stringMatching(/^container 812526b87fae sink nats: nats: 1 message\(s\) dropped: the stream refuses them for their size \(message size exceeds maximum allowed\)/),
    ]);
  });
});
