import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContainerOptions, ROUTER_KEYS } from '../../../src/router/container-options.js';
import { ATTRIBUTE_KEYS, STORE_KEYS } from '../../../src/config/json-file-options.js';
import { TslogsError } from '../../../src/errors.js';
import { BUILTIN_SINKS } from '../../../src/sinks/registry.js';
import { containerInfo } from '../../helpers/container-info.js';
import { tmpDir } from '../../helpers/tmp.js';
import { silentLogger } from '../../../src/util/log.js';
import { validateRoutes } from '../../../src/router/routes.js';

// The README promises that a bad value is refused naming its option. Every option
// tslogs accepts is listed here with values that fail each way it can; a new option
// that is not listed fails the first test.

const info = (config: Record<string, string>) => containerInfo({ Config: config });

const SPLUNK = { 'splunk-url': 'https://127.0.0.1:8088', 'splunk-token': 'x' };
const FLUENTD = { 'fluentd-address': '127.0.0.1:24224' };
const FLUENTD_TLS = { 'fluentd-address': 'tls://127.0.0.1:24224' };
const GELF_UDP = { 'gelf-address': 'udp://127.0.0.1:12201' };
const GELF_TCP = { 'gelf-address': 'tcp://127.0.0.1:12201' };
const SYSLOG = { 'syslog-address': 'udp://127.0.0.1:514' };
const SYSLOG_TLS = { 'syslog-address': 'tcp+tls://127.0.0.1:6514' };
const NATS = { 'nats-url': 'nats://127.0.0.1:4222' };
const OTLP = { 'otlp-endpoint': 'http://127.0.0.1:4318' };
const OTLP_TLS = { 'otlp-endpoint': 'https://127.0.0.1:4318' };
const LOKI = { 'loki-url': 'http://127.0.0.1:3100/loki/api/v1/push' };
const LOKI_TLS = { 'loki-url': 'https://127.0.0.1:3100/loki/api/v1/push' };

const notPem = path.join(tmpDir(), 'not-a-certificate.pem');
fs.writeFileSync(notPem, 'hello\n');
const missing = '/nonexistent/x.pem';

