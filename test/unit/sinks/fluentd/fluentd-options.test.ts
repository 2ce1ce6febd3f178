import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerInfo, sinkContext } from '../../../helpers/container-info.js';
import { errorOf, namedFor } from '../../../helpers/errors.js';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import { parseFluentdAddress } from '../../../../src/sinks/fluentd/address.js';
import { fluentdSinkDefinition } from '../../../../src/sinks/fluentd/index.js';
import { DEFAULT_TIMEOUT_MS, FLUENTD_KEYS, parseFluentdOptions } from '../../../../src/sinks/fluentd/options.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { makeTestCa } from '../../../helpers/hec-receiver.js';
import { tmpDir } from '../../../helpers/tmp.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { type Logger, silentLogger } from '../../../../src/util/log.js';

const INFO = containerInfo({
  ContainerID: '1aa59976c493' + 'a'.repeat(48) + '4db6', ContainerName: '/f1', ContainerArgs: ['-c', 'echo x'],
  ContainerEnv: ['E1=x1', 'E2=x2'], ContainerLabels: { lab1: 'v1', lab2: 'v2' },
});

const context = (logged: Logger = silentLogger) => sinkContext(INFO, logged);

const parse = (config: Record<string, string>) => parseFluentdOptions(config, context());

describe('fluentd options: defaults (docs/docker-compat.md §11.1, §15.2)', () => {
  it('are Docker 20.10\'s: 127.0.0.1:24224, sync, 1048576 messages, 1 s, 2^31−1 retries, seconds, no ack, tag {{.ID}}', () => {
    const o = parse({});
    expect(o.endpoints).toEqual([{ network: 'tcp', host: '127.0.0.1', port: 24224 }]);
    expect(o.connectBeforeStart).toBe(false);
    expect(o.maxBatchEntries).toBe(1000);
    expect(o.retryWaitMs).toBe(1000);
    expect(o.maxRetries).toBe(Infinity);
    expect(o.records).toEqual({ tag: '1aa59976c493', containerId: INFO.ContainerID, containerName: '/f1', extra: {}, subSecondPrecision: false });
    expect(o.requestAck).toBe(false);
    expect(o.tls).toEqual({ ca: undefined, servername: undefined, rejectUnauthorized: true });
    expect([o.writeTimeoutMs, o.readTimeoutMs]).toEqual([DEFAULT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS]);
    expect(o.warnings).toEqual([]);
  });

  it('an empty value is the same as none, as Docker tests cfg[key] != ""', () => {
    const keys = ['fluentd-address', 'fluentd-async', 'fluentd-async-connect', 'fluentd-buffer-limit', 'fluentd-retry-wait', 'fluentd-max-retries', 'fluentd-sub-second-precision', 'fluentd-request-ack', 'tag'];
    expect(parse(Object.fromEntries(keys.map((k) => [k, ''])))).toEqual(parse({}));
  });

  it('the sink is built in, owns Docker\'s keys, and `sinks=fluentd` enables it with the default address', () => {
    expect(BUILTIN_SINKS.get('fluentd')).toBe(fluentdSinkDefinition);
    expect(fluentdSinkDefinition.addressKey).toBe('fluentd-address');
    for (const k of ['fluentd-address', 'fluentd-async', 'fluentd-async-connect', 'fluentd-buffer-limit', 'fluentd-retry-wait', 'fluentd-max-retries', 'fluentd-sub-second-precision', 'fluentd-request-ack']) {
      expect(FLUENTD_KEYS.has(k), k).toBe(true);
    }
    const byList = parseContainerOptions({ ...INFO, Config: { sinks: 'fluentd', 'fluentd-request-ack': 'true' } }, BUILTIN_SINKS, silentLogger, 'vm');
    expect(byList.sinks.map((s) => s.definition.name)).toEqual(['fluentd']);
    expect((byList.sinks[0]!.options as ReturnType<typeof parse>).endpoints).toEqual([{ network: 'tcp', host: '127.0.0.1', port: 24224 }]);
    const byAddress = parseContainerOptions({ ...INFO, Config: { 'fluentd-address': 'localhost:24225' } }, BUILTIN_SINKS, silentLogger, 'vm');
    expect(byAddress.sinks.map((s) => s.definition.name)).toEqual(['fluentd']);
    expect(() => parseContainerOptions({ ...INFO, Config: { 'fluentd-async': 'true' } }, BUILTIN_SINKS, silentLogger, 'vm')).toThrow(
      "log opt 'fluentd-async' belongs to the fluentd sink, which is not enabled: set fluentd-address or add fluentd to log opt 'sinks'",
    );
    expect(() => parseContainerOptions({ ...INFO, Config: { sinks: 'fluentd', 'fluentd-bogus': '1' } }, BUILTIN_SINKS, silentLogger, 'vm')).toThrow(
      "unknown log opt 'fluentd-bogus' for tslogs log driver",
    );
  });
});

