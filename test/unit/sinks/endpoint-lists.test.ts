// splunk-url, syslog-address and gelf-address as comma-separated lists, with their
// *-balance options: each element validated as Docker validates one address, every
// refusal naming the option and the element's position.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gelfSinkDefinition } from '../../../src/sinks/gelf/index.js';
import { parseGelfOptions } from '../../../src/sinks/gelf/options.js';
import { MultiEndpointSink } from '../../../src/sinks/shared/multi-endpoint-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import { SplunkSink, splunkSinkDefinition } from '../../../src/sinks/splunk/index.js';
import { parseSplunkOptions } from '../../../src/sinks/splunk/options.js';
import { SyslogSink, syslogSinkDefinition } from '../../../src/sinks/syslog/index.js';
import { parseSyslogOptions } from '../../../src/sinks/syslog/options.js';
import { containerInfo, sinkContext } from '../../helpers/container-info.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp.js';

const context = sinkContext(containerInfo({}));
const TOKEN = { 'splunk-token': 't0ken' };
const splunk = (url: string, more: Record<string, string> = {}) => parseSplunkOptions({ 'splunk-url': url, ...TOKEN, ...more }, context, {});
const syslog = (address: string, more: Record<string, string> = {}) => parseSyslogOptions({ 'syslog-address': address, ...more }, context);
const gelf = (address: string, more: Record<string, string> = {}) => parseGelfOptions({ 'gelf-address': address, ...more }, context);

const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});
const kept = (s: Sink): Sink => {
  sinks.push(s);
  return s;
};

describe('splunk-url with several endpoints', () => {
  it('keeps each origin in order, the first as origin; failover by default', () => {
    const o = splunk('http://127.0.0.1:8088, https://hec2.example:8088/');
    expect([o.origin, o.origins, o.balance]).toEqual(['http://127.0.0.1:8088', ['http://127.0.0.1:8088', 'https://hec2.example:8088'], 'failover']);
    expect(splunk('http://a:1,http://b:1', { 'splunk-balance': 'round-robin' }).balance).toBe('round-robin');
  });

  it('with one address is what it always was, splunk-balance accepted and changing nothing', () => {
    const o = splunk('http://127.0.0.1:8088', { 'splunk-balance': 'round-robin' });
    expect(o.origins).toEqual(['http://127.0.0.1:8088']);
    expect(kept(splunkSinkDefinition.create(o, context))).toBeInstanceOf(SplunkSink);
    expect(errorOf(() => splunk('ftp://h:21')).message).toBe('splunk: expected format scheme://dns_name_or_ip:port for splunk-url');
  });

  it('refuses each bad element with Docker\'s text and its position', () => {
    expect(errorOf(() => splunk('http://a:1,ftp://h:21')).message).toBe(
      "log opt 'splunk-url', address 2 of 2: splunk: expected format scheme://dns_name_or_ip:port for splunk-url");
    expect(errorOf(() => splunk('http://a:1,http://h:abc,http://b:1')).message).toBe(
      "log opt 'splunk-url', address 2 of 3: splunk: failed to parse http://h:abc as url value in splunk-url");
    expect(errorOf(() => splunk('http://a:1,http://{{.Name}}:1')).message).toMatch(/^log opt 'splunk-url', address 2 of 2: splunk: /);
    expect(errorOf(() => splunk('http://a:1,http://b\n:1')).message).toMatch(/^log opt 'splunk-url', address 2 of 2: splunk: /);
  });

  it('refuses empty elements and the same origin twice', () => {
    expect(errorOf(() => splunk('http://a:1,')).message).toBe("log opt 'splunk-url', address 2 of 2: empty address in the comma-separated list");
    expect(errorOf(() => splunk('http://a:1,http://a:1/')).message).toBe("log opt 'splunk-url', address 2 of 2: the same endpoint as address 1");
  });

  it('refuses a splunk-balance that is neither mode', () => {
    expect(errorOf(() => splunk('http://a:1,http://b:1', { 'splunk-balance': 'random' })).message).toBe(
      `log opt 'splunk-balance': "random" is neither failover nor round-robin`);
  });

  it('creates one sink per endpoint behind a multi-endpoint sink, its addresses without user information', () => {
    const sink = kept(splunkSinkDefinition.create(splunk('http://user:secret@127.0.0.1:1,http://127.0.0.1:2', { 'splunk-max-in-flight': '4' }), context));
    expect(sink).toBeInstanceOf(MultiEndpointSink);
    expect(sink.maxInFlight).toBe(4);
    expect(sink.endpoints!().addresses).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });
});

