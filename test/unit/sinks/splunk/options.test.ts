import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { containerInfo, sinkContext } from '../../../helpers/container-info.js';
import { errorOf, namedFor } from '../../../helpers/errors.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import type { Sink } from '../../../../src/sinks/sink.js';
import { splunkSinkDefinition } from '../../../../src/sinks/splunk/index.js';
import { parseGoInt32 } from '../../../../src/go/strconv.js';
import { parseSplunkOptions, splunkTunables, SPLUNK_KEYS } from '../../../../src/sinks/splunk/options.js';
import { makeTestCa } from '../../../helpers/hec-receiver.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { tmpDir } from '../../../helpers/tmp.js';

const INFO = containerInfo({ ContainerArgs: ['-c', 'echo x'], ContainerEnv: ['E1=x1', 'E2=x2'], ContainerLabels: { lab1: 'v1', lab2: 'v2' } });
const TOKEN = 'a1b2c3d4-0000-4000-8000-5ec2e7t0ken1';
const BASE = { 'splunk-url': 'http://127.0.0.1:8088', 'splunk-token': TOKEN };

const context = () => sinkContext(INFO);

const parse = (config: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  parseSplunkOptions(config, context(), env);

const failure = (config: Record<string, string>) => errorOf(() => parse(config)).message;

const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

function create(config: Record<string, string>, env: NodeJS.ProcessEnv = {}): Sink {
  const sink = splunkSinkDefinition.create(parse(config, env), context());
  sinks.push(sink);
  return sink;
}

describe('splunk-url and splunk-token', () => {
  it('requires both, url first, with Docker texts', () => {
    expect(failure({})).toBe('splunk: splunk-url is expected');
    expect(failure({ 'splunk-url': 'http://h:1' })).toBe('splunk: splunk-token is expected');
    expect(failure({ 'splunk-token': 'x' })).toBe('splunk: splunk-url is expected');
  });

  it.each([`${TOKEN}\r\n`, `${TOKEN}\nX-Injected: 1`, `\x00${TOKEN}`, `${TOKEN}\t`, `${TOKEN}\x7f`])(
    'refuses a token with a control character (every request would fail), without showing it: %j',
    (token) => {
      const message = failure({ ...BASE, 'splunk-token': token });
      expect(message).toBe("invalid value for log opt 'splunk-token': contains a control character (such as CR or LF); the token is not shown");
      expect(message).not.toContain(TOKEN);
    },
  );

  it('accepts an empty token, as Docker does', () => {
    expect(parse({ ...BASE, 'splunk-token': '' }).token.reveal()).toBe('');
  });

  it.each([
    ['http://127.0.0.1:8088', 'http://127.0.0.1:8088'],
    ['https://splunk.example:8088/', 'https://splunk.example:8088'],
    ['https://splunk.example', 'https://splunk.example'],
    ['http://h:8088/?', 'http://h:8088'],
    ['http://h:8088#', 'http://h:8088'],
    ['http://user:pw@h:8088', 'http://h:8088'],
    ['http://[::1]:8088', 'http://[::1]:8088'],
  ])('accepts %s (origin %s)', (url, origin) => {
    expect(parse({ ...BASE, 'splunk-url': url }).origin).toBe(origin);
  });

  it.each([
    'ftp://h:21', 'h:8088', 'HTTP://h:8088', 'http:h', 'http://h/path', 'http://h//', 'http://h?x=1',
    'http://h#frag', '//h:8088', 'http://', 'http://:8088', 'http://h:99999',
  ])('rejects the shape of %s', (url) => {
    expect(failure({ ...BASE, 'splunk-url': url })).toBe('splunk: expected format scheme://dns_name_or_ip:port for splunk-url');
  });

  it.each(['http://h:abc', 'http://h%zz', 'http://a b', ':8088', 'http://h\n', 'http://[::1', 'http://h/%zz', 'http://h#%g',
    'http://us{er@h', '127.0.0.1:8088'])('reports %j as unparsable, as Go\'s url.Parse does', (url) => {
    expect(failure({ ...BASE, 'splunk-url': url })).toBe(`splunk: failed to parse ${url} as url value in splunk-url`);
  });
});

describe('boolean options', () => {
  const keys = ['splunk-insecureskipverify', 'splunk-gzip', 'splunk-verify-connection', 'splunk-index-acknowledgment', 'splunk-ack'];

  it.each(keys)('%s takes Go bools and rejects others with strconv text', (key) => {
    for (const v of ['yes', '', 'TRue', ' 1']) {
      expect(failure({ ...BASE, [key]: v })).toBe(`log opt '${key}': strconv.ParseBool: parsing "${v}": invalid syntax`);
    }
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']) {
      expect(() => parse({ ...BASE, [key]: v })).not.toThrow();
    }
  });

  it('maps each to its setting, with defaults false', () => {
    const d = parse(BASE);
    expect([d.tls.rejectUnauthorized, d.gzip, d.verifyConnection, d.indexAcknowledgment, d.ack]).toEqual([true, false, false, false, false]);
    const s = parse({ ...BASE, 'splunk-insecureskipverify': 't', 'splunk-gzip': '1', 'splunk-verify-connection': 'true',
      'splunk-index-acknowledgment': 'True', 'splunk-ack': 'TRUE' });
    expect([s.tls.rejectUnauthorized, s.gzip, s.verifyConnection, s.indexAcknowledgment, s.ack]).toEqual([false, true, true, true, true]);
  });

  it('verifies the connection only when splunk-verify-connection is explicitly true', () => {
    expect(parse({ ...BASE, 'splunk-verify-connection': 'false' }).verifyConnection).toBe(false);
    expect(parse(BASE).verifyConnection).toBe(false);
    expect(create(BASE).openBeforeStart).toBe(false);
    expect(create({ ...BASE, 'splunk-verify-connection': '1' }).openBeforeStart).toBe(true);
  });
});