describe('fluentd-address (Docker 20.10 parseAddress + fluent-logger-golang dialing)', () => {
  const ok: Array<[string, unknown]> = [
    ['localhost:24225', [{ network: 'tcp', host: 'localhost', port: 24225 }]],
    ['tcp://fluent.example:1', [{ network: 'tcp', host: 'fluent.example', port: 1 }]],
    ['tcp://h:1/ignored/path?q#f', [{ network: 'tcp', host: 'h', port: 1 }]],
    ['tcp://user:pw@h:2', [{ network: 'tcp', host: 'h', port: 2 }]],
    [':7', [{ network: 'tcp', host: '127.0.0.1', port: 7 }]],
    ['tcp://', [{ network: 'tcp', host: '127.0.0.1', port: 24224 }]],
    // Port 0 is the library's "unset": its default port.
    ['h:0', [{ network: 'tcp', host: 'h', port: 24224 }]],
    ['h:+5', [{ network: 'tcp', host: 'h', port: 5 }]],
    ['unix:///run/fluent/fluent.sock', [{ network: 'unix', path: '/run/fluent/fluent.sock' }]],
    ['unix://ignored-host/run/f%20d.sock', [{ network: 'unix', path: '/run/f d.sock' }]],
    // Docker dials "::1:5", which Go refuses; tslogs connects to the IPv6 literal.
    ['[::1]:5', [{ network: 'tcp', host: '::1', port: 5 }]],
    // tslogs: TLS, verified, as newer engines read tls:// (host kept without a port).
    ['tls://fluent.example:24284', [{ network: 'tls', host: 'fluent.example', port: 24284 }]],
    ['tls://fluent.example', [{ network: 'tls', host: 'fluent.example', port: 24224 }]],
    ['tls://[::1]:9', [{ network: 'tls', host: '::1', port: 9 }]],
    // tslogs: failover lists.
    ['a:1,b:2', [{ network: 'tcp', host: 'a', port: 1 }, { network: 'tcp', host: 'b', port: 2 }]],
    [' a:1 , tls://b:2,unix:///s ', [{ network: 'tcp', host: 'a', port: 1 }, { network: 'tls', host: 'b', port: 2 }, { network: 'unix', path: '/s' }]],
  ];
  for (const [value, endpoints] of ok) {
    it(`${JSON.stringify(value)} → ${JSON.stringify(endpoints)}`, () => {
      expect(parseFluentdAddress(value).endpoints).toEqual(endpoints);
    });
  }

  it('the quirk: an address without a port loses its host (Docker then dials 127.0.0.1:24224), reported once', () => {
    for (const value of ['myhost', 'tcp://myhost', '[::1]', '[::1]x:1']) {
      const { endpoints, warnings } = parseFluentdAddress(value);
      expect(endpoints, value).toEqual([{ network: 'tcp', host: '127.0.0.1', port: 24224 }]);
      expect(warnings, value).toHaveLength(1);
    }
    const logged = recordingLogger();
    const options = parseFluentdOptions({ 'fluentd-address': 'myhost' }, context(logged));
    fluentdSinkDefinition.create(options, context(logged)).close();
    expect(logged.messages()).toEqual(['container 1aa59976c493 sink fluentd: fluentd-address myhost has no port: as with Docker 20.10, logs go to 127.0.0.1:24224, not to myhost']);
  });

  // Docker 20.10.24's texts, observed with `docker create/run --log-driver fluentd` (the e2e suite checks them again).
  const bad: Array<[string, string]> = [
    ['tcp://a b:1', 'invalid fluentd-address tcp://a b:1: parse "tcp://a b:1": invalid character " " in host name'],
    ['tcp://[::1', 'invalid fluentd-address tcp://[::1: parse "tcp://[::1": missing \']\' in host'],
    ['tcp://h:x', 'invalid fluentd-address tcp://h:x: parse "tcp://h:x": invalid port ":x" after host'],
    ['tcp://[::1]x', 'invalid fluentd-address tcp://[::1]x: parse "tcp://[::1]x": invalid port "x" after host'],
    ['tcp://%zz:1', 'invalid fluentd-address tcp://%zz:1: parse "tcp://%zz:1": invalid URL escape "%zz"'],
    ['tcp://%41:1', 'invalid fluentd-address tcp://%41:1: parse "tcp://%41:1": invalid URL escape "%41"'],
    ['tcp://h:1#%zz', 'invalid fluentd-address tcp://h:1#%zz: parse "tcp://h:1#%zz": invalid URL escape "%zz"'],
    ['tcp://u:p%zz@h:1', 'invalid fluentd-address tcp://u:p%zz@h:1: parse "tcp://u:p%zz@h:1": invalid URL escape "%zz"'],
    ['tcp://u^@h:1', 'invalid fluentd-address tcp://u^@h:1: parse "tcp://u^@h:1": net/url: invalid userinfo'],
    ['tcp://h\x01:1', 'invalid fluentd-address tcp://h\x01:1: parse "tcp://h\\x01:1": net/url: invalid control character in URL'],
    ['unix:///a%zz', 'invalid fluentd-address unix:///a%zz: parse "unix:///a%zz": invalid URL escape "%zz"'],
    ['h:x', 'invalid fluentd-address h:x: strconv.Atoi: parsing "x": invalid syntax'],
    ['h:', 'invalid fluentd-address h:: strconv.Atoi: parsing "": invalid syntax'],
    ['tls-h:1:2', 'invalid fluentd-address tls-h:1:2: address tls-h:1:2: too many colons in address'],
    ['http://h:1', 'invalid fluentd-address http://h:1: address http://h:1: too many colons in address'],
    ['[::1', "invalid fluentd-address [::1: address [::1: missing ']' in address"],
    ['a]:1', "invalid fluentd-address a]:1: address a]:1: unexpected ']' in address"],
    ['a[:1', "invalid fluentd-address a[:1: address a[:1: unexpected '[' in address"],
    // Parsed by Docker, refused when the library dials (container start in Docker's default mode).
    ['udp://h:1', 'unknown network udp'],
    ['udp://h', 'unknown network udp'],
    ['unixgram:///x', 'unknown network unixgram'],
    ['tcp+tls://h:1', 'unknown network tcp+tls'],
    ['unix://', 'dial unix: missing address'],
    ['unix://relative', 'dial unix: missing address'],
    ['tcp://127.0.0.1:99999', 'dial tcp: address 99999: invalid port'],
    ['127.0.0.1:-1', 'dial tcp: address -1: invalid port'],
    // tslogs' forms.
    ['tls://h:99999', 'invalid fluentd-address tls://h:99999: invalid port: strconv.ParseUint: parsing "99999": value out of range'],
    ['tls://h:1/path', 'invalid fluentd-address tls://h:1/path: should not contain a path element'],
    ['tls://a b:1', 'invalid fluentd-address tls://a b:1: parse "tls://a b:1": invalid character " " in host name'],
    ['a:1,,b:2', 'invalid fluentd-address a:1,,b:2: empty address in the comma-separated list'],
    ['a:1,udp://b:2', 'unknown network udp'],
    ['a:1,h:x', 'invalid fluentd-address h:x: strconv.Atoi: parsing "x": invalid syntax'],
  ];
  for (const [value, message] of bad) {
    it(`${JSON.stringify(value)} is refused: ${message}`, () => {
      expect(errorOf(() => parse({ 'fluentd-address': value })).message).toBe(namedFor('fluentd-address', message));
    });
  }
});

