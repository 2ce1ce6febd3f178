// The syslog sink over real sockets against small receivers on loopback and in
// temp dirs: Docker's bytes and framing per transport, TLS verification and its
// Go minimums, unix stream and datagram sockets, the local socket, failures and
// reconnection. The real-rsyslog tests are in syslog-rsyslog.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkEntry } from '../../src/sinks/sink.js';
import { SyslogSink } from '../../src/sinks/syslog/index.js';
import { parseSyslogOptions, type SyslogOptions } from '../../src/sinks/syslog/options.js';
import { CaptureServer, DgramCapture, UdpCapture } from '../helpers/syslog-servers.js';
import { waitUntil } from '../helpers/wait.js';
import { makeSyslogPki, type SyslogPki } from '../helpers/syslog-tls.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { rejection, sinkTestRig } from '../helpers/sink-harness.js';
import { freePort } from '../helpers/ports.js';

const INFO = containerInfo({ ContainerID: '374b8cfb97e7a8d6c1f1f4a4a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', ContainerName: '/web' });
const TAG = '374b8cfb97e7';
const PID = process.pid;
/** Every message is stamped with this send time (UTC). */
const NOW = Date.UTC(2026, 10, 28, 20, 2, 11) * 1000 + 484_649;
const clock = { now: () => NOW, zone: () => 0 };

const { closed, logged } = sinkTestRig();
const context = sinkContext(INFO, logged);
const keep = closed.server;

function sink(config: Record<string, string>, over: Partial<SyslogOptions> = {}): SyslogSink {
  const s = new SyslogSink({ ...parseSyslogOptions(config, context), ...over }, context, clock);
  return closed.sink(s);
}

const entry = (line: string | Buffer, source = 'stdout'): SinkEntry => ({
  line: typeof line === 'string' ? Buffer.from(line) : line,
  source,
  sec: 1795896000,
  nsec: 0,
});

let dir: string;
let pki: SyslogPki;
const pem = (file: string) => fs.readFileSync(file);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-syslog-sink-'));
  pki = makeSyslogPki(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const unixStamp = 'Nov 28 20:02:11';

describe('udp', () => {
  it('sends one datagram per message with Docker\'s bytes, skipping empty lines and cutting at 16 KiB', async () => {
    const server = keep(await UdpCapture.start());
    const s = sink({ 'syslog-address': `udp://127.0.0.1:${server.port}` });
    await s.open();
    const long = Buffer.alloc(16390, 0x61);
    await s.send([entry('out-line'), entry('err-line', 'stderr'), entry(''), entry('x\ty'), entry(long)]);
    await waitUntil(() => server.datagrams.length >= 5, '5 datagrams');
    expect(server.datagrams.map((d) => d.toString('latin1'))).toEqual([
      `<30>${unixStamp} ${TAG}[${PID}]: out-line\n`,
      `<27>${unixStamp} ${TAG}[${PID}]: err-line\n`,
      `<30>${unixStamp} ${TAG}[${PID}]: x\ty\n`,
      `<30>${unixStamp} ${TAG}[${PID}]: ${'a'.repeat(16384)}\n`,
      `<30>${unixStamp} ${TAG}[${PID}]: aaaaaa\n`,
    ]);
  });

  it('rfc5424 over udp: no octet counting', async () => {
    const server = keep(await UdpCapture.start());
    const s = sink({ 'syslog-address': `udp://127.0.0.1:${server.port}`, 'syslog-format': 'rfc5424', tag: 'mytag' });
    await s.send([entry('out-line')]);
    await waitUntil(() => server.datagrams.length >= 1, 'a datagram');
    expect(server.datagrams[0]!.toString()).toBe(`<30>1 2026-11-28T20:02:11Z vm mytag ${PID} mytag - out-line\n`);
  });

  it('over udp, once refusals show the server was gone, the datagrams of the last second are sent again first, each on its own; the probe finds the server back', async () => {
    const server = await UdpCapture.start();
    const { port } = server;
    const s = sink({ 'syslog-address': `udp://127.0.0.1:${port}`, 'syslog-format': 'rfc5424' });
    await s.send([entry('a0'), entry('a1')]);
    await waitUntil(() => server.datagrams.length >= 2, 'two datagrams');
    await server.close();
    expect(await s.probe(1000)).toBe(false);
    const back = keep(await UdpCapture.start(port));
    expect(await s.probe(1000)).toBe(true);
    await s.send([entry('b0')]);
    await waitUntil(() => back.datagrams.length >= 3, 'the replay and the batch');
    // The probe's empty datagram, then the replay, one datagram per message.
    expect(back.datagrams.map((d) => d.toString().replace(/^.* - /, '').trim())).toEqual(['', 'a0', 'a1', 'b0']);
    expect(logged.messages()[0]).toMatch(/^syslog: connection udp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+ was lost; re-sent the 2 messages written in the last 1000 ms before it/);
  });

  it('a datagram the kernel refuses as too long is rejected for good (not retried forever)', async () => {
    const server = keep(await UdpCapture.start());
    const s = sink({ 'syslog-address': `udp://127.0.0.1:${server.port}` }, { tag: 't'.repeat(70_000) });
    const err = await rejection(s.send([entry('x')]));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^write udp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: write: message too long$/);
  });
});

