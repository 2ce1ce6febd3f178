// The otlp sink against the OTLP/HTTP receiver of test/helpers/otlp-receiver.ts, which
// decodes each request with protobufjs: what goes on the wire (path, headers, both
// encodings, gzip, TLS and mTLS), and what each answer makes of a batch.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { otlpSinkDefinition } from '../../src/sinks/otlp/index.js';
import { parseOtlpOptions, type OtlpOptions } from '../../src/sinks/otlp/options.js';
import type { Sink, SinkEntry } from '../../src/sinks/sink.js';
import { packageVersion } from '../../src/util/package-version.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { closedPort } from '../helpers/ports.js';
import { OtlpReceiver, type ReceiverTls } from '../helpers/otlp-receiver.js';
import { numberedEntries, pkiForFile, rejection, SINK_TEST_ID, SINK_TEST_T, sinkTestRig } from '../helpers/sink-harness.js';
import { makeSyslogPki } from '../helpers/syslog-tls.js';

const INFO = containerInfo({ ContainerID: SINK_TEST_ID, ContainerName: '/web', ContainerImageName: 'bb:1.36' });
const SECRET = 'tok-9f8e7d6c5b4a';
const { closed, logged } = sinkTestRig();
const pki = pkiForFile('tslogs-otlp-sink-', makeSyslogPki);

const options = (config: Record<string, string>): OtlpOptions => parseOtlpOptions(config, sinkContext(INFO, logged));
const sink = (config: Record<string, string>): Sink => closed.sink(otlpSinkDefinition.create(options(config), sinkContext(INFO, logged)));
const receiver = async (tls?: ReceiverTls) => closed.server(await OtlpReceiver.start(tls === undefined ? {} : { tls }));
const serverTls = (): ReceiverTls => ({ key: fs.readFileSync(pki().serverKey, 'utf8'), cert: fs.readFileSync(pki().serverCert, 'utf8') });

const RESOURCE = {
  'container.id': SINK_TEST_ID,
  'container.name': 'web',
  'container.image.name': 'bb',
  'container.image.tags': ['1.36'],
  'container.image.id': INFO.ContainerImageID,
  'host.name': 'vm',
  'service.name': 'web',
};