/** Option → [the other options it needs, bad values]. */
const BAD: Record<string, [Record<string, string>, string[]]> = {
  // json-file store
  'max-size': [{}, ['abc', '-1', '1.2.3k', '0', '']],
  'max-file': [{}, ['x', '0', '-1', '99999999999999999999']],
  compress: [{ 'max-size': '1m', 'max-file': '2' }, ['yes', '']],
  // shared by the store and the sinks
  'labels-regex': [{}, ['(', '\\C']],
  'env-regex': [{}, ['[']],
  tag: [{}, ['{{', '{{.Nope}}']],
  // router
  sinks: [{}, ['nope', 'splunk,x']],
  'partial-reassembly': [{}, ['maybe']],
  'partial-max-size': [{}, ['lots', '0']],
  'sink-retry-min': [{}, ['soon', '0', '1ns']],
  'sink-retry-max': [{ 'sink-retry-min': '1s' }, ['10', '500ms']],
  'sink-drain-timeout': [{}, ['5y', '-1s']],
  // router transforms
  multiline: [{}, ['ruby', 'java,python', 'go,go', '']],
  'multiline-start': [{}, ['(', '']],
  'multiline-flush': [{ multiline: 'go' }, ['1', '0', '-1s', 'soon', '']],
  'multiline-max-lines': [{ multiline: 'go' }, ['1', '0', 'x', '1000001', '']],
  'multiline-max-bytes': [{ multiline: 'go' }, ['0', '1q', '']],
  'rate-limit': [{}, ['1000', '0/s', '10/d', 'x/s', '1.5/s', '1000000001/s', '']],
  'rate-limit-burst': [{ 'rate-limit': '10/s' }, ['0', 'x', '-1', '']],
  redact: [{}, ['(', '(?<n>x)', '']],
  'redact-replacement': [{}, ['x']], // needs redact
  'redact-store': [{ redact: 'x' }, ['maybe']],
  // splunk
  'splunk-url': [{ 'splunk-token': 'x' }, ['ftp://h:21', 'http://h:abc', 'http://h/path', 'http://a:1,', 'http://a:1,http://a:1/', 'http://a:1,\thttp://b:1', 'http://a:1,http://{{.X}}:1']],
  'splunk-token': [{ 'splunk-url': SPLUNK['splunk-url'] }, ['x\r\n']],
  'splunk-capath': [SPLUNK, [missing, notPem]],
  'splunk-insecureskipverify': [SPLUNK, ['yes']],
  'splunk-format': [SPLUNK, ['xml']],
  'splunk-verify-connection': [SPLUNK, ['yes']],
  'splunk-gzip': [SPLUNK, ['yes']],
  'splunk-gzip-level': [SPLUNK, ['x', '10']],
  'splunk-index-acknowledgment': [SPLUNK, ['yes']],
  'splunk-ack': [SPLUNK, ['yes']],
  'splunk-max-in-flight': [SPLUNK, ['0', '17']],
  'splunk-balance': [SPLUNK, ['random', 'Failover', 'round_robin']],
  // fluentd
  'fluentd-address': [{}, ['udp://127.0.0.1:1', 'tcp+tls://h:1', 'tcp://127.0.0.1:99999', 'h:x', 'a:b:c', 'unix://', 'tcp://a b:1', 'h\n:1', '{{.X}}:1']],
  'fluentd-async': [FLUENTD, ['x']],
  'fluentd-async-connect': [FLUENTD, ['yes']],
  'fluentd-buffer-limit': [FLUENTD, ['x', '-1']],
  'fluentd-retry-wait': [FLUENTD, ['1', 'x', '-1s']],
  'fluentd-max-retries': [FLUENTD, ['-1', '1.5']],
  'fluentd-sub-second-precision': [FLUENTD, ['on']],
  'fluentd-request-ack': [FLUENTD, ['y']],
  'fluentd-write-timeout': [FLUENTD, ['x', '-1s']],
  'fluentd-read-timeout': [FLUENTD, ['x', '-1s']],
  'fluentd-tls-ca': [FLUENTD_TLS, [missing, notPem]],
  'fluentd-tls-servername': [FLUENTD, ['fluent.example']], // needs a tls:// address
  'fluentd-tls-insecure-skip-verify': [FLUENTD_TLS, ['maybe']],
  // gelf
  'gelf-address': [{ sinks: 'gelf' }, ['x', 'http://h:1', 'unix:///run/g.sock', 'udp://127.0.0.1', 'udp://gray log:1', 'udp://127.0.0.1:99999', 'udp://a:1,tcp://b:1', 'tcp://a:1, ', 'tcp://a:1,tcp://{{.X}}:1']],
  'gelf-compression-type': [GELF_UDP, ['lz4']],
  'gelf-compression-level': [GELF_UDP, ['10', 'x']],
  'gelf-tcp-max-reconnect': [GELF_TCP, ['many', '-1']],
  'gelf-tcp-reconnect-delay': [GELF_TCP, ['-1']],
  'gelf-balance': [GELF_TCP, ['rr']],
  // syslog
  'syslog-address': [{ sinks: 'syslog' }, ['localhost:514', 'tcp://[::1', 'udp://127.0.0.1:x', 'tcp://a:b:514', 'tcp://127.0.0.1:70000', 'unix:///nonexistent/syslog.sock', 'tcp://a:1,,udp://b:1', 'tcp://a:1,tcp://a:1', 'tcp://a:1,tcp://b\n:1']],
  'syslog-balance': [SYSLOG, ['least-loaded']],
  'syslog-facility': [SYSLOG, ['local9', '24']],
  'syslog-format': [SYSLOG, ['rfc5425']],
  'syslog-tls-ca-cert': [SYSLOG_TLS, [missing, notPem]],
  'syslog-tls-cert': [SYSLOG_TLS, [missing]],
  'syslog-tls-key': [SYSLOG_TLS, [missing]],
  // nats
  'nats-url': [{ sinks: 'nats' }, ['http://h:1', 'nats://h:99999', 'nats://u:p@h', 'a,,b', 'nats://h/x', 'nats://a b', 'tls://h\u0000', 'h\n:9']],
  'nats-subject': [NATS, ['a.*', 'a..b', 'a b', '{{.Nope}}']], // empty: the default, as Docker's drivers read an empty option
  'nats-stream': [NATS, ['a.b', 'a b']],
  'nats-creds': [NATS, [missing, notPem]],
  'nats-tls-ca-cert': [NATS, [missing, notPem]],
  'nats-tls-cert': [NATS, [missing]],
  'nats-tls-key': [NATS, [missing]],
  'nats-tls-skip-verify': [NATS, ['maybe']],
  'nats-timeout': [NATS, ['0', '5', '-1s']],
  'nats-max-in-flight': [NATS, ['0', '17', 'x']],
  // otlp
  'otlp-endpoint': [{ sinks: 'otlp' }, ['collector:4318', 'ftp://h', 'http://u:p@h', 'http://h/?a=1', 'http://h/#x', 'http://h:4318/v1/logs', 'http://h:99999']],
  'otlp-headers': [OTLP, ['a', 'a=1,,b=2', '=x', 'bad name=1', 'content-type=x', 'a=%zz', 'a=x%0Ay']],
  'otlp-protocol': [OTLP, ['grpc', 'http', 'json']],
  'otlp-compression': [OTLP, ['zstd', 'true']],
  'otlp-timeout': [OTLP, ['10', '0s', '-1s', 'soon']],
  'otlp-tls-ca-file': [OTLP_TLS, [missing, notPem]],
  'otlp-tls-cert-file': [OTLP_TLS, [missing]],
  'otlp-tls-key-file': [OTLP_TLS, [missing]],
  'otlp-tls-insecure-skip-verify': [OTLP_TLS, ['maybe']],
  'otlp-resource-attributes': [OTLP, ['a', 'a=1,', '=x', 'a=%E9']],
  'otlp-batch-size': [OTLP, ['0', '10001', '1.5', 'x']],
  'otlp-max-in-flight': [OTLP, ['0', '17', 'x']],
  // loki
  'loki-url': [{ sinks: 'loki' }, ['h:3100/push', 'ftp://h', 'http://h:99999/x', 'http://h/x#f', 'http://h/x y', 'http://{{.Name}}/x']],
  'loki-tenant-id': [LOKI, ['a\nb', 'a\u0000']],
  'loki-external-labels': [LOKI, ['job', 'a.b=1', 'a={{.Nope}}', 'a=1,']],
  'loki-batch-size': [LOKI, ['0', '1m', '-1', '67108865']],
  'loki-batch-wait': [LOKI, ['1', '0s', 'soon']],
  'loki-timeout': [LOKI, ['10', '-1s']],
  'loki-min-backoff': [LOKI, ['1', '0']],
  'loki-max-backoff': [LOKI, ['1', 'x']],
  'loki-retries': [LOKI, ['-1', 'x', '1.5']],
  'loki-tls-ca-file': [LOKI_TLS, [missing, notPem]],
  'loki-tls-cert-file': [LOKI_TLS, [missing]],
  'loki-tls-key-file': [LOKI_TLS, [missing]],
  'loki-tls-server-name': [LOKI_TLS, ['a b', 'h/x']],
  'loki-tls-insecure-skip-verify': [LOKI_TLS, ['maybe']],
  // the Loki driver's options that tslogs refuses, whatever their value
  'loki-pipeline-stages': [LOKI, ['- json: {}']],
  'loki-pipeline-stage-file': [LOKI, ['/etc/pipeline.yaml']],
  'loki-relabel-config': [LOKI, ['- action: drop']],
  'loki-proxy-url': [LOKI, ['http://proxy:3128']],
  'no-file': [LOKI, ['true', 'false']],
  'keep-file': [LOKI, ['true', 'false']],
};