describe('fluentd options Docker accepts and then fails on for ever', () => {
  it.each([
    ['h\x00:24224', 'invalid fluentd-address "h\\x00:24224": contains a control character'],
    ['h\n:24224', 'invalid fluentd-address "h\\n:24224": contains a control character'],
    ['unix:///run/fluent%0A.sock', 'invalid fluentd-address "unix:///run/fluent%0A.sock": contains a control character'],
    ['a:1,b\r:2', 'invalid fluentd-address "b\\r:2": contains a control character'],
    ['unix:///run/{{.Name}}.sock', 'invalid fluentd-address unix:///run/{{.Name}}.sock: contains \'{{\': it is not a template, was one left unrendered?'],
    ['{{.FluentHost}}:24224', 'invalid fluentd-address {{.FluentHost}}:24224: contains \'{{\': it is not a template, was one left unrendered?'],
  ])('fluentd-address=%j is refused', (value, message) => {
    expect(errorOf(() => parse({ 'fluentd-address': value })).message).toBe(message);
  });

  it.each(['-1s', '-1ns', '-2h'])('fluentd-retry-wait=%s (negative: reconnects without a pause) is refused', (value) => {
    expect(errorOf(() => parse({ 'fluentd-retry-wait': value })).message).toBe(`invalid value for log opt 'fluentd-retry-wait': must not be negative, got '${value}'`);
  });
});

