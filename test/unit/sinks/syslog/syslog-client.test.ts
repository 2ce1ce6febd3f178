// Why the syslog sink does not use the design's `syslog-client` package (1.1.1,
// last released 2017): each case below is a requirement of the sink that the
// package cannot meet. The sink's own format.ts and transport.ts replace it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMessage } from '../../../../src/sinks/syslog/format.js';

const require = createRequire(import.meta.url);

interface Client {
  buildFormattedMessage(message: string, options: Record<string, unknown>): Buffer;
  log(message: string, options: Record<string, unknown>, cb: (err?: Error) => void): void;
  close(): void;
}
interface SyslogClientModule {
  createClient(target: string, options: Record<string, unknown>): Client;
  Transport: Record<string, number>;
}
const syslog = require('syslog-client') as SyslogClientModule;

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('syslog-client 1.1.1 cannot produce what the syslog sink must send', () => {
  it('takes messages as strings, so invalid UTF-8 in a line does not reach the wire as sent', () => {
    const line = Buffer.from([0x61, 0xff, 0xfe, 0x62]); // a, two invalid bytes, b
    const client = syslog.createClient('127.0.0.1', { syslogHostname: 'vm' });
    const sent = client.buildFormattedMessage(line.toString('utf8'), { facility: 3, severity: 6, rfc3164: true, syslogHostname: 'vm' });
    expect(sent.includes(line)).toBe(false);
    expect(sent.includes(Buffer.from([0x61, 0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd, 0x62]))).toBe(true);
    // The sink sends the bytes Docker sends: the line as it was written.
    expect(formatMessage({ format: '', facility: 3, hostname: 'vm', tag: 't', pid: 1, octetCounting: false }, 'stdout', line, 0, () => 0).includes(line)).toBe(true);
  });

  it("always puts a hostname field in RFC 3164 messages: Docker's default format has none", () => {
    // A client-wide empty hostname becomes os.hostname() ...
    const client = syslog.createClient('127.0.0.1', { syslogHostname: '' }) as Client & { syslogHostname: string };
    expect(client.syslogHostname).toBe(os.hostname());
    // ... and a per-message empty one leaves an empty field: two spaces after the time.
    const sent = client.buildFormattedMessage('tag[1]: x', { facility: 3, severity: 6, rfc3164: true, syslogHostname: '' }).toString();
    expect(sent).toMatch(/^<30>\w{3} [ \d]\d \d\d:\d\d:\d\d {2}tag\[1\]: x\n$/);
  });

  it('has only UDP and TCP: no TLS, unix or unixgram transport (others silently become UDP)', () => {
    expect(Object.keys(syslog.Transport).filter((k) => Number.isNaN(Number(k))).sort()).toEqual(['Tcp', 'Udp']);
    const client = syslog.createClient('127.0.0.1', { transport: 3 }) as unknown as { transport: number };
    expect(client.transport).toBe(syslog.Transport.Udp);
  });

  it('frames every message with a newline only: no RFC 5425 octet counting for rfc5424 over tcp+tls', () => {
    const client = syslog.createClient('127.0.0.1', {});
    const sent = client.buildFormattedMessage('hello', { facility: 3, severity: 6, rfc3164: false, syslogHostname: 'vm', appName: 't', msgid: 't' }).toString();
    expect(sent).toMatch(/^<30>1 \S+ vm t \d+ t - hello\n$/);
  });

  it('crashes the process when a TCP peer closes the connection and nobody listens for "error"', () => {
    const script = `
      const net = require('node:net');
      const syslog = require('syslog-client');
      const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1', () => {
        const client = syslog.createClient('127.0.0.1', { port: server.address().port, transport: syslog.Transport.Tcp });
        client.log('hello', {}, () => {});
        setTimeout(() => { console.log('survived'); process.exit(0); }, 2000);
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 15_000 });
    expect(r.stdout).not.toContain('survived');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('connection closed');
  });
});