/** Options no value of which is wrong (names, free text, or read for their presence alone). */
const ANY_VALUE: Record<string, string> = {
  labels: 'names of labels',
  env: 'names of variables',
  'splunk-source': 'free text',
  'splunk-sourcetype': 'free text',
  'splunk-index': 'free text',
  'splunk-caname': 'a host name, checked when connecting',
  'syslog-tls-skip-verify': 'Docker looks only at its presence',
};

function failure(config: Record<string, string>): TslogsError {
  try {
    parseContainerOptions(info(config), BUILTIN_SINKS, silentLogger, 'h');
  } catch (e) {
    expect(e).toBeInstanceOf(TslogsError);
    return e as TslogsError;
  }
  throw new Error(`accepted: ${JSON.stringify(config)}`);
}

describe('every option names itself when its value is refused', () => {
  it('lists every option tslogs accepts', () => {
    const accepted = new Set([...STORE_KEYS, ...ATTRIBUTE_KEYS, ...ROUTER_KEYS]);
    for (const definition of BUILTIN_SINKS.values()) for (const key of [definition.addressKey, ...definition.keys]) accepted.add(key);
    expect([...Object.keys(BAD), ...Object.keys(ANY_VALUE)].sort()).toEqual([...accepted].sort());
    // The 59 include dockerd's own mode, max-buffer-size and cache-* keys; + splunk-max-in-flight;
    // + rate-limit, rate-limit-burst, redact, redact-replacement, redact-store (redact-1 … redact-99 beside them);
    // + the nats sink's 10; + multiline, multiline-start, multiline-flush, multiline-max-lines, multiline-max-bytes;
    // + the otlp sink's 12; + the loki sink's 14 and the 6 Loki driver options it refuses by name;
    // + splunk-balance, syslog-balance, gelf-balance.
    expect(accepted.size).toBe(59 - 6 + 1 + 5 + 10 + 5 + 12 + 14 + 6 + 3);
  });

  for (const [key, [needs, values]] of Object.entries(BAD)) {
    it.each(values)(`${key}=%j`, (value) => {
      expect(value.includes(key), 'a bad value that holds the option name proves nothing').toBe(false);
      const { message } = failure({ ...needs, [key]: value });
      // Docker's own text where it names the option; otherwise `log opt '<key>': ` before Docker's text.
      expect(message).toContain(key);
    });
  }

  it.each(Object.entries(ANY_VALUE))('%s takes any value (%s)', (key) => {
    const needs = key.startsWith('splunk') ? SPLUNK : key.startsWith('syslog') ? SYSLOG_TLS : {};
    expect(() => parseContainerOptions(info({ ...needs, [key]: 'x(y{{z\t' }), BUILTIN_SINKS, silentLogger, 'h')).not.toThrow();
  });
});

