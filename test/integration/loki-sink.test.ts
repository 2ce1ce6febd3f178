// The loki sink against the Loki receiver of test/helpers/loki-receiver.ts: TLS (the CA
// file, the server name, skipping verification, mTLS refused without a client pair),
// loki-timeout, and how each answer sorts a batch into retried or refused.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { lokiSinkDefinition } from '../../src/sinks/loki/index.js';
import { parseLokiOptions } from '../../src/sinks/loki/options.js';
import type { Sink } from '../../src/sinks/sink.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { LokiReceiver, type ReceiverTls } from '../helpers/loki-receiver.js';
import { numberedEntries, pkiForFile, rejection, SINK_TEST_ID, sinkTestRig } from '../helpers/sink-harness.js';
import { makeSyslogPki } from '../helpers/syslog-tls.js';

const INFO = containerInfo({ ContainerID: SINK_TEST_ID, ContainerName: '/web' });
const { closed, logged } = sinkTestRig();
const pki = pkiForFile('tslogs-loki-sink-', makeSyslogPki);

const sink = (config: Record<string, string>): Sink => closed.sink(lokiSinkDefinition.create(parseLokiOptions(config, sinkContext(INFO, logged)), sinkContext(INFO, logged)));
const receiver = async (tls?: ReceiverTls) => closed.server(await LokiReceiver.start(tls === undefined ? {} : { tls }));
const tlsOf = (key: string, cert: string): ReceiverTls => ({ key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') });

describe('loki pushes over TLS', () => {
  it('verify Loki with loki-tls-ca-file, by the name loki-tls-server-name gives when it is not the URL host', async () => {
    const p = pki();
    const r = await receiver(tlsOf(p.wrongNameKey, p.wrongNameCert));
    const ca = { 'loki-url': r.url, 'loki-tls-ca-file': p.caFile };
    // The certificate is for other.example, not 127.0.0.1.
    expect((await rejection(sink(ca).send(numberedEntries(1)))).message).toMatch(/^loki: POST https:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/push: .*(altnames|ERR_TLS_CERT_ALTNAME_INVALID)/);
    await sink({ ...ca, 'loki-tls-server-name': 'other.example' }).send(numberedEntries(2));
    expect(r.lines()).toEqual(['line 0', 'line 1']);
  });

  it('refuse a certificate of another CA, unless loki-tls-insecure-skip-verify', async () => {
    const p = pki();
    const r = await receiver(tlsOf(p.serverKey, p.serverCert));
    const err = await rejection(sink({ 'loki-url': r.url, 'loki-tls-ca-file': p.otherCaFile }).send(numberedEntries(1)));
    expect([err.retryable, /certificate/i.test(err.message)]).toEqual([true, true]);
    await sink({ 'loki-url': r.url, 'loki-tls-insecure-skip-verify': 'true' }).send(numberedEntries(1));
    expect(r.lines()).toEqual(['line 0']);
  });

  it('present the client pair to a Loki that requires one', async () => {
    const p = pki();
    const server = https.createServer({ ...tlsOf(p.serverKey, p.serverCert), ca: fs.readFileSync(p.caFile), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closed.server({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const url = `https://localhost:${(server.address() as AddressInfo).port}/loki/api/v1/push`;
    await rejection(sink({ 'loki-url': url, 'loki-tls-ca-file': p.caFile }).send(numberedEntries(1)));
    await sink({ 'loki-url': url, 'loki-tls-ca-file': p.caFile, 'loki-tls-cert-file': p.clientCert, 'loki-tls-key-file': p.clientKey }).send(numberedEntries(1));
  });
});

describe('answers', () => {
  it.each([
    [429, true], [500, true], [502, true], [503, true], [504, true],
    [400, false], [401, false], [403, false], [404, false], [413, false],
  ])('%i: retried %s', async (status, retryable) => {
    const r = await receiver();
    r.failNext(1, status, 'told to');
    const err = await rejection(sink({ 'loki-url': r.url }).send(numberedEntries(3)));
    expect(err.retryable).toBe(retryable);
    expect(err.message).toMatch(new RegExp(`: ${status} [A-Za-z ]+: told to; ${retryable ? 'the batch will be sent again' : 'Loki refused the batch, which is not sent again'}$`));
  });

  it('a Loki that does not answer within loki-timeout fails the push, to be retried', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closed.server({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/loki/api/v1/push`;
    const err = await rejection(sink({ 'loki-url': url, 'loki-timeout': '200ms' }).send(numberedEntries(1)));
    expect([err.retryable, err.message]).toEqual([true, `loki: POST ${url}: no answer within 200 ms (loki-timeout)`]);
  });
});