describe('tcp', () => {
  it('concatenates newline-terminated messages (rfc3164, local3) and resolves once written', async () => {
    const server = keep(await CaptureServer.tcp());
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}`, 'syslog-format': 'rfc3164', 'syslog-facility': 'local3' });
    await s.send([entry('out-line'), entry('err-line', 'stderr')]);
    await s.send([entry('third')]);
    const want = `<158>${unixStamp} vm ${TAG}[${PID}]: out-line\n<155>${unixStamp} vm ${TAG}[${PID}]: err-line\n<158>${unixStamp} vm ${TAG}[${PID}]: third\n`;
    await waitUntil(() => server.bytes().length >= want.length, 'the bytes');
    expect(server.bytes().toString()).toBe(want);
    expect(server.connections).toHaveLength(1);
  });

  it('rfc5424micro over tcp is newline framed too', async () => {
    const server = keep(await CaptureServer.tcp());
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}`, 'syslog-format': 'rfc5424micro', 'syslog-facility': '17' });
    await s.send([entry('out-line')]);
    const want = `<142>1 2026-11-28T20:02:11.484649Z vm ${TAG} ${PID} ${TAG} - out-line\n`;
    await waitUntil(() => server.bytes().length >= want.length, 'the bytes');
    expect(server.bytes().toString()).toBe(want);
  });

  it('an unreachable server: open() still resolves, send() rejects retryably with Go\'s text, then works once it listens', async () => {
    const port = await freePort();
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${port}` });
    await s.open();
    const err = await rejection(s.send([entry('early')]));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`dial tcp 127.0.0.1:${port}: connect: connection refused`);
    const server = keep(await CaptureServer.tcp({ port }));
    await s.send([entry('early')]);
    await waitUntil(() => server.bytes().toString().endsWith('early\n'), 'the line');
  });

  it('a lookup failure names the host', async () => {
    const s = sink({ 'syslog-address': 'tcp://no-such-host.invalid:1514' });
    const err = await rejection(s.send([entry('x')]));
    expect(err.message).toBe('dial tcp: lookup no-such-host.invalid: no such host');
  });

  it('dials again without an error when the server closed an idle connection', async () => {
    const server = keep(await CaptureServer.tcp());
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}` });
    await s.send([entry('one')]);
    await waitUntil(() => server.bytes().length > 0, 'the first line');
    // Idle for longer than the replay window: nothing is sent twice.
    await new Promise((r) => setTimeout(r, 1100));
    server.connections[0]!.socket.end();
    await new Promise((r) => setTimeout(r, 50));
    await s.send([entry('two')]);
    await waitUntil(() => server.connections.length === 2 && server.connections[1]!.bytes().length > 0, 'the second connection');
    expect(server.connections[0]!.bytes().toString()).toMatch(/: one\n$/);
    expect(server.connections[1]!.bytes().toString()).toMatch(/^<30>[^\n]*: two\n$/);
    expect(logged.messages()).toEqual([]);
  });

  it('after a lost connection, writes what it wrote in the last second again first (nothing lost, maybe twice)', async () => {
    const server = keep(await CaptureServer.tcp());
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}` });
    await s.send([entry('a1'), entry('a2')]);
    await waitUntil(() => server.bytes().length > 0, 'the first batch');
    server.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    await s.send([entry('b1')]).catch(() => s.send([entry('b1')]));
    await waitUntil(() => server.connections.length === 2 && server.connections[1]!.bytes().toString().endsWith('b1\n'), 'the replay');
    expect(server.connections[1]!.bytes().toString().split('\n').filter(Boolean).map((l) => l.slice(l.lastIndexOf(' ') + 1))).toEqual(['a1', 'a2', 'b1']);
    expect(logged.messages()).toHaveLength(1);
    expect(logged.messages()[0]).toMatch(/^syslog: connection tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+ was lost; re-sent the 2 messages written in the last 1000 ms before it/);
  });

  it('fails a send whose connection closes before the write is confirmed', async () => {
    const server = keep(await CaptureServer.tcp());
    // The server closes every connection as soon as it is accepted.
    server.onConnection = (c) => c.socket.destroy();
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}` });
    const err = await rejection((async () => {
      for (let i = 0; i < 20; i++) await s.send([entry(`x${i}`)]);
    })());
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/127\.0\.0\.1:\d+: (connection closed by the syslog server|(read|write): (connection reset by peer|broken pipe))$/);
  });

  it('makes no connection for a batch of empty lines', async () => {
    const server = keep(await CaptureServer.tcp());
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}` });
    await s.send([entry(''), entry('')]);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.connections).toHaveLength(0);
  });

  it('refuses to send after close()', async () => {
    const server = keep(await CaptureServer.tcp());
    const s = sink({ 'syslog-address': `tcp://127.0.0.1:${server.port}` });
    await s.send([entry('x')]);
    await s.close();
    expect((await rejection(s.send([entry('y')]))).message).toBe('syslog sink closed');
  });
});

