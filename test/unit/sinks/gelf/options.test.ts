import { describe, expect, it } from 'vitest';
import { containerInfo, sinkContext, type ContainerInfo } from '../../../helpers/container-info.js';
import { errorOf, namedFor } from '../../../helpers/errors.js';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import { gelfSinkDefinition } from '../../../../src/sinks/gelf/index.js';
import { GELF_KEYS, parseGelfAddress, parseGelfOptions } from '../../../../src/sinks/gelf/options.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { silentLogger } from '../../../../src/util/log.js';

const INFO = containerInfo({
  ContainerID: '6a8cee679052345a8321aa7a9da1c1832590462179cdaba4a2884dcb3eb51781', ContainerName: '/g2', ContainerArgs: ['-c', 'echo plain'],
  ContainerCreated: '2026-11-28T20:02:28.070117105Z',
  ContainerEnv: ['E1=x1', 'E2=x2', '=nameless'], ContainerLabels: { lab1: 'v1', _lab2: 'v2', 'com.example.team': 'a<b>' },
});

const context = sinkContext(INFO);
const UDP = { 'gelf-address': 'udp://127.0.0.1:12201' };
const TCP = { 'gelf-address': 'tcp://127.0.0.1:12201' };

const parse = (config: Record<string, string>) => parseGelfOptions(config, context);

const failure = (fn: () => unknown): string => errorOf(fn).message;