describe('splunk-gzip-level', () => {
  it('accepts -1 to 9 (default -1) and signs', () => {
    expect(parse(BASE).gzipLevel).toBe(-1);
    for (let l = -1; l <= 9; l++) expect(parse({ ...BASE, 'splunk-gzip-level': String(l) }).gzipLevel).toBe(l);
    expect(parse({ ...BASE, 'splunk-gzip-level': '+5' }).gzipLevel).toBe(5);
    expect(parse({ ...BASE, 'splunk-gzip-level': '-0' }).gzipLevel).toBe(0);
  });

  it.each([
    ['10', "not supported level '10' for splunk-gzip-level (supported values between -1 and 9)"],
    ['-2', "not supported level '-2' for splunk-gzip-level (supported values between -1 and 9)"],
    ['2147483647', "not supported level '2147483647' for splunk-gzip-level (supported values between -1 and 9)"],
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['2147483648', 'strconv.ParseInt: parsing "2147483648": value out of range'],
    ['99999999999x', 'strconv.ParseInt: parsing "99999999999x": value out of range'],
  ])('%j → %s', (value, message) => {
    expect(failure({ ...BASE, 'splunk-gzip-level': value })).toBe(namedFor('splunk-gzip-level', message));
  });
});

describe('splunk-max-in-flight (tslogs)', () => {
  it('is 1 by default, Docker\'s one request at a time, and takes 1 to 16', () => {
    expect(create(BASE).maxInFlight).toBe(1);
    expect(create({ ...BASE, 'splunk-max-in-flight': '4' }).maxInFlight).toBe(4);
    expect(create({ ...BASE, 'splunk-max-in-flight': '16' }).maxInFlight).toBe(16);
  });

  it.each(['0', '17', '-1', '+2', '1.5', '', ' 2', '0x4', 'many'])('%j is refused, naming the option', (value) => {
    expect(failure({ ...BASE, 'splunk-max-in-flight': value }))
      .toBe(`splunk-max-in-flight: '${value}' is not a whole number from 1 to 16 (requests awaiting Splunk's answer at once)`);
  });
});

describe('parseGoInt32 (strconv.ParseInt(s, 10, 32))', () => {
  it('parses the int32 range with signs', () => {
    expect(parseGoInt32('2147483647')).toBe(2147483647);
    expect(parseGoInt32('-2147483648')).toBe(-2147483648);
    expect(parseGoInt32('007')).toBe(7);
  });

  it.each([
    ['-2147483649', 'value out of range'], ['4294967296', 'value out of range'], ['+', 'invalid syntax'],
    ['-', 'invalid syntax'], ['1_000', 'invalid syntax'], ['+-1', 'invalid syntax'], [' 1', 'invalid syntax'],
    ['１', 'invalid syntax'],
  ])('%j: %s', (value, detail) => {
    expect(errorOf(() => parseGoInt32(value)).message).toBe(`strconv.ParseInt: parsing "${value}": ${detail}`);
  });

  it('quotes the value as Go does', () => {
    expect(errorOf(() => parseGoInt32('a\tb')).message).toBe('strconv.ParseInt: parsing "a\\tb": invalid syntax');
  });
});

