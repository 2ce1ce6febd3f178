// Why the gelf sink does not use gelf-pro 1.4.0 (the design's starting point, see
// docs/dependencies.md): each case shows gelf-pro failing a requirement
// of Docker's gelf driver and the tslogs sink meeting it in the same setup. The gelf-pro
// half is skipped when the package is not installed (it is not a runtime dependency).
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerInfo } from '../../src/config/container-info.js';
import { gelfSinkDefinition } from '../../src/sinks/gelf/index.js';
import type { Sink, SinkEntry } from '../../src/sinks/sink.js';
import { GelfTcpReceiver, GelfUdpReceiver } from '../helpers/gelf-receiver.js';
import { silentLogger } from '../../src/util/log.js';

/** gelf-pro's module object (a CommonJS singleton); a devDependency kept for this evidence. */
interface GelfPro {
  config: Record<string, unknown>;
  adapter: unknown;
  setConfig(conf: Record<string, unknown>): GelfPro;
  getAdapter(): { getArrayFromBuffer(buffer: Buffer, size: number): number[][] };
  send(message: string, cb: (err: Error | null, bytes?: number) => void): GelfPro;
  message(message: string, level: number, extra: Record<string, unknown>, cb: (err: Error | null) => void): void;
}
const require = createRequire(import.meta.url);
const gelfPro = require('gelf-pro') as GelfPro;
const initialConfig = JSON.stringify(gelfPro.config);

/** A fresh configuration of the singleton (as a second user of the module would have it). */
function configure(conf: Record<string, unknown>): GelfPro {
  const g = gelfPro;
  g.config = JSON.parse(initialConfig) as Record<string, unknown>;
  g.adapter = undefined;
  return g.setConfig(conf);
}

const sendPro = (g: GelfPro, message: string) =>
  new Promise<Error | null>((resolve) => g.send(message, (err) => resolve(err)));

const INFO: ContainerInfo = {
  Config: {},
  ContainerID: '6a8cee679052345a8321aa7a9da1c1832590462179cdaba4a2884dcb3eb51781',
  ContainerName: '/g2',
  ContainerEntrypoint: 'sh',
  ContainerArgs: [],
  ContainerImageID: 'sha256:ae2bddd7390b0a4cfdc0f0c757af510792301ab4d5e3b8420930998a57b8a5e5',
  ContainerImageName: 'bb:latest',
  ContainerCreated: '2026-11-28T20:02:28.070117105Z',
  ContainerEnv: null,
  ContainerLabels: { 'com.example.team': 'core' },
  LogPath: '',
  DaemonName: 'docker',
};

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  vi.restoreAllMocks();
});

async function udp(): Promise<GelfUdpReceiver> {
  const r = await GelfUdpReceiver.start();
  cleanups.push(() => r.close());
  return r;
}

async function tcp(): Promise<{ r: GelfTcpReceiver }> {
  const r = await GelfTcpReceiver.start();
  cleanups.push(() => r.close());
  return { r };
}

function tslogs(config: Record<string, string>, info = INFO): Sink {
  const context = { info, hostname: 'vm', log: silentLogger };
  const s = gelfSinkDefinition.create(gelfSinkDefinition.parse(config, context), context);
  cleanups.push(() => s.close());
  return s;
}

const entries = (n: number, prefix = 'm'): SinkEntry[] =>
  Array.from({ length: n }, (_, i) => ({ line: Buffer.from(`${prefix}${i}`), source: 'stdout', sec: 1795896148, nsec: 0 }));

const json = (n: number) => JSON.stringify({ version: '1.1', host: 'vm', short_message: `m${n}` });

