// The syslog sink against a real rsyslogd (Debian's rsyslog, with rsyslog-gnutls
// for TLS), started here with its own config on loopback ports and in a temp dir
// (helpers/syslog-servers.ts). rsyslog writes the raw message of everything it
// receives to a file, which the tests read:
//   - every line arrives, byte for byte, over udp, tcp, tcp+tls, unix and unixgram, in each format;
//   - through the whole plugin (FIFO, store, router): rsyslog stopped mid-run on tcp and
//     restarted loses nothing and keeps the order; a server that is not up when the
//     container starts gets every line once it appears; invalid options fail StartLogging.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';

import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import type { SinkEntry } from '../../src/sinks/sink.js';
import type { SyslogFormat } from '../../src/sinks/syslog/format.js';
import { SyslogSink, syslogSinkDefinition } from '../../src/sinks/syslog/index.js';
import { parseSyslogOptions } from '../../src/sinks/syslog/options.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { Rsyslog } from '../helpers/syslog-servers.js';
import { waitUntil } from '../helpers/wait.js';
import { makeSyslogPki, type SyslogPki } from '../helpers/syslog-tls.js';
import { type RecordingLogger, recordingLogger } from '../helpers/recording-logger.js';

const ID = 'd33bb2e6fb0f0b0d7e5c1e3f2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7';
const PID = process.pid;

const info = (config: Record<string, string>, id = ID) => containerInfo({ Config: config, ContainerID: id, ContainerName: '/rs' });

let dir: string;
let pki: SyslogPki;
let rsyslog: Rsyslog;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-rsyslog-'));
  pki = makeSyslogPki(dir);
  rsyslog = await Rsyslog.create(dir, { caFile: pki.caFile, certFile: pki.serverCert, keyFile: pki.serverKey });
  await rsyslog.start();
}, 60_000);

afterAll(async () => {
  await rsyslog?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Lines tricky for a syslog server: UTF-8, invalid bytes, <>&, a tab, CR, a 16 KiB+ line. */
function workload(marker: string): { entries: SinkEntry[]; expected: Buffer[] } {
  const lines: Array<[string, Buffer]> = [
    ['stdout', Buffer.from(`${marker} plain`)],
    ['stderr', Buffer.from(`${marker} on stderr`)],
    ['stdout', Buffer.from('')],
    ['stdout', Buffer.concat([Buffer.from(`${marker} utf8 é \u{1F600} invalid `), Buffer.from([0xff, 0xfe]), Buffer.from(' <b>&amp;</b> tab\there cr\r')])],
    ['stdout', Buffer.concat([Buffer.from(`${marker} long `), Buffer.alloc(20000 - marker.length - 6, 0x78)])],
  ];
  const entries = lines.map(([source, line]) => ({ line, source, sec: 1, nsec: 0 }));
  // Docker's messages: empty lines skipped, long lines cut at 16384 bytes.
  const expected: Buffer[] = [];
  for (const [, line] of lines) for (let i = 0; i < line.length; i += 16384) expected.push(line.subarray(i, i + 16384));
  return { entries, expected };
}

const FORMATS: SyslogFormat[] = ['', 'rfc3164', 'rfc5424', 'rfc5424micro'];
const STAMP = '[A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d';
const RFC3339 = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)';
const RFC3339_MICRO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}(Z|[+-]\\d\\d:\\d\\d)';

/** The header rsyslog must have received before each message text. */
function header(format: SyslogFormat, severity: number, rawTag: string): RegExp {
  const tag = rawTag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pri = `<${3 * 8 + severity}>`;
  switch (format) {
    case '':
      return new RegExp(`^${pri}${STAMP} ${tag}\\[${PID}\\]: `);
    case 'rfc3164':
      return new RegExp(`^${pri}${STAMP} vm ${tag}\\[${PID}\\]: `);
    case 'rfc5424':
      return new RegExp(`^${pri}1 ${RFC3339} vm ${tag} ${PID} ${tag} - `);
    case 'rfc5424micro':
      return new RegExp(`^${pri}1 ${RFC3339_MICRO} vm ${tag} ${PID} ${tag} - `);
  }
}