describe('splunk-format', () => {
  it('is inline by default and accepts json and raw', () => {
    expect(parse(BASE).events.format).toBe('inline');
    for (const f of ['inline', 'json', 'raw']) expect(parse({ ...BASE, 'splunk-format': f }).events.format).toBe(f);
  });

  it.each(['xml', '', 'JSON'])('rejects %j with Docker 20.10 text, value missing included', (f) => {
    expect(failure({ ...BASE, 'splunk-format': f })).toBe("log opt 'splunk-format': Unknown format specified , supported formats are inline, json and raw");
  });
});

describe('TLS options', () => {
  it('reads splunk-capath as the whole CA set, skipping what does not parse', () => {
    const dir = tmpDir();
    const ca = makeTestCa(dir);
    const pem = fs.readFileSync(ca.caFile, 'utf8');
    const file = path.join(dir, 'bundle.pem');
    fs.writeFileSync(file, `junk\n${pem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${ca.cert}`);
    const o = parse({ ...BASE, 'splunk-capath': file, 'splunk-caname': 'splunk.internal' });
    expect(o.tls.ca).toEqual([pem.trim(), ca.cert.trim()]);
    expect(o.tls.servername).toBe('splunk.internal');
    expect(parse(BASE).tls).toEqual({ ca: undefined, servername: undefined, rejectUnauthorized: true });
  });

  it('trusts nothing for a file without certificates, as an empty Go CertPool', () => {
    const file = path.join(tmpDir(), 'empty.pem');
    fs.writeFileSync(file, 'not a certificate\n');
    expect(parse({ ...BASE, 'splunk-capath': file }).tls.ca).toEqual([]);
  });

  it('reports unreadable files as Go does', () => {
    const dir = tmpDir();
    expect(failure({ ...BASE, 'splunk-capath': path.join(dir, 'nope.pem') })).toBe(`log opt 'splunk-capath': open ${dir}/nope.pem: no such file or directory`);
    expect(failure({ ...BASE, 'splunk-capath': dir })).toBe(`log opt 'splunk-capath': read ${dir}: is a directory`);
  });
});

describe('tag, attributes and fields', () => {
  it('defaults the tag to {{.ID}} and removes it when explicitly empty', () => {
    expect(parse(BASE).events.tag).toBe('812526b87fae');
    expect(parse({ ...BASE, tag: '' }).events.tag).toBe('');
    expect(parse({ ...BASE, tag: '{{.Name}}/{{.ID}}' }).events.tag).toBe('web/812526b87fae');
    expect(failure({ ...BASE, tag: '{{.Name' })).toBe('template: log-tag:1: unclosed action');
  });

  it('builds attrs from labels, labels-regex, env and env-regex', () => {
    expect(parse({ ...BASE, labels: 'lab1', env: 'E2' }).events.attrs).toEqual({ lab1: 'v1', E2: 'x2' });
    expect(parse({ ...BASE, 'labels-regex': '^lab', 'env-regex': '1$' }).events.attrs).toEqual({ lab1: 'v1', lab2: 'v2', E1: 'x1' });
    expect(failure({ ...BASE, 'env-regex': '(' })).toBe('error parsing regexp for env-regex: missing closing ): `(`');
  });

  it('copies host, source, sourcetype and index', () => {
    const e = parse({ ...BASE, 'splunk-source': 's', 'splunk-sourcetype': 'st', 'splunk-index': 'i' }).events;
    expect(e).toEqual({ format: 'inline', host: 'vm', source: 's', sourcetype: 'st', index: 'i', tag: '812526b87fae', attrs: {} });
    expect(parse(BASE).events).toMatchObject({ source: '', sourcetype: '', index: '' });
  });

  it('validates in Docker\'s order', () => {
    expect(failure({ 'splunk-url': 'x', 'splunk-format': 'bad' })).toBe('splunk: expected format scheme://dns_name_or_ip:port for splunk-url');
    expect(failure({ ...BASE, 'splunk-gzip': 'x', 'splunk-gzip-level': '99' })).toBe(`log opt 'splunk-gzip': strconv.ParseBool: parsing "x": invalid syntax`);
    expect(failure({ ...BASE, 'splunk-format': 'bad', 'splunk-verify-connection': 'x' })).toBe(`log opt 'splunk-verify-connection': strconv.ParseBool: parsing "x": invalid syntax`);
    expect(failure({ ...BASE, 'splunk-format': 'bad', tag: '{{' })).toBe('template: log-tag:1: unclosed action');
  });
});