describe('gelf-pro 1.4.0 cannot be Docker\'s gelf driver', () => {
  it('compression: always zlib deflate; Docker defaults to gzip and offers none', async () => {
    const r = await udp();
    await sendPro(configure({ adapterName: 'udp', adapterOptions: { host: '127.0.0.1', port: r.port, protocol: 'udp4' } }), json(1));
    await r.waitForMessages(1);
    expect(r.messages[0]!.compression).toBe('zlib');
    expect(r.messages[0]!.payload.subarray(0, 2).toString('hex')).toBe('789c');

    const t = await udp();
    await tslogs({ 'gelf-address': t.address }).send(entries(1));
    await tslogs({ 'gelf-address': t.address, 'gelf-compression-type': 'none' }).send(entries(1));
    await t.waitForMessages(2);
    expect(t.messages[0]!.payload.subarray(0, 10).toString('hex')).toBe('1f8b08000000000004ff');
    expect(t.messages[1]!.compression).toBe('none');
  });

  it('UDP: a socket per message, every datagram chunk-wrapped, 1388-byte chunks, an empty extra chunk at exact multiples', async () => {
    const r = await udp();
    const g = configure({ adapterName: 'udp', adapterOptions: { host: '127.0.0.1', port: r.port, protocol: 'udp4' } });
    for (let i = 0; i < 5; i++) await sendPro(g, json(i));
    await r.waitForMessages(5);
    expect(new Set(r.datagrams.map((d) => d.port)).size).toBe(5);
    // Small messages are still wrapped in a chunk header (1e 0f … 00 01); go-gelf sends them bare.
    expect(r.datagrams.every((d) => d.data[0] === 0x1e && d.data[1] === 0x0f && d.data[11] === 1)).toBe(true);
    expect(g.getAdapter().getArrayFromBuffer(Buffer.alloc(1388 * 2), 1388).map((c) => c.length)).toEqual([1388, 1388, 0]);

    const t = await udp();
    const s = tslogs({ 'gelf-address': t.address });
    for (let i = 0; i < 5; i++) await s.send(entries(1, `n${i}-`));
    await t.waitForMessages(5);
    expect(new Set(t.datagrams.map((d) => d.port)).size).toBe(1);
    expect(t.datagrams.every((d) => d.data[0] === 0x1f)).toBe(true);
  });

  it('TCP: a connection per message; a burst to a receiver with a short accept queue loses most messages while reporting success', async () => {
    // A receiver whose accept queue holds 16 connections (Graylog under load is no different).
    let received = 0;
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.on('data', (d: Buffer) => (received += d.filter((b) => b === 0).length));
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 16 }, resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as net.AddressInfo).port;
    const g = configure({ adapterName: 'tcp', adapterOptions: { host: '127.0.0.1', port } });
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => sendPro(g, json(i))));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(results.every((e) => e === null)).toBe(true);
    expect(received).toBeLessThan(500);
    expect(connections).toBe(received);

    // The same burst through the sink: one connection, everything there.
    const t = await tcp();
    await tslogs({ 'gelf-address': t.r.address }).send(entries(500));
    await t.r.waitForMessages(500);
    expect(t.r.connections).toBe(1);
  });

  it('TCP: a message sent while the receiver is down is gone (only the callback hears of it)', async () => {
    const { r } = await tcp();
    const port = r.port;
    await r.stop();
    const g = configure({ adapterName: 'tcp', adapterOptions: { host: '127.0.0.1', port } });
    expect((await sendPro(g, json(1)))?.message).toContain('ECONNREFUSED');
    await r.listen();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.messages).toEqual([]);
    // The sink fails the send retryably: the router keeps the entry and sends it again.
    await r.stop();
    const s = tslogs({ 'gelf-address': `tcp://127.0.0.1:${port}`, 'gelf-tcp-max-reconnect': '0' });
    await expect(s.send(entries(1))).rejects.toMatchObject({ retryable: true });
    await r.listen();
    await s.send(entries(1));
    expect((await r.waitForMessages(1))[0]!.fields.short_message).toBe('m0');
  });

  it('a module-level singleton: a second configuration redirects and relabels the first one\'s messages', async () => {
    const a = await udp();
    const b = await udp();
    const first = configure({ adapterName: 'udp', adapterOptions: { host: '127.0.0.1', port: a.port, protocol: 'udp4' }, fields: { container: 'one' } });
    await new Promise<void>((resolve) => first.message('from one', 6, {}, () => resolve()));
    // Another container's configuration, through its own require() of the same module …
    const second = (require(['gelf', 'pro'].join('-')) as GelfPro).setConfig({ adapterOptions: { port: b.port }, fields: { container: 'two' } });
    expect(second).toBe(first);
    await new Promise<void>((resolve) => second.message('from two', 6, {}, () => resolve()));
    await a.waitForMessages(2);
    // … goes to the first one's receiver (the adapter is cached), and the first one's next message is labelled "two".
    expect(a.messages.map((m) => [m.fields.short_message, m.fields._container])).toEqual([['from one', 'one'], ['from two', 'two']]);
    expect(b.messages).toEqual([]);

    // Two sinks are two independent objects.
    await tslogs({ 'gelf-address': a.address }).send(entries(1, 'a'));
    await tslogs({ 'gelf-address': b.address }, { ...INFO, ContainerName: '/other' }).send(entries(1, 'b'));
    await b.waitForMessages(1);
    expect(b.messages[0]!.fields).toMatchObject({ short_message: 'b0', _container_name: 'other' });
  });

  it('extra fields: adds its own `_` (`_created` → `__created`) and warns on the console for every dotted key', async () => {
    const r = await udp();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const g = configure({ adapterName: 'udp', adapterOptions: { host: '127.0.0.1', port: r.port, protocol: 'udp4' } });
    await new Promise<void>((resolve) => g.message('x', 6, { _created: '2026-11-28T20:02:28Z', 'com.example.team': 'core' }, () => resolve()));
    await r.waitForMessages(1);
    expect(Object.keys(r.messages[0]!.fields)).toContain('__created');
    expect(warn).toHaveBeenCalledWith('com.example.team: the key format is not valid');

    warn.mockClear();
    const t = await udp();
    await tslogs({ 'gelf-address': t.address, labels: 'com.example.team' }).send(entries(1));
    await t.waitForMessages(1);
    expect(t.messages[0]!.fields).toMatchObject({ _created: INFO.ContainerCreated, '_com.example.team': 'core' });
    expect(warn).not.toHaveBeenCalled();
  });
});
