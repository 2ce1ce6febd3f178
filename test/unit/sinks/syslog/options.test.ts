import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import { splitHostPort } from '../../../../src/go/host-port.js';
import { containerInfo, sinkContext, type ContainerInfo } from '../../../helpers/container-info.js';
import { errorOf, namedFor } from '../../../helpers/errors.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { parseSyslogAddress } from '../../../../src/sinks/syslog/address.js';
import { syslogSinkDefinition } from '../../../../src/sinks/syslog/index.js';
import {
  EMPTY_TAG_FALLBACK,
  LOCAL_SYSLOG_PATHS,
  parseFacility,
  parseSyslogOptions,
  SYSLOG_KEYS,
  type SyslogOptions,
} from '../../../../src/sinks/syslog/options.js';
import { makeSyslogPki, type SyslogPki } from '../../../helpers/syslog-tls.js';
import { silentLogger } from '../../../../src/util/log.js';

const INFO = containerInfo({ ContainerArgs: ['-c', 'echo x'], ContainerEnv: ['E1=x1'], ContainerLabels: { lab1: 'v1' } });

const context = sinkContext(INFO);
const parse = (config: Record<string, string>): SyslogOptions => parseSyslogOptions(config, context);

const failure = (config: Record<string, string>): string => errorOf(() => parse(config)).message;