describe("the option's name goes before Docker's words, which are kept", () => {
  it.each([
    [{ compress: 'yes', 'max-size': '1m', 'max-file': '2' }, `log opt 'compress': strconv.ParseBool: parsing "yes": invalid syntax`],
    [{ 'max-size': '-1' }, "log opt 'max-size': invalid size: '-1'"],
    [{ 'max-file': 'x' }, `log opt 'max-file': strconv.Atoi: parsing "x": invalid syntax`],
    [{ ...SYSLOG, 'syslog-facility': 'x' }, "log opt 'syslog-facility': invalid syslog facility"],
    [{ ...SYSLOG, 'syslog-format': 'x' }, "log opt 'syslog-format': Invalid syslog format"],
    [{ ...SYSLOG_TLS, 'syslog-tls-key': missing }, "log opts 'syslog-tls-cert' and 'syslog-tls-key': Could not load X509 key pair: open : no such file or directory"],
    [{ ...SYSLOG_TLS, 'syslog-tls-ca-cert': missing }, `log opt 'syslog-tls-ca-cert': could not read CA certificate "${missing}": open ${missing}: no such file or directory`],
    [{ ...SPLUNK, 'splunk-format': 'xml' }, "log opt 'splunk-format': Unknown format specified , supported formats are inline, json and raw"],
    [{ ...SPLUNK, 'splunk-capath': missing }, `log opt 'splunk-capath': open ${missing}: no such file or directory`],
    [{ ...FLUENTD, 'fluentd-retry-wait': '1' }, `log opt 'fluentd-retry-wait': time: missing unit in duration "1"`],
    [{ 'fluentd-address': 'udp://127.0.0.1:1' }, "log opt 'fluentd-address': unknown network udp"],
    [{ ...GELF_TCP, 'gelf-compression-type': 'gzip' }, "log opt 'gelf-compression-type': compression is only supported on UDP"],
    [{ 'gelf-address': 'unix:///run/g.sock' }, "log opt 'gelf-address': gelf: endpoint needs to be TCP or UDP"],
  ])('%j: %s', (config, message) => {
    expect(failure(config).message).toBe(message);
  });

  it.each([
    [{ 'max-size': '0' }, 'max-size must be a positive number'],
    [{ 'max-file': '0' }, 'max-file cannot be less than 1'],
    [{ compress: 'true', 'max-file': '1' }, 'compress cannot be true when max-file is less than 2 or max-size is not set'],
    [{ tag: '{{' }, 'template: log-tag:1: unclosed action'],
    [{ 'fluentd-address': 'h:x' }, 'invalid fluentd-address h:x: strconv.Atoi: parsing "x": invalid syntax'],
    [{ ...SPLUNK, 'splunk-gzip-level': '10' }, "not supported level '10' for splunk-gzip-level (supported values between -1 and 9)"],
    [{ ...GELF_UDP, 'gelf-compression-type': 'lz4' }, 'unknown value "lz4" for log opt "gelf-compression-type" for gelf log driver'],
    [{ 'syslog-address': 'localhost:514' }, 'syslog-address should be in form proto://address, got localhost:514'],
  ])("%j keeps Docker's text, which names the option: %s", (config, message) => {
    expect(failure(config).message).toBe(message);
  });
});

describe('in a route of the routes file, every sink option is refused with the words of --log-opt', () => {
  const owner = new Map<string, string>();
  for (const d of BUILTIN_SINKS.values()) for (const key of [d.addressKey, ...d.keys]) owner.set(key, d.name);

  it('takes exactly the sinks\' options: no store, attribute or router option', () => {
    // The 109 options accepted in all (above), less the store's 3, the attributes' 5 and the router's 16.
    expect(owner.size).toBe(109 - 3 - 5 - 16);
    for (const key of [...STORE_KEYS, ...ATTRIBUTE_KEYS, ...ROUTER_KEYS]) expect(owner.has(key), key).toBe(false);
  });

  for (const [key, [needs, values]] of Object.entries(BAD)) {
    if (!owner.has(key)) continue;
    it.each(values)(`${key}=%j`, (value) => {
      const config = { ...needs, [key]: value };
      delete (config as Record<string, string>).sinks;
      const expected = `routes file /r.json: route "r": ${failure(config).message}`;
      let message = '';
      try {
        validateRoutes(new Map([['r', config]]), BUILTIN_SINKS, '/r.json');
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBe(expected);
    });
  }
});