describe('export requests', () => {
  it.each([
    ['http/protobuf', 'none', 'application/x-protobuf', undefined],
    ['http/protobuf', 'gzip', 'application/x-protobuf', 'gzip'],
    ['http/json', 'none', 'application/json', undefined],
    ['http/json', 'gzip', 'application/json', 'gzip'],
  ])('%s with compression %s: POST /v1/logs, %s, every field decoded', async (protocol, compression, contentType, encoding) => {
    const r = await receiver();
    const s = sink({ 'otlp-endpoint': r.url, 'otlp-protocol': protocol, 'otlp-compression': compression, 'otlp-headers': `Authorization=Bearer%20${SECRET},X-Tenant=a` });
    const before = BigInt(Date.now()) * 1_000_000n;
    expect(await s.send(numberedEntries(3))).toBeUndefined();
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect([req.method, req.path, req.status]).toEqual(['POST', '/v1/logs', 200]);
    expect(req.headers['content-type']).toBe(contentType);
    expect(req.headers['content-encoding']).toBe(encoding);
    expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(req.headers['x-tenant']).toBe('a');
    expect(req.headers['user-agent']).toBe(`tslogs/${packageVersion()} (OTLP/HTTP logs exporter; Node.js ${process.version})`);
    if (encoding === 'gzip') expect(req.rawBody.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(req.resourceLogs).toHaveLength(1);
    expect(req.resourceLogs[0]!.resource).toEqual(RESOURCE);
    expect(req.resourceLogs[0]!.scopeLogs.map((s) => s.scope)).toEqual([{ name: 'tslogs', version: packageVersion(), attributes: {} }]);
    const records = req.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(records.map((x) => [x.body, x.attributes, x.timeUnixNano, x.severityNumber, x.severityText])).toEqual([
      ['line 0', { 'log.iostream': 'stderr' }, `${SINK_TEST_T}630940000`, 0, ''],
      ['line 1', { 'log.iostream': 'stdout' }, `${SINK_TEST_T + 1}630940000`, 0, ''],
      ['line 2', { 'log.iostream': 'stdout' }, `${SINK_TEST_T + 2}630940000`, 0, ''],
    ]);
    for (const x of records) {
      const observed = BigInt(x.observedTimeUnixNano);
      expect(observed >= before - 1_000_000n && observed <= after).toBe(true);
    }
  });

  it('keep the base path of the endpoint and reuse one connection', async () => {
    const r = await receiver();
    const s = sink({ 'otlp-endpoint': `${r.url}/otel/` });
    await s.send(numberedEntries(1));
    await s.send(numberedEntries(1, 1));
    expect(r.requests.map((q) => q.path)).toEqual(['/otel/v1/logs', '/otel/v1/logs']);
    expect(r.bodies()).toEqual(['line 0', 'line 1']);
  });

  it('verify the collector with otlp-tls-ca-file, and present a client certificate for mTLS', async () => {
    const p = pki();
    const r = await receiver({ ...serverTls(), ca: fs.readFileSync(p.caFile, 'utf8') });
    const url = `https://localhost:${r.port}`;
    await sink({ 'otlp-endpoint': url, 'otlp-tls-ca-file': p.caFile, 'otlp-tls-cert-file': p.clientCert, 'otlp-tls-key-file': p.clientKey }).send(numberedEntries(2));
    expect(r.bodies()).toEqual(['line 0', 'line 1']);
    // Without the client pair the receiver refuses the handshake: retryable (it may be configured later).
    const noClient = await rejection(sink({ 'otlp-endpoint': url, 'otlp-tls-ca-file': p.caFile }).send(numberedEntries(1)));
    expect(noClient.retryable).toBe(true);
    expect(noClient.message).toMatch(new RegExp(`^otlp: POST ${url}/v1/logs: `));
  });

  it('refuse a collector the CA does not vouch for, unless told to skip verification', async () => {
    const p = pki();
    const r = await receiver(serverTls());
    const url = `https://localhost:${r.port}`;
    const err = await rejection(sink({ 'otlp-endpoint': url, 'otlp-tls-ca-file': p.otherCaFile }).send(numberedEntries(1)));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // The system roots do not know the test CA either.
    expect((await rejection(sink({ 'otlp-endpoint': url }).send(numberedEntries(1)))).message).toMatch(/certificate/);
    await sink({ 'otlp-endpoint': url, 'otlp-tls-insecure-skip-verify': 'true' }).send(numberedEntries(1));
    expect(r.bodies()).toEqual(['line 0']);
  });
});

describe('answers', () => {
  it.each([429, 502, 503, 504])('%i: retryable, the status and Status.message in the error', async (status) => {
    const r = await receiver();
    r.failNext(1, status, 'busy now');
    const err = await rejection(sink({ 'otlp-endpoint': r.url }).send(numberedEntries(2)));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`otlp: POST ${r.url}/v1/logs: ${status} ${http.STATUS_CODES[status]}: busy now; the batch will be sent again`);
    expect(r.accepted).toEqual([]);
  });

  it.each([400, 401, 403, 404, 413, 500, 501])('%i: refused for good (OTLP says not to retry it)', async (status) => {
    const r = await receiver();
    r.failNext(1, status, 'no');
    const err = await rejection(sink({ 'otlp-endpoint': r.url, 'otlp-protocol': 'http/json' }).send(numberedEntries(2)));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`otlp: POST ${r.url}/v1/logs: ${status} ${http.STATUS_CODES[status]}: no`);
  });

  it.each(['http/protobuf', 'http/json'])('a partial success (%s) is acknowledged with the rejected count, and warned of', async (protocol) => {
    const r = await receiver();
    r.partialNext(2, 'records older than 7 days');
    const ack = await sink({ 'otlp-endpoint': r.url, 'otlp-protocol': protocol }).send(numberedEntries(5));
    expect(ack).toEqual({ rejected: 2 });
    expect(r.bodies()).toEqual(['line 0', 'line 1', 'line 2']);
    expect(logged.records.map((x) => [x.level, x.msg])).toEqual([
      ['warn', 'container 812526b87fae sink otlp: otlp: the receiver refused 2 of 5 log records (partial success, not sent again): records older than 7 days'],
    ]);
  });

  it('a partial success that rejects nothing is advice: warned of once, then at debug', async () => {
    const r = await receiver();
    r.partialNext(0, 'use gzip');
    r.partialNext(0, 'use gzip');
    const s = sink({ 'otlp-endpoint': r.url });
    expect(await s.send(numberedEntries(1))).toBeUndefined();
    expect(await s.send(numberedEntries(1))).toBeUndefined();
    expect(logged.records.map((x) => [x.level, x.msg])).toEqual([
      ['warn', 'container 812526b87fae sink otlp: otlp: the receiver accepted every log record and said: use gzip'],
      ['debug', 'container 812526b87fae sink otlp: otlp: the receiver accepted every log record and said: use gzip'],
    ]);
  });

  it('nothing listening: retryable; probe() says unreachable until the receiver is back', async () => {
    const port = await closedPort();
    const s = sink({ 'otlp-endpoint': `http://127.0.0.1:${port}` });
    const err = await rejection(s.send(numberedEntries(1)));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(new RegExp(`^otlp: POST http://127.0.0.1:${port}/v1/logs: .*ECONNREFUSED`));
    expect(await s.probe!(1000)).toBe(false);
    const r = closed.server(await OtlpReceiver.start({ port }));
    expect(await s.probe!(1000)).toBe(true);
    await s.send(numberedEntries(1));
    expect(r.bodies()).toEqual(['line 0']);
  });

  it('no answer within otlp-timeout: retryable, naming the option', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closed.server({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err = await rejection(sink({ 'otlp-endpoint': url, 'otlp-timeout': '200ms' }).send(numberedEntries(1)));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`otlp: POST ${url}/v1/logs: no answer within 200 ms (otlp-timeout)`);
  });

  it('a response over 4 MiB is discarded and the batch refused for good, as OTLP requires', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end(Buffer.alloc(4 * 1024 * 1024 + 1));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closed.server({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err = await rejection(sink({ 'otlp-endpoint': url }).send(numberedEntries(1)));
    expect([err.retryable, err.message]).toEqual([false, `otlp: POST ${url}/v1/logs: the response is larger than 4194304 bytes and was discarded`]);
  });

  it('a header value the receiver echoes back never reaches an error or a log line', async () => {
    const r = await receiver();
    r.failNext(1, 503, `token ${SECRET} is throttled`);
    r.failNext(1, 400, `bad token ${SECRET}`);
    r.partialNext(1, `token ${SECRET} over quota`);
    r.partialNext(0, `token ${SECRET} near quota`);
    const s = sink({ 'otlp-endpoint': r.url, 'otlp-headers': `authorization=${SECRET}` });
    const errors = [await rejection(s.send(numberedEntries(1))), await rejection(s.send(numberedEntries(1)))];
    await s.send(numberedEntries(2));
    await s.send(numberedEntries(1));
    const texts = [...errors.map((e) => e.message), ...logged.messages()];
    expect(texts).toHaveLength(4);
    for (const t of texts) {
      expect(t).not.toContain(SECRET);
      expect(t).toContain('<redacted>');
    }
  });
});

describe('a batch', () => {
  it('goes as one request, in order, however large', async () => {
    const r = await receiver();
    const entries: SinkEntry[] = numberedEntries(1000);
    await sink({ 'otlp-endpoint': r.url, 'otlp-compression': 'gzip' }).send(entries);
    expect(r.requests).toHaveLength(1);
    expect(r.bodies()).toEqual(entries.map((e) => e.line.toString()));
  });
});