/** rsyslog's output lines (latin1) from `input` whose header has the tag `tag`. */
function received(input: string, tag: string): string[] {
  return rsyslog
    .lines()
    .filter((l) => l.startsWith(`${input} `) && (l.includes(` ${tag}[`) || l.includes(` ${tag} `)))
    .map((l) => l.slice(input.length + 1));
}

const context = sinkContext(info({}));

describe('rsyslogd receives every line', () => {
  const transports = [
    { name: 'udp', input: 'imudp', address: () => `udp://127.0.0.1:${rsyslog.ports.udp}`, extra: {} },
    { name: 'tcp', input: 'imtcp', address: () => `tcp://127.0.0.1:${rsyslog.ports.tcp}`, extra: {} },
    { name: 'tcp+tls', input: 'imtcp', address: () => `tcp+tls://localhost:${rsyslog.ports.tls}`, extra: { 'syslog-tls-ca-cert': '' } },
    { name: 'unix', input: 'imptcp', address: () => `unix://${rsyslog.streamSocket}`, extra: {} },
    { name: 'unixgram', input: 'imuxsock', address: () => `unixgram://${rsyslog.dgramSocket}`, extra: {} },
  ];
  for (const t of transports) {
    for (const format of FORMATS) {
      it(`${t.name}, format ${JSON.stringify(format)}`, async () => {
        const marker = `m-${t.name}-${format || 'unix'}-${Date.now().toString(36)}`;
        const config: Record<string, string> = { 'syslog-address': t.address(), 'syslog-format': format, tag: marker };
        if ('syslog-tls-ca-cert' in t.extra) config['syslog-tls-ca-cert'] = pki.caFile;
        const sink = new SyslogSink(parseSyslogOptions(config, context), context);
        try {
          const { entries, expected } = workload(marker);
          await sink.open();
          await sink.send(entries);
          await waitUntil(() => received(t.input, marker).length >= expected.length, `${expected.length} messages from ${t.input}`);
          const got = received(t.input, marker);
          expect(got).toHaveLength(expected.length);
          const severities = [6, 3, 6, 6, 6, 6];
          got.forEach((line, i) => {
            const m = header(format, severities[i]!, marker).exec(line);
            expect(m, `${JSON.stringify(line.slice(0, 120))} has the ${format || 'unix'} header`).not.toBeNull();
            expect(Buffer.from(line.slice(m![0].length), 'latin1')).toEqual(expected[i]);
          });
        } finally {
          await sink.close();
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------
// Through the plugin

const T0 = 1795896100;
const frame = (i: number, source = 'stdout') =>
  encodeFrame({ source, sec: T0 + i, nsec: 0, line: Buffer.from(`seq ${String(i).padStart(6, '0')}`), partial: false, meta: undefined });

const drivers: PluginDriver[] = [];
const fifos: Fifo[] = [];
afterEach(async () => {
  for (const f of fifos.splice(0)) await f.close();
  for (const d of drivers.splice(0)) await d.shutdown();
  if (!rsyslog.running) await rsyslog.start();
});

function plugin(): { driver: PluginDriver; logged: RecordingLogger; fifo: Fifo } {
  const root = fs.mkdtempSync(path.join(dir, 'store-'));
  const logged = recordingLogger();
  const driver = new PluginDriver({ root, registry: sinkRegistry([syslogSinkDefinition]), log: logged, hostname: 'vm' });
  drivers.push(driver);
  const fifo = new Fifo(root, 'fifo');
  fifos.push(fifo);
  return { driver, logged, fifo };
}

/** The sequence numbers rsyslog wrote for a container tag, in file order. */
function sequence(input: string, tag: string): number[] {
  return rsyslog
    .lines()
    .filter((l) => l.startsWith(`${input} `) && l.includes(` ${tag}[`))
    .map((l) => Number(/seq (\d+)$/.exec(l)?.[1] ?? NaN));
}

/** Every number once, in order, apart from replays: a replay only repeats a recent stretch. */
function expectAllInOrder(got: number[], count: number): void {
  const firsts: number[] = [];
  const seen = new Set<number>();
  for (const n of got) {
    if (!seen.has(n)) firsts.push(n);
    seen.add(n);
  }
  expect(firsts).toEqual(Array.from({ length: count }, (_, i) => i));
}

describe('through the plugin', () => {
  it('rsyslog stopped mid-run on tcp and restarted: every line arrives, in order', async () => {
    const { driver, logged, fifo } = plugin();
    const tag = 'outage';
    await driver.startLogging({
      File: fifo.path,
      Info: info({ 'syslog-address': `tcp://127.0.0.1:${rsyslog.ports.tcp}`, tag, 'sink-retry-min': '20ms', 'sink-retry-max': '200ms' }, 'a'.repeat(64)),
    });
    const total = 3000;
    const writer = (async () => {
      for (let i = 0; i < total; i += 10) {
        await fifo.write(Buffer.concat(Array.from({ length: 10 }, (_, k) => frame(i + k))));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitUntil(() => sequence('imtcp', tag).length > 500, 'the first lines');
    await rsyslog.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await rsyslog.start();
    await writer;
    await waitUntil(() => new Set(sequence('imtcp', tag)).size >= total, `${total} lines`, 30_000);
    expectAllInOrder(sequence('imtcp', tag), total);
    // The outage was noticed and retried.
    expect(logged.messages().some((r) => /sink syslog: send failed, retrying with backoff: dial tcp 127\.0\.0\.1:\d+: connect: connection refused/.test(r))).toBe(true);
  }, 60_000);

  it('a server that is down when the container starts gets every line once it is up', async () => {
    await rsyslog.stop();
    const { driver, fifo } = plugin();
    const tag = 'latecomer';
    // The container starts: StartLogging does not wait for the server (Docker would fail here).
    await driver.startLogging({
      File: fifo.path,
      Info: info({ 'syslog-address': `tcp+tls://localhost:${rsyslog.ports.tls}`, 'syslog-tls-ca-cert': pki.caFile, tag, 'sink-retry-min': '20ms', 'sink-retry-max': '200ms' }, 'b'.repeat(64)),
    });
    await fifo.write(Buffer.concat(Array.from({ length: 200 }, (_, i) => frame(i, i % 2 ? 'stderr' : 'stdout'))));
    await new Promise((r) => setTimeout(r, 500));
    await rsyslog.start();
    await waitUntil(() => sequence('imtcp', tag).length >= 200, '200 lines');
    expect(sequence('imtcp', tag)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  }, 30_000);

  it.each([
    [{ 'syslog-address': 'tcp://127.0.0.1:x' }, 'parse "tcp://127.0.0.1:x": invalid port ":x" after host'],
    [{ 'syslog-address': 'unixgram:///nonexistent.sock' }, 'stat /nonexistent.sock: no such file or directory'],
    [{ sinks: 'syslog', 'syslog-facility': 'local9' }, 'invalid syslog facility'],
    [{ sinks: 'syslog', 'syslog-format': 'rfc5425' }, 'Invalid syslog format'],
    [{ 'syslog-address': 'tcp+tls://localhost', 'syslog-tls-cert': '/nope.pem', 'syslog-tls-key': '/nope.key' }, 'Could not load X509 key pair: open /nope.pem: no such file or directory'],
  ])('StartLogging refuses %j', async (config, message) => {
    const { driver, fifo } = plugin();
    await expect(driver.startLogging({ File: fifo.path, Info: info(config, 'c'.repeat(64)) })).rejects.toThrow(message);
  });
});