let dir: string;
let pki: SyslogPki;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-syslog-opts-'));
  pki = makeSyslogPki(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('defaults', () => {
  it("are Docker's: local socket, facility daemon, Unix format, tag {{.ID}}", () => {
    expect(parse({})).toEqual({
      address: { proto: 'local' },
      addresses: [{ proto: 'local' }],
      balance: 'failover',
      facility: 3,
      format: '',
      tag: '812526b87fae',
      tls: undefined,
      localPaths: ['/dev/log', '/var/run/syslog', '/var/run/log'],
    });
    expect(LOCAL_SYSLOG_PATHS).toEqual(['/dev/log', '/var/run/syslog', '/var/run/log']);
  });

  it('treats empty values as absent, as Docker reads info.Config[key]', () => {
    expect(parse({ 'syslog-address': '', 'syslog-facility': '', 'syslog-format': '', tag: '' })).toEqual(parse({}));
  });

  it('owns exactly the syslog driver keys', () => {
    expect([...SYSLOG_KEYS].sort()).toEqual([
      'syslog-address', 'syslog-balance', 'syslog-facility', 'syslog-format', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key',
      'syslog-tls-skip-verify',
    ]);
    expect(syslogSinkDefinition.name).toBe('syslog');
    expect(syslogSinkDefinition.addressKey).toBe('syslog-address');
    expect(BUILTIN_SINKS.get('syslog')).toBe(syslogSinkDefinition);
  });

  it('is enabled by sinks=syslog alone (the empty address is the local socket), or by syslog-address', () => {
    const info = (config: Record<string, string>): ContainerInfo => ({ ...INFO, Config: config });
    const viaList = parseContainerOptions(info({ sinks: 'syslog', 'syslog-facility': 'local3' }), BUILTIN_SINKS, silentLogger, 'vm');
    expect(viaList.sinks.map((s) => s.definition.name)).toEqual(['syslog']);
    expect(viaList.sinks[0]!.options).toMatchObject({ address: { proto: 'local' }, facility: 19 });
    const viaAddress = parseContainerOptions(info({ 'syslog-address': 'udp://127.0.0.1' }), BUILTIN_SINKS, silentLogger, 'vm');
    expect(viaAddress.sinks.map((s) => s.definition.name)).toEqual(['syslog']);
    expect(() => parseContainerOptions(info({ 'syslog-format': 'rfc5424' }), BUILTIN_SINKS, silentLogger, 'vm')).toThrow(
      "log opt 'syslog-format' belongs to the syslog sink, which is not enabled: set syslog-address or add syslog to log opt 'sinks'",
    );
  });
});

describe('syslog-address', () => {
  it.each([
    ['udp://127.0.0.1', { proto: 'udp', host: '127.0.0.1', port: 514, addr: '127.0.0.1:514' }],
    ['udp://127.0.0.1:1514', { proto: 'udp', host: '127.0.0.1', port: 1514, addr: '127.0.0.1:1514' }],
    ['tcp://localhost', { proto: 'tcp', host: 'localhost', port: 514, addr: 'localhost:514' }],
    ['tcp+tls://syslog.example:6514', { proto: 'tcp+tls', host: 'syslog.example', port: 6514, addr: 'syslog.example:6514' }],
    ['udp://[::1]', { proto: 'udp', host: '::1', port: 514, addr: '[::1]:514' }],
    ['tcp://[::1]:1514', { proto: 'tcp', host: '::1', port: 1514, addr: '[::1]:1514' }],
    // The local system, as Go dials an empty host.
    ['udp://', { proto: 'udp', host: '', port: 514, addr: ':514' }],
    ['tcp://:1514', { proto: 'tcp', host: '', port: 1514, addr: ':1514' }],
    // Userinfo, path, query and fragment are ignored.
    ['tcp://user:pw@host:1514/some/path?q=1#frag', { proto: 'tcp', host: 'host', port: 1514, addr: 'host:1514' }],
  ])('%s', (value, want) => {
    expect(parseSyslogAddress(value)).toEqual(want);
  });

  it('unix and unixgram take the URL path, which must exist (os.Stat)', () => {
    const sock = path.join(dir, 'a b.sock');
    fs.writeFileSync(sock, '');
    expect(parseSyslogAddress(`unix://${dir}/a%20b.sock`)).toEqual({ proto: 'unix', path: sock });
    expect(parseSyslogAddress(`unixgram://${sock}`)).toEqual({ proto: 'unixgram', path: sock });
    expect(failure({ 'syslog-address': 'unix:///nonexistent/log' })).toBe(namedFor('syslog-address', 'stat /nonexistent/log: no such file or directory'));
    expect(failure({ 'syslog-address': `unixgram://${sock}/x` })).toBe(namedFor('syslog-address', `stat ${sock}/x: not a directory`));
    // The authority is a host, so a relative "path" is no path at all.
    expect(failure({ 'syslog-address': 'unix://dev/log' })).toBe(namedFor('syslog-address', 'stat /log: no such file or directory'));
    expect(failure({ 'syslog-address': 'unix://relative' })).toBe(namedFor('syslog-address', 'stat : no such file or directory'));
  });

  it.each([
    ['localhost:514', 'syslog-address should be in form proto://address, got localhost:514'],
    ['TCP://localhost', 'syslog-address should be in form proto://address, got TCP://localhost'],
    ['http://localhost', 'syslog-address should be in form proto://address, got http://localhost'],
    ['tcp:/localhost', 'syslog-address should be in form proto://address, got tcp:/localhost'],
    ['udp//localhost', 'syslog-address should be in form proto://address, got udp//localhost'],
    ['tcp://[::1', 'parse "tcp://[::1": missing \']\' in host'],
    ['tcp://host:abc', 'parse "tcp://host:abc": invalid port ":abc" after host'],
    ['tcp://[::1]x', 'parse "tcp://[::1]x": invalid port "x" after host'],
    ['tcp://ho st', 'parse "tcp://ho st": invalid character " " in host name'],
    ['tcp://%zz', 'parse "tcp://%zz": invalid URL escape "%zz"'],
    ['tcp://h%41', 'parse "tcp://h%41": invalid URL escape "%41"'],
    ['tcp://host%2', 'parse "tcp://host%2": invalid URL escape "%2"'],
    ['tcp://us er@host', 'parse "tcp://us er@host": net/url: invalid userinfo'],
    ['tcp://host\n', 'parse "tcp://host\\n": net/url: invalid control character in URL'],
    ['unix:///tmp/%zz', 'parse "unix:///tmp/%zz": invalid URL escape "%zz"'],
    ['tcp://host#%zz', 'parse "tcp://host#%zz": invalid URL escape "%zz"'],
    ['tcp://a:b:514', 'address a:b:514: too many colons in address'],
    ['tcp://::1', 'address ::1: too many colons in address'],
    ['tcp://a]:514', "address a]:514: unexpected ']' in address"],
    // Docker accepts these at create and fails when it dials at start.
    ['udp://a]', "dial udp: address a]:514: unexpected ']' in address"],
    ['tcp://host:70000', 'dial tcp: address 70000: invalid port'],
    ['tcp+tls://host:65536', 'dial tcp: address 65536: invalid port'],
    ['udp://host:99999999999999999999', 'dial udp: address 99999999999999999999: invalid port'],
    // Docker fails its start with "connection refused"; a port to send to is required.
    ['tcp://host:0', 'invalid value for log opt \'syslog-address\': port 0 in "host:0" cannot be connected to'],
    ['udp://host:', 'invalid value for log opt \'syslog-address\': port 0 in "host:" cannot be connected to'],
  ])('rejects %j', (value, message) => {
    expect(failure({ 'syslog-address': value })).toBe(namedFor('syslog-address', message));
  });

  it("splits host and port as Go's net.SplitHostPort", () => {
    expect(splitHostPort('h:1')).toEqual(['h', '1']);
    expect(splitHostPort('[::1]:1')).toEqual(['::1', '1']);
    expect(splitHostPort('h')).toBe('address h: missing port in address');
    expect(splitHostPort('')).toBe('missing port in address');
    expect(splitHostPort('[::1]')).toBe('address [::1]: missing port in address');
    expect(splitHostPort('[::1]:1:2')).toBe('address [::1]:1:2: too many colons in address');
    expect(splitHostPort('[::1')).toBe("address [::1: missing ']' in address");
    expect(splitHostPort('a[b:1')).toBe("address a[b:1: unexpected '[' in address");
  });
});

describe('syslog-facility', () => {
  it('accepts every name', () => {
    const names = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];
    names.forEach((n, i) => expect(parseFacility(n)).toBe(i));
    for (let i = 0; i < 8; i++) expect(parseFacility(`local${i}`)).toBe(16 + i);
    expect(parse({ 'syslog-facility': 'local3' }).facility).toBe(19);
  });

  it('accepts numbers 0-23 as strconv.Atoi reads them', () => {
    for (let i = 0; i <= 23; i++) expect(parseFacility(String(i))).toBe(i);
    expect(parseFacility('+17')).toBe(17);
    expect(parseFacility('017')).toBe(17);
    expect(parseFacility('-0')).toBe(0);
  });

  it.each(['24', '-1', '99999999999999999999', 'LOCAL0', 'local8', 'Daemon', ' 1', '1 ', '1.0', '0x1', 'security', 'none'])(
    'rejects %j with Docker\'s text',
    (value) => {
      expect(failure({ 'syslog-facility': value })).toBe("log opt 'syslog-facility': invalid syslog facility");
    },
  );
});

