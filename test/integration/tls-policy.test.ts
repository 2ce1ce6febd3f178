import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SINKS } from '../../src/sinks/registry.js';
import type { Sink, SinkEntry } from '../../src/sinks/sink.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { pkiForFile } from '../helpers/sink-harness.js';
import { makeSyslogPki } from '../helpers/syslog-tls.js';

// The TLS policy every TLS sink shares: the server is verified by default (against the
// system roots, or the CA file its option names), its name is checked, nothing older
// than TLS 1.2 is spoken, and verification is skipped only when the Docker option says
// so. The process-wide defaults are lowered to allow TLS 1.0 for the whole file, as an
// operator's `node --tls-min-v1.0` would: each sink must hold the minimum itself.

const pki = pkiForFile('tslogs-tls-policy-', makeSyslogPki);
const CONTEXT = sinkContext(containerInfo({ ContainerID: 'a'.repeat(64), ContainerName: '/tls' }));
const BATCH: SinkEntry[] = [{ line: Buffer.from('over tls'), source: 'stdout', sec: 1795896100, nsec: 0 }];

const defaults = { min: tls.DEFAULT_MIN_VERSION, ciphers: tls.DEFAULT_CIPHERS };
beforeAll(() => {
  tls.DEFAULT_MIN_VERSION = 'TLSv1';
  tls.DEFAULT_CIPHERS = `${defaults.ciphers}:@SECLEVEL=0`;
});
afterAll(() => {
  tls.DEFAULT_MIN_VERSION = defaults.min;
  tls.DEFAULT_CIPHERS = defaults.ciphers;
});

interface TlsSink {
  /** Options pointing at the server on `port`, trusting `ca` when given. */
  config(port: number, ca: string | undefined): Record<string, string>;
  /** The option that turns verification off. */
  skip: Record<string, string>;
  /** What makes the sink connect. */
  connect(sink: Sink): Promise<unknown>;
}

const SINKS: Record<string, TlsSink> = {
  splunk: {
    config: (port, ca) => ({ 'splunk-url': `https://localhost:${port}`, 'splunk-token': 'token', ...(ca && { 'splunk-capath': ca }) }),
    skip: { 'splunk-insecureskipverify': 'true' },
    connect: (s) => s.send(BATCH),
  },
  syslog: {
    config: (port, ca) => ({ 'syslog-address': `tcp+tls://localhost:${port}`, ...(ca && { 'syslog-tls-ca-cert': ca }) }),
    skip: { 'syslog-tls-skip-verify': 'true' },
    connect: (s) => s.send(BATCH),
  },
  fluentd: {
    config: (port, ca) => ({ 'fluentd-address': `tls://localhost:${port}`, ...(ca && { 'fluentd-tls-ca': ca }) }),
    skip: { 'fluentd-tls-insecure-skip-verify': 'true' },
    connect: (s) => s.open(),
  },
};

const servers: tls.Server[] = [];
const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const s of servers.splice(0)) s.close();
});

/** A TLS server that counts completed handshakes. */
async function server(options: tls.TlsOptions): Promise<{ port: number; handshakes: () => number }> {
  let handshakes = 0;
  const s = tls.createServer(options, (socket) => {
    handshakes++;
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
  });
  s.on('tlsClientError', () => undefined);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as AddressInfo).port, handshakes: () => handshakes };
}

const pem = (file: string) => fs.readFileSync(file, 'utf8');
const good = () => ({ key: pem(pki().serverKey), cert: pem(pki().serverCert) });
const wrongName = () => ({ key: pem(pki().wrongNameKey), cert: pem(pki().wrongNameCert) });
const tls11 = () => ({ ...good(), minVersion: 'TLSv1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'DEFAULT@SECLEVEL=0' });

/** 'connected' once the server completed a handshake with the sink, else the sink's error. */
async function attempt(name: string, serverOptions: tls.TlsOptions, withCa: boolean, extra: Record<string, string> = {}): Promise<string> {
  const s = await server(serverOptions);
  const definition = BUILTIN_SINKS.get(name)!;
  const sink = definition.create(definition.parse({ ...SINKS[name]!.config(s.port, withCa ? pki().caFile : undefined), ...extra }, CONTEXT), CONTEXT);
  sinks.push(sink);
  let error: string | undefined;
  SINKS[name]!.connect(sink).catch((e: Error) => (error = e.message));
  const deadline = Date.now() + 10_000;
  while (s.handshakes() === 0 && error === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return s.handshakes() > 0 ? 'connected' : (error ?? 'neither connected nor failed');
}

describe.each(Object.keys(SINKS))('TLS policy of the %s sink', (name) => {
  it('connects to a server signed by the CA its option names', async () => {
    expect(await attempt(name, good(), true)).toBe('connected');
  });

  it('refuses a server the system roots do not vouch for, by default', async () => {
    expect(await attempt(name, good(), false)).toMatch(/certificate|verify/i);
  });

  it('refuses a certificate for another host name', async () => {
    expect(await attempt(name, wrongName(), true)).toMatch(/altnames|does not match|is valid for other\.example/i);
  });

  it('refuses a server that speaks TLS 1.1 at most, even with verification skipped', async () => {
    // The server does accept TLS 1.1, so only the sink's minimum can refuse it.
    const s = await server(tls11());
    const client = tls.connect({ port: s.port, host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    expect(client.getProtocol()).toBe('TLSv1.1');
    client.destroy();
    expect(await attempt(name, tls11(), true)).not.toBe('connected');
    expect(await attempt(name, tls11(), false, SINKS[name]!.skip)).not.toBe('connected');
  });

  it('skips verification when its option says so', async () => {
    expect(await attempt(name, wrongName(), false, SINKS[name]!.skip)).toBe('connected');
  });
});

it.each([['splunk', { 'splunk-insecureskipverify': 'false' }], ['fluentd', { 'fluentd-tls-insecure-skip-verify': 'false' }]])(
  'the %s sink verifies when its skip option is false', async (name, option) => {
    expect(await attempt(name, wrongName(), false, option)).not.toBe('connected');
  });