describe('gelf options', () => {
  it('defaults as Docker: gzip at level 1 over UDP; 3 reconnects 1 s apart over TCP; tag {{.ID}}', () => {
    const udp = parse(UDP);
    expect(udp.address).toEqual({ protocol: 'udp', hostport: '127.0.0.1:12201', host: '127.0.0.1', port: 12201 });
    expect(udp.compression).toBe('gzip');
    expect(udp.compressionLevel).toBe(1);
    expect(udp.messages.host).toBe('vm');
    expect(udp.messages.extra._tag).toBe('6a8cee679052');
    const tcp = parse(TCP);
    expect(tcp.address.protocol).toBe('tcp');
    expect(tcp.maxReconnect).toBe(3);
    expect(tcp.reconnectDelayMs).toBe(1000);
  });

  it('accepts every option of Docker gelf driver with its values', () => {
    const udp = parse({ ...UDP, 'gelf-compression-type': 'zlib', 'gelf-compression-level': '-1' });
    expect([udp.compression, udp.compressionLevel]).toEqual(['zlib', -1]);
    expect(parse({ ...UDP, 'gelf-compression-type': 'none', 'gelf-compression-level': '9' }).compression).toBe('none');
    expect(parse({ ...UDP, 'gelf-compression-level': '+0' }).compressionLevel).toBe(0);
    const tcp = parse({ ...TCP, 'gelf-tcp-max-reconnect': '0', 'gelf-tcp-reconnect-delay': '7' });
    expect([tcp.maxReconnect, tcp.reconnectDelayMs]).toEqual([0, 7000]);
    expect([...GELF_KEYS].sort()).toEqual(['gelf-address', 'gelf-balance', 'gelf-compression-level', 'gelf-compression-type', 'gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay']);
  });

  it('builds the extra fields: built-ins, then labels/env with a _ prefix unless present, env winning', () => {
    const o = parse({ ...UDP, labels: 'lab1,_lab2,missing', 'labels-regex': '^com\\.', env: 'E1', 'env-regex': '^$', tag: '{{.Name}}/{{.ImageName}}' });
    expect(o.messages.extra).toEqual({
      _container_id: INFO.ContainerID,
      _container_name: 'g2',
      _image_id: INFO.ContainerImageID,
      _image_name: 'bb:latest',
      _command: 'sh -c echo plain',
      _tag: 'g2/bb:latest',
      _created: '2026-11-28T20:02:28.070117105Z',
      _lab1: 'v1',
      _lab2: 'v2',
      '_com.example.team': 'a<b>',
      _E1: 'x1',
      // Docker panics on the empty name (key[0]); tslogs sends it as `_`.
      _: 'nameless',
    });
    // An empty tag is the default, as for every driver but splunk.
    expect(parse({ ...UDP, tag: '' }).messages.extra._tag).toBe('6a8cee679052');
  });

  it('lets attributes overwrite the built-in fields, as Docker does', () => {
    const info = { ...INFO, ContainerLabels: { tag: 'from-label', _container_name: 'renamed' } };
    const o = parseGelfOptions({ ...UDP, labels: 'tag,_container_name' }, { ...context, info });
    expect(o.messages.extra._tag).toBe('from-label');
    expect(o.messages.extra._container_name).toBe('renamed');
  });

  it('parses addresses as url.Parse + net.SplitHostPort do', () => {
    expect(parseGelfAddress('udp://[::1]:12201')).toEqual({ protocol: 'udp', hostport: '[::1]:12201', host: '::1', port: 12201 });
    expect(parseGelfAddress('tcp://user@graylog.example:12201/ignored?x#y')).toEqual({
      protocol: 'tcp', hostport: 'graylog.example:12201', host: 'graylog.example', port: 12201,
    });
    // Go dials the local system for an empty host.
    expect(parseGelfAddress('udp://:12201').host).toBe('localhost');
  });

  const ERRORS: Array<[string, Record<string, string>, string]> = [
    ['no address', { labels: 'x' }, 'gelf-address is a required parameter'],
    ['an empty address', { 'gelf-address': '' }, 'gelf-address is a required parameter'],
    ['not a transport URL', { 'gelf-address': 'http://graylog:12201' }, 'gelf-address should be in form proto://address, got http://graylog:12201'],
    ['a bare host:port', { 'gelf-address': '127.0.0.1:12201' }, 'gelf-address should be in form proto://address, got 127.0.0.1:12201'],
    ['unix', { 'gelf-address': 'unix:///run/gelf.sock' }, 'gelf: endpoint needs to be TCP or UDP'],
    ['tcp+tls', { 'gelf-address': 'tcp+tls://graylog:12201' }, 'gelf: endpoint needs to be TCP or UDP'],
    ['no port', { 'gelf-address': 'udp://graylog' }, 'gelf: please provide gelf-address as proto://host:port'],
    ['an unbracketed IPv6 host', { 'gelf-address': 'udp://::1:12201' }, 'gelf: please provide gelf-address as proto://host:port'],
    ['a bad port', { 'gelf-address': 'udp://graylog:port' }, 'parse "udp://graylog:port": invalid port ":port" after host'],
    ['a space in the host', { 'gelf-address': 'udp://gray log:1' }, 'parse "udp://gray log:1": invalid character " " in host name'],
    ['an unclosed bracket', { 'gelf-address': 'udp://[::1:12201' }, 'parse "udp://[::1:12201": missing \']\' in host'],
    ['a bad escape', { 'gelf-address': 'udp://graylog:1/%zz' }, 'parse "udp://graylog:1/%zz": invalid URL escape "%zz"'],
    ['a control character', { 'gelf-address': 'udp://graylog:1\n' }, 'parse "udp://graylog:1\\n": net/url: invalid control character in URL'],
    ['a port above 65535', { 'gelf-address': 'udp://graylog:99999' }, 'gelf: cannot connect to GELF endpoint: graylog:99999 dial udp: address 99999: invalid port'],
    ['an empty port', { 'gelf-address': 'tcp://graylog:' }, 'gelf: cannot connect to GELF endpoint: graylog: dial tcp: address : invalid port'],
    ['compression type', { ...UDP, 'gelf-compression-type': 'lz4' }, 'unknown value "lz4" for log opt "gelf-compression-type" for gelf log driver'],
    ['compression type case', { ...UDP, 'gelf-compression-type': 'GZIP' }, 'unknown value "GZIP" for log opt "gelf-compression-type" for gelf log driver'],
    ['compression level 10', { ...UDP, 'gelf-compression-level': '10' }, 'unknown value "10" for log opt "gelf-compression-level" for gelf log driver'],
    ['compression level -2', { ...UDP, 'gelf-compression-level': '-2' }, 'unknown value "-2" for log opt "gelf-compression-level" for gelf log driver'],
    ['compression level text', { ...UDP, 'gelf-compression-level': 'best' }, 'unknown value "best" for log opt "gelf-compression-level" for gelf log driver'],
    ['compression over TCP', { ...TCP, 'gelf-compression-type': 'gzip' }, 'compression is only supported on UDP'],
    ['compression level over TCP', { ...TCP, 'gelf-compression-level': '1' }, 'compression is only supported on UDP'],
    ['max reconnect over UDP', { ...UDP, 'gelf-tcp-max-reconnect': '3' }, '"gelf-tcp-max-reconnect" is only valid for TCP'],
    ['reconnect delay over UDP', { ...UDP, 'gelf-tcp-reconnect-delay': '1' }, '"gelf-tcp-reconnect-delay" is only valid for TCP'],
    ['negative max reconnect', { ...TCP, 'gelf-tcp-max-reconnect': '-1' }, '"gelf-tcp-max-reconnect" must be a positive integer'],
    ['text reconnect delay', { ...TCP, 'gelf-tcp-reconnect-delay': '1s' }, '"gelf-tcp-reconnect-delay" must be a positive integer'],
    ['an unknown gelf option', { ...UDP, 'gelf-compression': 'gzip' }, 'unknown log opt "gelf-compression" for gelf log driver'],
    ['a bad tag', { ...UDP, tag: '{{.Nope}}' }, 'template: log-tag:1:2: executing "log-tag" at <.Nope>: can\'t evaluate field Nope in type *logger.Info'],
  ];
  for (const [what, config, message] of ERRORS) {
    it(`refuses ${what} with Docker's text: ${message}`, () => {
      const key = Object.keys(config).filter((k) => k.startsWith('gelf-') || k === 'tag').at(-1) ?? 'gelf-address';
      expect(failure(() => parse(config))).toBe(namedFor(key, message));
    });
  }

  it('checks the address before the other options, as ValidateLogOpt does', () => {
    expect(failure(() => parse({ 'gelf-compression-type': 'bad', 'gelf-address': 'udp://x' }))).toBe('gelf: please provide gelf-address as proto://host:port');
  });

  it('through the router: gelf-address enables the sink, its options need it, unknown keys are the router\'s', () => {
    const info = (config: Record<string, string>): ContainerInfo => ({ ...INFO, Config: config });
    const parsed = parseContainerOptions(info({ ...UDP, 'gelf-compression-type': 'none' }), BUILTIN_SINKS, silentLogger, 'vm');
    expect(parsed.sinks.map((s) => s.definition)).toEqual([gelfSinkDefinition]);
    expect(failure(() => parseContainerOptions(info({ sinks: 'gelf' }), BUILTIN_SINKS, silentLogger, 'vm'))).toBe('gelf-address is a required parameter');
    expect(failure(() => parseContainerOptions(info({ 'gelf-compression-type': 'none' }), BUILTIN_SINKS, silentLogger, 'vm'))).toBe(
      "log opt 'gelf-compression-type' belongs to the gelf sink, which is not enabled: set gelf-address or add gelf to log opt 'sinks'",
    );
    // The router refuses keys no part of tslogs owns before a sink sees them (single quotes, tslogs' wording).
    expect(failure(() => parseContainerOptions(info({ ...UDP, 'gelf-bogus': '1' }), BUILTIN_SINKS, silentLogger, 'vm'))).toBe(
      "unknown log opt 'gelf-bogus' for tslogs log driver",
    );
  });
});