describe('syslog-format', () => {
  it.each(['', 'rfc3164', 'rfc5424', 'rfc5424micro'])('accepts %j', (value) => {
    expect(parse({ 'syslog-format': value }).format).toBe(value);
  });

  it.each(['RFC5424', 'rfc5425', 'rfc3339', 'unix', 'rfc5424 ', 'json'])('rejects %j with Docker\'s text', (value) => {
    expect(failure({ 'syslog-format': value })).toBe("log opt 'syslog-format': Invalid syslog format");
  });
});

describe('tag', () => {
  it('renders the template against the container', () => {
    expect(parse({ tag: '{{.Name}}/{{.ImageName}}' }).tag).toBe('web/bb:latest');
    expect(parse({ tag: 'plain tag' }).tag).toBe('plain tag');
  });

  it('rejects a bad template with Go\'s text', () => {
    expect(failure({ tag: '{{.Name' })).toBe('template: log-tag:1: unclosed action');
  });

  it("falls back like srslog when the tag renders empty (Docker: dockerd's os.Args[0])", () => {
    expect(parse({ tag: '{{""}}' }).tag).toBe(EMPTY_TAG_FALLBACK);
  });
});

describe('validation order is Docker\'s: address, facility, format (create), then tag, TLS (start)', () => {
  it('logs the first bad option', () => {
    const all = { 'syslog-address': 'x', 'syslog-facility': 'x', 'syslog-format': 'x', tag: '{{', 'syslog-tls-ca-cert': '/nope' };
    expect(failure(all)).toMatch(/^syslog-address should be/);
    expect(failure({ ...all, 'syslog-address': 'tcp+tls://h' })).toBe("log opt 'syslog-facility': invalid syslog facility");
    expect(failure({ ...all, 'syslog-address': 'tcp+tls://h', 'syslog-facility': '1' })).toBe("log opt 'syslog-format': Invalid syslog format");
    expect(failure({ ...all, 'syslog-address': 'tcp+tls://h', 'syslog-facility': '1', 'syslog-format': '' })).toMatch(/^template: log-tag:1:/);
    expect(failure({ 'syslog-address': 'tcp+tls://h', 'syslog-tls-ca-cert': '/nope' })).toMatch(/^log opt 'syslog-tls-ca-cert': could not read CA certificate/);
  });
});