describe('fluentd options: values and errors in Docker\'s order and words', () => {
  const bad: Array<[Record<string, string>, string]> = [
    [{ 'fluentd-buffer-limit': 'x' }, "invalid size: 'x'"],
    [{ 'fluentd-buffer-limit': '-1' }, "invalid size: '-1'"],
    [{ 'fluentd-buffer-limit': '1.2.3' }, 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
    [{ 'fluentd-retry-wait': 'x' }, 'time: invalid duration "x"'],
    [{ 'fluentd-retry-wait': '1' }, 'time: missing unit in duration "1"'],
    [{ 'fluentd-retry-wait': '1y' }, 'time: unknown unit "y" in duration "1y"'],
    [{ 'fluentd-max-retries': '-1' }, 'strconv.ParseUint: parsing "-1": invalid syntax'],
    [{ 'fluentd-max-retries': '1.5' }, 'strconv.ParseUint: parsing "1.5": invalid syntax'],
    [{ 'fluentd-max-retries': '99999999999999999999' }, 'strconv.ParseUint: parsing "99999999999999999999": value out of range'],
    [{ 'fluentd-async': 'true', 'fluentd-async-connect': 'true' }, "conflicting options: cannot specify both 'fluentd-async' and 'fluentd-async-connect"],
    // The conflict is checked before either value is parsed.
    [{ 'fluentd-async': 'x', 'fluentd-async-connect': 'true' }, "conflicting options: cannot specify both 'fluentd-async' and 'fluentd-async-connect"],
    [{ 'fluentd-async': 'x' }, 'strconv.ParseBool: parsing "x": invalid syntax'],
    [{ 'fluentd-async-connect': 'yes' }, 'strconv.ParseBool: parsing "yes": invalid syntax'],
    [{ 'fluentd-sub-second-precision': 'on' }, 'strconv.ParseBool: parsing "on": invalid syntax'],
    [{ 'fluentd-request-ack': 'y' }, 'strconv.ParseBool: parsing "y": invalid syntax'],
    [{ 'fluentd-write-timeout': 'x' }, 'invalid value for fluentd-write-timeout: value must be a duration: time: invalid duration "x"'],
    [{ 'fluentd-read-timeout': '-1s' }, 'invalid value for fluentd-read-timeout: value must be a duration that is non-negative'],
    [{ tag: '{{' }, 'template: log-tag:1: unclosed action'],
    [{ tag: '{{.Nope}}' }, 'template: log-tag:1:2: executing "log-tag" at <.Nope>: can\'t evaluate field Nope in type *logger.Info'],
    [{ 'labels-regex': '(' }, 'missing closing ): `(`'],
    [{ 'fluentd-tls-ca': '/x.pem' }, "invalid value for log opt 'fluentd-tls-ca': fluentd-address has no tls:// address"],
    [{ 'fluentd-address': 'tls://h:1', 'fluentd-tls-ca': '/nonexistent/ca.pem' }, 'open /nonexistent/ca.pem: no such file or directory'],
    [{ 'fluentd-address': 'tls://h:1', 'fluentd-tls-insecure-skip-verify': 'maybe' }, 'strconv.ParseBool: parsing "maybe": invalid syntax'],
    // Docker's order: address first, then buffer limit, retry wait, max retries, async, the rest; then tag, then attributes.
    [{ 'fluentd-address': 'h:x', 'fluentd-buffer-limit': 'x' }, 'invalid fluentd-address h:x: strconv.Atoi: parsing "x": invalid syntax'],
    [{ 'fluentd-buffer-limit': 'x', 'fluentd-retry-wait': 'x' }, "invalid size: 'x'"],
    [{ 'fluentd-retry-wait': 'x', 'fluentd-max-retries': 'x' }, 'time: invalid duration "x"'],
    [{ 'fluentd-max-retries': 'x', 'fluentd-async': 'x' }, 'strconv.ParseUint: parsing "x": invalid syntax'],
    [{ 'fluentd-request-ack': 'x', tag: '{{' }, 'strconv.ParseBool: parsing "x": invalid syntax'],
    [{ tag: '{{', 'labels-regex': '(' }, 'template: log-tag:1: unclosed action'],
  ];
  for (const [config, message] of bad) {
    it(`${JSON.stringify(config)} is refused: ${message}`, () => {
      expect(errorOf(() => parse(config)).message).toContain(message);
    });
  }

  it('an unreadable CA file and one without a certificate are refused', () => {
    const dir = tmpDir();
    const empty = path.join(dir, 'empty.pem');
    fs.writeFileSync(empty, 'nothing here');
    expect(errorOf(() => parse({ 'fluentd-address': 'tls://h:1', 'fluentd-tls-ca': empty })).message).toBe(
      `invalid value for log opt 'fluentd-tls-ca': no PEM certificate in ${empty}`,
    );
  });

  it('TLS settings: a CA replaces the roots, verification can be turned off, the server name set', () => {
    const ca = makeTestCa(tmpDir());
    const o = parse({ 'fluentd-address': 'tls://127.0.0.1:1', 'fluentd-tls-ca': ca.caFile, 'fluentd-tls-servername': 'localhost', 'fluentd-tls-insecure-skip-verify': 'false' });
    expect(o.tls.ca).toHaveLength(1);
    expect(o.tls.servername).toBe('localhost');
    expect(o.tls.rejectUnauthorized).toBe(true);
    expect(parse({ 'fluentd-address': 'tls://h:1', 'fluentd-tls-insecure-skip-verify': 'true' }).tls.rejectUnauthorized).toBe(false);
  });

  it('fluentd-async / fluentd-async-connect: only an explicit false asks for Docker\'s connect before start', () => {
    expect(parse({}).connectBeforeStart).toBe(false);
    expect(parse({ 'fluentd-async': 'true' }).connectBeforeStart).toBe(false);
    expect(parse({ 'fluentd-async': 'false' }).connectBeforeStart).toBe(true);
    expect(parse({ 'fluentd-async': '0' }).connectBeforeStart).toBe(true);
    expect(parse({ 'fluentd-async-connect': 'F' }).connectBeforeStart).toBe(true);
    expect(parse({ 'fluentd-async-connect': 'true' }).connectBeforeStart).toBe(false);
    const sink = fluentdSinkDefinition.create(parse({ 'fluentd-async': 'false' }), context());
    expect(sink.openBeforeStart).toBe(true);
    void sink.close();
  });

  it('fluentd-buffer-limit: a binary size, read as a message count; bounds the batch (0 is the library\'s 8192)', () => {
    expect(parse({ 'fluentd-buffer-limit': '8' }).maxBatchEntries).toBe(8);
    expect(parse({ 'fluentd-buffer-limit': '1k' }).maxBatchEntries).toBe(1000);
    expect(parse({ 'fluentd-buffer-limit': '0' }).maxBatchEntries).toBe(1000);
    expect(parse({ 'fluentd-buffer-limit': '1.5' }).maxBatchEntries).toBe(1);
    // Docker's RAMInBytes overflows to a negative int for absurd sizes.
    expect(parse({ 'fluentd-buffer-limit': '99999999999P' }).maxBatchEntries).toBe(1000);
  });

  it('fluentd-retry-wait: int(d.Seconds()*1000) ms; 0 becomes the library\'s 500 ms', () => {
    expect(parse({ 'fluentd-retry-wait': '250ms' }).retryWaitMs).toBe(250);
    expect(parse({ 'fluentd-retry-wait': '1.5s' }).retryWaitMs).toBe(1500);
    expect(parse({ 'fluentd-retry-wait': '1m' }).retryWaitMs).toBe(60_000);
    expect(parse({ 'fluentd-retry-wait': '1500us' }).retryWaitMs).toBe(1);
    expect(parse({ 'fluentd-retry-wait': '999us' }).retryWaitMs).toBe(500);
    expect(parse({ 'fluentd-retry-wait': '0s' }).retryWaitMs).toBe(500);
    for (let ms = 1; ms < 1000; ms++) expect(parse({ 'fluentd-retry-wait': `${ms}ms` }).retryWaitMs, `${ms}ms`).toBe(ms);
  });

  it('fluentd-max-retries: unsigned; 0 becomes the library\'s 13; Docker\'s default and beyond never run out', () => {
    expect(parse({ 'fluentd-max-retries': '5' }).maxRetries).toBe(5);
    expect(parse({ 'fluentd-max-retries': '0' }).maxRetries).toBe(13);
    expect(parse({ 'fluentd-max-retries': '2147483647' }).maxRetries).toBe(Infinity);
    expect(parse({ 'fluentd-max-retries': '18446744073709551615' }).maxRetries).toBe(Infinity);
  });

  it('sub-second precision, acks, timeouts (0 = no deadline, as Docker)', () => {
    const o = parse({ 'fluentd-sub-second-precision': 'true', 'fluentd-request-ack': 'T', 'fluentd-write-timeout': '0', 'fluentd-read-timeout': '250ms' });
    expect(o.records.subSecondPrecision).toBe(true);
    expect(o.requestAck).toBe(true);
    expect([o.writeTimeoutMs, o.readTimeoutMs]).toEqual([0, 250]);
  });

  it('tag: Docker\'s template (empty means {{.ID}}); labels and env become record keys (env wins)', () => {
    const o = parse({ tag: 'docker.{{.Name}}.{{.ImageName}}', labels: 'lab1,missing', 'env-regex': '^E', env: 'E1' });
    expect(o.records.tag).toBe('docker.f1.bb:latest');
    expect({ ...o.records.extra }).toEqual({ lab1: 'v1', E1: 'x1', E2: 'x2' });
    expect(parse({ tag: '' }).records.tag).toBe('1aa59976c493');
  });
});