describe('tcp+tls', () => {
  const serverTls = () => ({ cert: pem(pki.serverCert), key: pem(pki.serverKey) });

  it('verifies against the CA file, octet counts rfc5424 and negotiates TLS 1.3', async () => {
    const server = keep(await CaptureServer.tls(serverTls()));
    const s = sink({ 'syslog-address': `tcp+tls://localhost:${server.port}`, 'syslog-tls-ca-cert': pki.caFile, 'syslog-format': 'rfc5424' });
    await s.send([entry('hello')]);
    const msg = `<30>1 2026-11-28T20:02:11Z vm ${TAG} ${PID} ${TAG} - hello\n`;
    await waitUntil(() => server.bytes().length >= msg.length, 'the message');
    expect(server.bytes().toString()).toBe(`${msg.length} ${msg}`);
    expect((server.connections[0]!.socket as import('node:tls').TLSSocket).getProtocol()).toBe('TLSv1.3');
  });

  it('newline framing for the default format', async () => {
    const server = keep(await CaptureServer.tls(serverTls()));
    const s = sink({ 'syslog-address': `tcp+tls://127.0.0.1:${server.port}`, 'syslog-tls-ca-cert': pki.caFile });
    await s.send([entry('hello2')]);
    await waitUntil(() => server.bytes().length > 0, 'the message');
    expect(server.bytes().toString()).toBe(`<30>${unixStamp} ${TAG}[${PID}]: hello2\n`);
  });

  it('refuses a server its roots do not vouch for, with Go\'s text; skip-verify accepts it', async () => {
    const server = keep(await CaptureServer.tls(serverTls()));
    const verified = sink({ 'syslog-address': `tcp+tls://localhost:${server.port}`, 'syslog-tls-ca-cert': pki.otherCaFile });
    const err = await rejection(verified.send([entry('x')]));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('x509: certificate signed by unknown authority');
    // Without a CA file: the bundled roots, which do not know the test CA either.
    expect((await rejection(sink({ 'syslog-address': `tcp+tls://localhost:${server.port}` }).send([entry('x')]))).message).toBe(
      'x509: certificate signed by unknown authority',
    );
    const skipping = sink({ 'syslog-address': `tcp+tls://localhost:${server.port}`, 'syslog-tls-skip-verify': 'false' });
    await skipping.send([entry('skipped')]);
    await waitUntil(() => server.bytes().toString().endsWith('skipped\n'), 'the message');
  });

  it('checks the name in the certificate', async () => {
    const server = keep(await CaptureServer.tls({ cert: pem(pki.wrongNameCert), key: pem(pki.wrongNameKey) }));
    const s = sink({ 'syslog-address': `tcp+tls://localhost:${server.port}`, 'syslog-tls-ca-cert': pki.caFile });
    expect((await rejection(s.send([entry('x')]))).message).toBe('x509: certificate is valid for other.example, not localhost');
  });

  it('sends the client certificate to a server that requires one', async () => {
    const server = keep(await CaptureServer.tls({ ...serverTls(), ca: pem(pki.caFile), requestCert: true, rejectUnauthorized: true }));
    const s = sink({
      'syslog-address': `tcp+tls://localhost:${server.port}`,
      'syslog-tls-ca-cert': pki.caFile,
      'syslog-tls-cert': pki.clientCert,
      'syslog-tls-key': pki.clientKey,
    });
    await s.send([entry('mutual')]);
    await waitUntil(() => server.bytes().length > 0, 'the message');
    const socket = server.connections[0]!.socket as import('node:tls').TLSSocket;
    expect(socket.authorized).toBe(true);
    expect(socket.getPeerCertificate().subject.CN).toBe('tslogs client');
  });

  it("keeps Go's minimums: no TLS 1.1, and TLS 1.2 only with ECDHE AES-GCM suites", async () => {
    const old = keep(await CaptureServer.tls({ ...serverTls(), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }));
    const s1 = sink({ 'syslog-address': `tcp+tls://localhost:${old.port}`, 'syslog-tls-ca-cert': pki.caFile });
    expect((await rejection(s1.send([entry('x')]))).message).toMatch(/^tls: /);
    const cbc = keep(await CaptureServer.tls({ ...serverTls(), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA' }));
    const s2 = sink({ 'syslog-address': `tcp+tls://localhost:${cbc.port}`, 'syslog-tls-ca-cert': pki.caFile });
    expect((await rejection(s2.send([entry('x')]))).message).toMatch(/^tls: /);
    const gcm = keep(await CaptureServer.tls({ ...serverTls(), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }));
    const s3 = sink({ 'syslog-address': `tcp+tls://localhost:${gcm.port}`, 'syslog-tls-ca-cert': pki.caFile });
    await s3.send([entry('x')]);
    await waitUntil(() => gcm.connections.length === 1, 'the connection');
    const socket = gcm.connections[0]!.socket as import('node:tls').TLSSocket;
    expect(socket.getProtocol()).toBe('TLSv1.2');
    expect(socket.getCipher().standardName).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  });
});

describe('unix sockets', () => {
  it('unix: a stream, newline framed', async () => {
    const server = keep(await CaptureServer.unix(path.join(dir, 'stream.sock')));
    const s = sink({ 'syslog-address': `unix://${server.path}`, 'syslog-format': 'rfc5424' });
    await s.send([entry('a'), entry('b', 'stderr')]);
    const want = `<30>1 2026-11-28T20:02:11Z vm ${TAG} ${PID} ${TAG} - a\n<27>1 2026-11-28T20:02:11Z vm ${TAG} ${PID} ${TAG} - b\n`;
    await waitUntil(() => server.bytes().length >= want.length, 'the bytes');
    expect(server.bytes().toString()).toBe(want);
  });

  it('unixgram: one datagram per message (node-unix-socket), waiting while the queue is full', async () => {
    const server = keep(await DgramCapture.start(path.join(dir, 'dgram.sock')));
    const s = sink({ 'syslog-address': `unixgram://${server.path}` });
    const batch = Array.from({ length: 3000 }, (_, i) => entry(`line ${i}`));
    await s.send(batch);
    await waitUntil(() => server.datagrams.length >= 3000, '3000 datagrams');
    expect(server.datagrams.map((d) => d.toString())).toEqual(batch.map((e) => `<30>${unixStamp} ${TAG}[${PID}]: ${e.line.toString()}\n`));
  });

  it('unixgram to a stream socket, a stale socket or a missing one fails like Go\'s dial', async () => {
    const stream = keep(await CaptureServer.unix(path.join(dir, 'not-dgram.sock')));
    const s1 = sink({ 'syslog-address': `unixgram://${stream.path}` });
    expect((await rejection(s1.send([entry('x')]))).message).toBe(`dial unixgram ${stream.path}: connect: protocol wrong type for socket`);
    const gone = keep(await DgramCapture.start(path.join(dir, 'gone.sock')));
    const s2 = sink({ 'syslog-address': `unixgram://${gone.path}` });
    await s2.send([entry('first')]);
    await gone.close();
    const err = await rejection(s2.send([entry('second')]));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`write unixgram ${gone.path}: write: no such file or directory`);
    expect((await rejection(s2.send([entry('third')]))).message).toBe(`dial unixgram ${gone.path}: connect: no such file or directory`);
  });

  it('the empty address takes the first datagram socket of the local paths, else the first stream one', async () => {
    const p1 = path.join(dir, 'l1.sock');
    const p2 = path.join(dir, 'l2.sock');
    const p3 = path.join(dir, 'l3.sock');
    const stream = keep(await CaptureServer.unix(p1));
    const gram = keep(await DgramCapture.start(p2));
    const s = sink({}, { localPaths: [p3, p1, p2] });
    await s.send([entry('local')]);
    await waitUntil(() => gram.datagrams.length === 1, 'the datagram');
    expect(gram.datagrams[0]!.toString()).toBe(`<30>${unixStamp} ${TAG}[${PID}]: local\n`);
    expect(stream.connections.length).toBe(1); // probed, closed, not used
    expect(stream.bytes().length).toBe(0);

    const onlyStream = sink({}, { localPaths: [p3, p1] });
    await onlyStream.send([entry('via stream')]);
    await waitUntil(() => stream.bytes().length > 0, 'the stream');
    expect(stream.bytes().toString()).toBe(`<30>${unixStamp} ${TAG}[${PID}]: via stream\n`);

    const none = sink({}, { localPaths: [p3] });
    expect((await rejection(none.send([entry('x')]))).message).toBe('Unix syslog delivery error');
  });
});