describe('TLS options', () => {
  const tlsAddr = { 'syslog-address': 'tcp+tls://localhost:6514' };

  it('verify by default with the bundled roots; TLS files are ignored for other transports', () => {
    expect(parse(tlsAddr).tls).toEqual({ ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true });
    expect(parse({ 'syslog-address': 'tcp://h', 'syslog-tls-ca-cert': '/nope', 'syslog-tls-cert': '/nope' }).tls).toBeUndefined();
  });

  it('adds the CA file and loads the client pair', () => {
    const tls = parse({ ...tlsAddr, 'syslog-tls-ca-cert': pki.caFile, 'syslog-tls-cert': pki.clientCert, 'syslog-tls-key': pki.clientKey }).tls!;
    expect(tls.ca).toEqual([fs.readFileSync(pki.caFile, 'latin1').trim()]);
    expect(tls.cert).toBe(fs.readFileSync(pki.clientCert, 'latin1'));
    expect(tls.key).toBe(fs.readFileSync(pki.clientKey, 'latin1'));
    expect(tls.rejectUnauthorized).toBe(true);
  });

  it.each(['', 'false', 'true', 'no'])('the mere presence of syslog-tls-skip-verify (=%j) skips verification and the CA file', (value) => {
    const tls = parse({ ...tlsAddr, 'syslog-tls-skip-verify': value, 'syslog-tls-ca-cert': '/does/not/exist' }).tls!;
    expect(tls).toEqual({ ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: false });
  });

  it('rejects unreadable or useless CA files with go-connections\' text', () => {
    const ca = (file: string) => failure({ ...tlsAddr, 'syslog-tls-ca-cert': file });
    expect(ca('/nope/ca.pem')).toBe(namedFor('syslog-tls-ca-cert', 'could not read CA certificate "/nope/ca.pem": open /nope/ca.pem: no such file or directory'));
    expect(ca(dir)).toBe(namedFor('syslog-tls-ca-cert', `could not read CA certificate "${dir}": read ${dir}: is a directory`));
    expect(ca(pki.clientKey)).toBe(namedFor('syslog-tls-ca-cert', `failed to append certificates from PEM file: "${pki.clientKey}"`));
    const garbage = path.join(dir, 'garbage.pem');
    fs.writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    expect(ca(garbage)).toBe(namedFor('syslog-tls-ca-cert', `failed to append certificates from PEM file: "${garbage}"`));
  });

  it('rejects bad client pairs with go-connections\' and crypto/tls\' text', () => {
    // Go's text names the file, not the option: tslogs names both options in front of it.
    const both = "log opts 'syslog-tls-cert' and 'syslog-tls-key': ";
    const pair = (cert: string, key: string) => {
      const message = failure({ ...tlsAddr, ...(cert && { 'syslog-tls-cert': cert }), ...(key && { 'syslog-tls-key': key }) });
      expect(message.startsWith(both), message).toBe(true);
      return message.slice(both.length);
    };
    const empty = path.join(dir, 'empty.pem');
    fs.writeFileSync(empty, 'no pem here\n');
    // Either one alone: the other is read as "" and fails.
    expect(pair(pki.clientCert, '')).toBe('Could not load X509 key pair: open : no such file or directory');
    expect(pair('', pki.clientKey)).toBe('Could not load X509 key pair: open : no such file or directory');
    expect(pair('/nope/c.pem', pki.clientKey)).toBe('Could not load X509 key pair: open /nope/c.pem: no such file or directory');
    expect(pair(pki.clientCert, '/nope/k.pem')).toBe('Could not load X509 key pair: open /nope/k.pem: no such file or directory');
    expect(pair(pki.clientCert, empty)).toBe('Could not load X509 key pair: no valid private key found');
    expect(pair(pki.clientCert, pki.encryptedKey)).toBe(
      'Could not load X509 key pair: private key is encrypted, but could not decrypt it: x509: decryption password incorrect',
    );
    expect(pair(pki.clientCert, pki.encryptedPkcs8Key)).toBe('Could not load X509 key pair: tls: failed to parse private key');
    expect(pair(empty, pki.clientKey)).toBe('Could not load X509 key pair: tls: failed to find any PEM data in certificate input');
    expect(pair(pki.clientKey, pki.clientCert)).toBe(
      'Could not load X509 key pair: tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched',
    );
    expect(pair(pki.clientCert, pki.caFile)).toBe(
      'Could not load X509 key pair: tls: found a certificate rather than a key in the PEM for the private key',
    );
    expect(pair(pki.clientCert, pki.otherKey)).toBe('Could not load X509 key pair: tls: private key does not match public key');
    expect(pair(pki.clientCert, pki.rsaKey)).toBe('Could not load X509 key pair: tls: private key type does not match public key type');
  });
});
