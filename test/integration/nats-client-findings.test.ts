// What the NATS client (@nats-io/transport-node + @nats-io/jetstream 3.4.0, the maintained
// one) does where the sink depends on it, checked against a real nats-server 2.9 with
// JetStream (docs/dependencies.md). Each case is a reason for a line in
// src/sinks/nats/transport.ts or address.ts.
import fs from 'node:fs';
import path from 'node:path';
import { jetstream, JetStreamApiError } from '@nats-io/jetstream';
import { connect, errors, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCa } from '../helpers/hec-receiver.js';
import { NatsCluster } from '../helpers/nats-cluster.js';
import { pkiForFile } from '../helpers/sink-harness.js';
import { tmpDir } from '../helpers/tmp.js';

const servers: NatsCluster[] = [];
const clients: NatsConnection[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
const ca = pkiForFile('tslogs-nats-findings-', makeTestCa);

async function server(extraConfig?: string, clientCa?: string): Promise<NatsCluster> {
  const s = await NatsCluster.start(tmpDir('tslogs-nats-'), 1, { ...(extraConfig !== undefined && { extraConfig }), ...(clientCa !== undefined && { clientCa }) });
  servers.push(s);
  await s.createStream({ name: 'LOGS', subjects: ['docker.>'] });
  return s;
}

const hostPort = (s: NatsCluster) => `127.0.0.1:${s.nodes[0]!.clientPort}`;

async function client(options: Parameters<typeof connect>[0]): Promise<NatsConnection> {
  const nc = await connect(options);
  clients.push(nc);
  return nc;
}

const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('@nats-io/transport-node + @nats-io/jetstream 3.4.0', () => {
  it('a publish made while disconnected is queued, not refused: it fails only when its acknowledgement times out', async () => {
    const s = await server();
    const nc = await client({ servers: hostPort(s), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const js = jetstream(nc, { timeout: 1500 });
    await s.kill('n1');
    await new Promise((r) => setTimeout(r, 200));
    expect(nc.isClosed()).toBe(false);
    const { error } = (await settle(js.publish('docker.x', Buffer.from('{"log":"while down"}')))) as { error: Error };
    // Not a connection error: the client kept the message for the reconnection. The
    // sink hands nothing to a disconnected client and fails the batch at once instead.
    expect(error).toBeInstanceOf(errors.TimeoutError);
  });

  it('left at its defaults, the client gives up after 10 reconnection attempts and closes for good', async () => {
    const s = await server();
    const nc = await client({ servers: hostPort(s), reconnectTimeWait: 10, reconnectJitter: 0 });
    await s.kill('n1');
    await nc.closed();
    expect(nc.isClosed()).toBe(true);
  });

  it('no stream on the subject is reported as "jetstream is not enabled", a no-responders request error as its cause', async () => {
    const s = await server();
    const nc = await client({ servers: hostPort(s) });
    const { error } = (await settle(jetstream(nc).publish('nowhere.x', Buffer.from('x')))) as { error: Error };
    expect([error.name, error.message]).toEqual(['JetStreamNotEnabled', 'jetstream is not enabled']);
    expect(error.cause).toBeInstanceOf(errors.RequestError);
    expect((error.cause as InstanceType<typeof errors.RequestError>).isNoResponders()).toBe(true);
  });

  it('an expected stream that does not match is a JetStreamApiError with code 10060, and nothing is stored', async () => {
    const s = await server();
    const nc = await client({ servers: hostPort(s) });
    const { error } = (await settle(jetstream(nc).publish('docker.x', Buffer.from('x'), { expect: { streamName: 'OTHER' } }))) as { error: JetStreamApiError };
    expect(error).toBeInstanceOf(JetStreamApiError);
    expect([error.code, error.message]).toEqual([10060, 'expected stream does not match']);
    expect((await s.storedLogs('LOGS')).logs).toEqual([]);
  });

  it('a message over the server\'s max_payload is refused by the client itself', async () => {
    const s = await server('max_payload: 1024');
    const nc = await client({ servers: hostPort(s) });
    expect(nc.info?.max_payload).toBe(1024);
    const { error } = (await settle(jetstream(nc).publish('docker.x', Buffer.alloc(2000)))) as { error: Error };
    expect(error).toBeInstanceOf(errors.InvalidArgumentError);
    expect(error.message).toBe("'payload' max_payload size exceeded");
  });

  it('ignores the tls:// scheme: a tls:// server without TLS options is dialled in plain text', async () => {
    const s = await server();
    const nc = await client({ servers: `tls://${hostPort(s)}` });
    await jetstream(nc).publish('docker.x', Buffer.from('{"log":"plain"}'));
    expect((await s.storedLogs('LOGS')).logs).toEqual(['plain']);
    // With a tls object the client insists on TLS.
    const { error } = (await settle(connect({ servers: hostPort(s), tls: {} }))) as { error: Error };
    expect(error.message).toBe("server does not support 'tls'");
  });

  it('passes rejectUnauthorized on to tls.connect, though its TlsOptions type does not declare it', async () => {
    const pki = ca();
    const config = `tls { cert_file: "${path.join(pki.dir, 'server.pem')}", key_file: "${path.join(pki.dir, 'server.key')}" }`;
    const s = await server(config, fs.readFileSync(pki.caFile, 'utf8'));
    const refused = await settle(connect({ servers: hostPort(s), reconnect: false }));
    expect(refused).toHaveProperty('error');
    const nc = await client({ servers: hostPort(s), tls: { rejectUnauthorized: false } as TlsOptions });
    await jetstream(nc).publish('docker.x', Buffer.from('{"log":"unverified"}'));
    expect((await s.storedLogs('LOGS')).logs).toEqual(['unverified']);
  });
});