describe('syslog-address with several endpoints', () => {
  it('lets each element have its own scheme', () => {
    const dir = tmpDir();
    const sock = path.join(dir, 'log.sock');
    fs.writeFileSync(sock, '');
    const o = syslog(`tcp://127.0.0.1:601,udp://127.0.0.1,unix://${sock}`);
    expect(o.addresses).toEqual([
      { proto: 'tcp', host: '127.0.0.1', port: 601, addr: '127.0.0.1:601' },
      { proto: 'udp', host: '127.0.0.1', port: 514, addr: '127.0.0.1:514' },
      { proto: 'unix', path: sock },
    ]);
    expect(o.address).toEqual(o.addresses[0]);
    const sink = kept(syslogSinkDefinition.create(o, context));
    expect(sink.endpoints!().addresses).toEqual(['tcp://127.0.0.1:601', 'udp://127.0.0.1:514', `unix://${sock}`]);
  });

  it('with one address is what it always was', () => {
    const o = syslog('udp://127.0.0.1:514', { 'syslog-balance': 'round-robin' });
    expect([o.addresses.length, o.balance]).toEqual([1, 'round-robin']);
    expect(kept(syslogSinkDefinition.create(o, context))).toBeInstanceOf(SyslogSink);
    expect(errorOf(() => syslog('localhost:514')).message).toBe('syslog-address should be in form proto://address, got localhost:514');
  });

  it('refuses each bad element with Docker\'s text and its position', () => {
    expect(errorOf(() => syslog('tcp://127.0.0.1:1,localhost:514')).message).toBe(
      "log opt 'syslog-address', address 2 of 2: syslog-address should be in form proto://address, got localhost:514");
    expect(errorOf(() => syslog('tcp://127.0.0.1:1,tcp://a:b:514')).message).toBe(
      "log opt 'syslog-address', address 2 of 2: address a:b:514: too many colons in address");
    expect(errorOf(() => syslog('tcp://127.0.0.1:1,unix:///nonexistent/s.sock')).message).toBe(
      "log opt 'syslog-address', address 2 of 2: stat /nonexistent/s.sock: no such file or directory");
    expect(errorOf(() => syslog('tcp://127.0.0.1:1,tcp://{{.Name}}:1')).message).toMatch(/^log opt 'syslog-address', address 2 of 2: parse /);
    expect(errorOf(() => syslog('tcp://127.0.0.1:1,tcp://b\u0001:1')).message).toMatch(/^log opt 'syslog-address', address 2 of 2: parse .*invalid control character in URL/);
  });

  it('refuses empty elements (the local socket cannot be in a list) and the same endpoint twice', () => {
    expect(errorOf(() => syslog('tcp://127.0.0.1:1,,udp://127.0.0.1:1')).message).toBe(
      "log opt 'syslog-address', address 2 of 3: empty address in the comma-separated list");
    expect(errorOf(() => syslog('tcp://127.0.0.1:514,tcp://127.0.0.1')).message).toBe(
      "log opt 'syslog-address', address 2 of 2: the same endpoint as address 1");
  });

  it('reads the TLS files when any element is tcp+tls', () => {
    expect(errorOf(() => syslog('udp://127.0.0.1:1,tcp+tls://127.0.0.1:2', { 'syslog-tls-ca-cert': '/nonexistent/ca.pem' })).message).toContain('syslog-tls-ca-cert');
  });

  it('refuses a syslog-balance that is neither mode', () => {
    expect(errorOf(() => syslog('udp://127.0.0.1:1', { 'syslog-balance': 'least-loaded' })).message).toBe(
      `log opt 'syslog-balance': "least-loaded" is neither failover nor round-robin`);
  });
});

describe('gelf-address with several endpoints', () => {
  it('keeps each endpoint in order', () => {
    const o = gelf('tcp://127.0.0.1:12201,tcp://graylog2:12201', { 'gelf-balance': 'round-robin', 'gelf-tcp-max-reconnect': '1' });
    expect(o.addresses.map((a) => a.hostport)).toEqual(['127.0.0.1:12201', 'graylog2:12201']);
    expect([o.address, o.balance, o.maxReconnect]).toEqual([o.addresses[0], 'round-robin', 1]);
    const sink = kept(gelfSinkDefinition.create(o, context));
    expect(sink.endpoints!().addresses).toEqual(['tcp://127.0.0.1:12201', 'tcp://graylog2:12201']);
  });

  it("refuses each bad element with Docker's text and its position", () => {
    expect(errorOf(() => gelf('udp://127.0.0.1:1,udp://127.0.0.1')).message).toBe(
      "log opt 'gelf-address', address 2 of 2: gelf: please provide gelf-address as proto://host:port");
    expect(errorOf(() => gelf('udp://127.0.0.1:1,http://h:1')).message).toBe("log opt 'gelf-address', address 2 of 2: gelf-address should be in form proto://address, got http://h:1");
    expect(errorOf(() => gelf('tcp://127.0.0.1:1,tcp://{{.Name}}:1')).message).toMatch(/^log opt 'gelf-address', address 2 of 2: /);
  });

  it('refuses udp mixed with tcp, empty elements and the same endpoint twice', () => {
    expect(errorOf(() => gelf('udp://127.0.0.1:1,tcp://127.0.0.1:2')).message).toBe(
      "log opt 'gelf-address', address 2 of 2: tcp cannot be mixed with udp (address 1): every address of a list must be udp, or every one tcp");
    expect(errorOf(() => gelf('tcp://127.0.0.1:1, ')).message).toBe("log opt 'gelf-address', address 2 of 2: empty address in the comma-separated list");
    expect(errorOf(() => gelf('tcp://127.0.0.1:1,tcp://127.0.0.1:1')).message).toBe("log opt 'gelf-address', address 2 of 2: the same endpoint as address 1");
  });

  it('refuses a gelf-balance that is neither mode', () => {
    expect(errorOf(() => gelf('tcp://127.0.0.1:1', { 'gelf-balance': 'rr' })).message).toBe(`log opt 'gelf-balance': "rr" is neither failover nor round-robin`);
  });
});