describe('SPLUNK_LOGGING_DRIVER_* tunables', () => {
  const tunables = (env: NodeJS.ProcessEnv) => {
    const logged = recordingLogger();
    const result = splunkTunables(env, logged);
    // Docker logs these and goes on with the default: a warning.
    expect(logged.records.filter((r) => r.level !== 'warn')).toEqual([]);
    return { ...result, reports: logged.messages() };
  };

  it('defaults to 5s and 1000 and maps frequency to lingerMs, batch size to maxBatchEntries', () => {
    expect(tunables({})).toEqual({ lingerMs: 5000, maxBatchEntries: 1000, reports: [] });
    expect(tunables({ SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '1m30s', SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: '50' }))
      .toEqual({ lingerMs: 90_000, maxBatchEntries: 50, reports: [] });
    expect(create(BASE, { SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '250ms' })).toMatchObject({ lingerMs: 250, maxBatchEntries: 1000 });
  });

  it('falls back to the default with Docker\'s log text on invalid values', () => {
    expect(tunables({
      SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '5', SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: '1e3',
      SPLUNK_LOGGING_DRIVER_BUFFER_MAX: 'lots', SPLUNK_LOGGING_DRIVER_CHANNEL_SIZE: '99999999999',
    })).toEqual({
      lingerMs: 5000,
      maxBatchEntries: 1000,
      reports: [
        'Failed to parse value of SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY as duration. Using default 5s. time: missing unit in duration "5"',
        'Failed to parse value of SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE as integer. Using default 1000. strconv.ParseInt: parsing "1e3": invalid syntax',
        'Failed to parse value of SPLUNK_LOGGING_DRIVER_BUFFER_MAX as integer. Using default 10000. strconv.ParseInt: parsing "lots": invalid syntax',
        'Failed to parse value of SPLUNK_LOGGING_DRIVER_CHANNEL_SIZE as integer. Using default 4000. strconv.ParseInt: parsing "99999999999": value out of range',
      ],
    });
  });

  it('accepts valid BUFFER_MAX and CHANNEL_SIZE silently (the durable store replaces that buffer)', () => {
    expect(tunables({ SPLUNK_LOGGING_DRIVER_BUFFER_MAX: '20000', SPLUNK_LOGGING_DRIVER_CHANNEL_SIZE: '0' }).reports).toEqual([]);
  });

  it('replaces non-positive frequency and batch size, on which Docker crashes', () => {
    expect(tunables({ SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '-1s', SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: '0' })).toEqual({
      lingerMs: 5000,
      maxBatchEntries: 1000,
      reports: [
        "SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY=-1s must be positive (Docker's splunk driver crashes on it). Using default 5s.",
        "SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE=0 must be positive (Docker's splunk driver crashes on it). Using default 1000.",
      ],
    });
  });

  it('reads process.env when parsed through the definition', () => {
    const saved = process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE;
    process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE = '7';
    try {
      expect(splunkSinkDefinition.parse(BASE, context()).maxBatchEntries).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE;
      else process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE = saved;
    }
  });
});

describe('the definition', () => {
  it('is registered as splunk, enabled by splunk-url, owning Docker\'s keys and splunk-ack', () => {
    expect(BUILTIN_SINKS.get('splunk')).toBe(splunkSinkDefinition);
    expect(splunkSinkDefinition.addressKey).toBe('splunk-url');
    expect([...SPLUNK_KEYS].sort()).toEqual([
      'splunk-ack', 'splunk-balance', 'splunk-caname', 'splunk-capath', 'splunk-format', 'splunk-gzip', 'splunk-gzip-level', 'splunk-index',
      'splunk-index-acknowledgment', 'splunk-insecureskipverify', 'splunk-max-in-flight', 'splunk-source', 'splunk-sourcetype', 'splunk-token',
      'splunk-url', 'splunk-verify-connection',
    ]);
    expect(splunkSinkDefinition.keys).toBe(SPLUNK_KEYS);
  });

  it('never shows the token when the options are logged or serialised', () => {
    const o = parse(BASE);
    expect(o.token.reveal()).toBe(TOKEN);
    expect(JSON.stringify(o)).not.toContain(TOKEN);
    expect(inspect(o, { depth: 10 })).not.toContain(TOKEN);
    expect(`${o.token}`).toBe('<redacted>');
  });
});
