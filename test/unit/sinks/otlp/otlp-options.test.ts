import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import {
  OTLP_BATCH_SIZE_DEFAULT, OTLP_DEFAULT_TIMEOUT_MS, OTLP_MAX_IN_FLIGHT_DEFAULT, parseOtlpOptions,
} from '../../../../src/sinks/otlp/options.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { silentLogger } from '../../../../src/util/log.js';
import { containerInfo, sinkContext } from '../../../helpers/container-info.js';
import { errorOf } from '../../../helpers/errors.js';
import { pkiForFile } from '../../../helpers/sink-harness.js';
import { makeSyslogPki } from '../../../helpers/syslog-tls.js';

const ID = '1aa59976c493' + 'a'.repeat(48) + '4db6';
const INFO = containerInfo({ ContainerID: ID, ContainerName: '/f1', ContainerImageName: 'bb:latest', ContainerLabels: { team: 'a' } });
const parse = (config: Record<string, string>) => parseOtlpOptions(config, sinkContext(INFO));
const message = (config: Record<string, string>) => errorOf(() => parse(config)).message;
const pki = pkiForFile('tslogs-otlp-options-', makeSyslogPki);
const HTTPS = 'https://127.0.0.1:4318';

describe('otlp options', () => {
  it('default to http://localhost:4318/v1/logs, no headers, http/protobuf, no compression, 10 s, 1000 records, 1 request in flight', () => {
    const o = parse({});
    expect([o.origin, o.path]).toEqual(['http://localhost:4318', '/v1/logs']);
    expect(o.headers.reveal()).toEqual({});
    expect([o.protocol, o.gzip, o.timeoutMs, o.tls]).toEqual(['http/protobuf', false, OTLP_DEFAULT_TIMEOUT_MS, undefined]);
    expect([o.timeoutMs, o.maxBatchEntries, o.maxInFlight]).toEqual([10_000, OTLP_BATCH_SIZE_DEFAULT, OTLP_MAX_IN_FLIGHT_DEFAULT]);
    expect([o.maxBatchEntries, o.maxInFlight]).toEqual([1000, 1]);
    expect(o.resource).toEqual([
      { key: 'container.id', value: ID },
      { key: 'container.name', value: 'f1' },
      { key: 'container.image.name', value: 'bb' },
      { key: 'container.image.tags', value: ['latest'] },
      { key: 'container.image.id', value: INFO.ContainerImageID },
      { key: 'host.name', value: 'vm' },
      { key: 'service.name', value: 'f1' },
    ]);
  });

  it('take otlp-endpoint as the base URL of OTEL_EXPORTER_OTLP_ENDPOINT: v1/logs appended after one slash', () => {
    const at = (endpoint: string) => {
      const o = parse({ 'otlp-endpoint': endpoint });
      return o.origin + o.path;
    };
    // The spec's examples 1 and 3, and the default ports it names.
    expect(at('http://collector:4318')).toBe('http://collector:4318/v1/logs');
    expect(at('http://collector:4318/')).toBe('http://collector:4318/v1/logs');
    expect(at('http://collector:4318/mycollector/')).toBe('http://collector:4318/mycollector/v1/logs');
    expect(at('http://collector:4318/mycollector')).toBe('http://collector:4318/mycollector/v1/logs');
    expect(at('https://collector.example.com')).toBe('https://collector.example.com/v1/logs');
    expect(at('HTTP://[::1]:4318')).toBe('http://[::1]:4318/v1/logs');
    expect(parse({ 'otlp-endpoint': 'https://c.example:443/' }).origin).toBe('https://c.example');
  });

  it('refuse an endpoint that is not an http(s) base URL, naming the option and never echoing credentials', () => {
    expect(message({ 'otlp-endpoint': 'collector:4318' })).toBe("log opt 'otlp-endpoint': cannot parse 'collector:4318' (expected the collector's base URL, http[s]://host[:port][/path], e.g. http://collector:4318)");
    expect(message({ 'otlp-endpoint': 'grpc://c:4317' })).toBe("log opt 'otlp-endpoint': unsupported scheme 'grpc://' (use http:// or https://)");
    const withPassword = message({ 'otlp-endpoint': 'http://user:hunter2@c:4318' });
    expect(withPassword).toBe("log opt 'otlp-endpoint': the URL for c:4318 carries a user or password; send credentials with otlp-headers (the value is not shown)");
    for (const endpoint of ['http://h\n:65535', 'http://c:4318/\tx', 'http://c\u0000:4318', 'http://c:4318/{{.Name}}']) {
      expect(message({ 'otlp-endpoint': endpoint })).toMatch(/^log opt 'otlp-endpoint': the URL holds a control character .* or a \{\{ template/);
    }
    expect(message({ 'otlp-endpoint': 'http://c:4318/?x=1' })).toMatch(/^log opt 'otlp-endpoint': .* has a query or fragment/);
    expect(message({ 'otlp-endpoint': 'http://c:4318/v1/logs' })).toBe("log opt 'otlp-endpoint': 'http://c:4318/v1/logs' already ends in v1/logs; otlp-endpoint is the base URL (as OTEL_EXPORTER_OTLP_ENDPOINT) and v1/logs is appended: drop it");
    expect(message({ 'otlp-endpoint': 'http://c:99999' })).toMatch(/^log opt 'otlp-endpoint': cannot parse/);
  });

  it('read otlp-headers as OTEL_EXPORTER_OTLP_HEADERS: trimmed, values percent-decoded, names lower-cased, the last of a name kept', () => {
    const o = parse({ 'otlp-headers': ' Authorization = Bearer%20abc%3D%3D , X-Scope-OrgID=tenant%2C1,x-a=1,X-A=2,empty=' });
    expect(o.headers.reveal()).toEqual({ authorization: 'Bearer abc==', 'x-scope-orgid': 'tenant,1', 'x-a': '2', empty: '' });
  });

  it('never show a header value: not in errors, not when the options are printed or serialised', () => {
    const secret = 's3cr3t-t0ken';
    const bad = [
      `${secret}`, // no '=': the whole entry might be the value
      `a=1,${secret}`,
      `a=1,,b=${secret}`,
      `=${secret}`,
      `bad name=${secret}`,
      `a=${secret}%zz`,
      `a=${secret}%0A`,
      `${secret} x=1`,
    ];
    for (const headers of bad) {
      const text = message({ 'otlp-headers': headers });
      expect(text).toMatch(/^log opt 'otlp-headers': entry \d+ /);
      expect(text).toContain('values are not shown');
      expect(text).not.toContain(secret);
      expect(text).not.toContain('s3cr3t');
    }
    expect(message({ 'otlp-headers': `a=1,Content-Type=${secret}` })).toBe("log opt 'otlp-headers': the sink sets the header Content-Type itself; remove it");
    const o = parse({ 'otlp-headers': `authorization=Bearer ${secret}` });
    expect(inspect(o, { depth: 10 })).not.toContain(secret);
    expect(JSON.stringify(o)).not.toContain(secret);
    expect(String(o.headers)).toBe('<redacted>');
  });

  it('refuse each header the sink sets itself', () => {
    for (const name of ['content-type', 'Content-Encoding', 'content-length', 'transfer-encoding', 'connection', 'host']) {
      expect(message({ 'otlp-headers': `${name}=x` })).toBe(`log opt 'otlp-headers': the sink sets the header ${name} itself; remove it`);
    }
  });

  it('take otlp-protocol http/protobuf or http/json and otlp-compression gzip or none', () => {
    expect(parse({ 'otlp-protocol': 'http/json' }).protocol).toBe('http/json');
    expect(parse({ 'otlp-protocol': 'http/protobuf' }).protocol).toBe('http/protobuf');
    expect(message({ 'otlp-protocol': 'grpc' })).toBe("log opt 'otlp-protocol': grpc is not supported; use http/protobuf (the collector's OTLP/HTTP port, 4318 by default)");
    expect(message({ 'otlp-protocol': 'HTTP/JSON' })).toBe("log opt 'otlp-protocol': 'HTTP/JSON' is not one of http/protobuf, http/json");
    expect(parse({ 'otlp-compression': 'gzip' }).gzip).toBe(true);
    expect(parse({ 'otlp-compression': 'none' }).gzip).toBe(false);
    expect(message({ 'otlp-compression': 'deflate' })).toBe("log opt 'otlp-compression': 'deflate' is not one of gzip, none");
  });

  it('take otlp-timeout as a positive Go duration, and the batch size and requests in flight as whole numbers', () => {
    expect(parse({ 'otlp-timeout': '1m30s' }).timeoutMs).toBe(90_000);
    expect(parse({ 'otlp-timeout': '10000ms' }).timeoutMs).toBe(10_000);
    expect(parse({ 'otlp-timeout': '1.5ms' }).timeoutMs).toBe(2);
    for (const bad of ['10000', '0s', '-1s', 'soon']) {
      expect(message({ 'otlp-timeout': bad })).toBe(`log opt 'otlp-timeout': '${bad}' must be a positive Go duration such as 10s or 500ms (OTEL_EXPORTER_OTLP_TIMEOUT's milliseconds are written 10000ms)`);
    }
    expect(parse({ 'otlp-batch-size': '10000', 'otlp-max-in-flight': '16' })).toMatchObject({ maxBatchEntries: 10_000, maxInFlight: 16 });
    expect(parse({ 'otlp-batch-size': '1', 'otlp-max-in-flight': '1' })).toMatchObject({ maxBatchEntries: 1, maxInFlight: 1 });
    expect(message({ 'otlp-batch-size': '10001' })).toBe("log opt 'otlp-batch-size': '10001' is not a whole number from 1 to 10000 (log records per export request)");
    expect(message({ 'otlp-max-in-flight': '0' })).toBe("log opt 'otlp-max-in-flight': '0' is not a whole number from 1 to 16 (export requests awaiting their answer at once)");
    for (const bad of ['1.5', 'x', '-1', ' 2']) expect(message({ 'otlp-batch-size': bad })).toMatch(/^log opt 'otlp-batch-size': /);
  });

  it('read otlp-resource-attributes as OTEL_RESOURCE_ATTRIBUTES; they may set service.name and replace any attribute', () => {
    const o = parse({ 'otlp-resource-attributes': 'service.name=billing, deployment.environment.name = prod ,team=b%2Cc', labels: 'team' });
    expect(o.resource.find((a) => a.key === 'service.name')?.value).toBe('billing');
    expect(o.resource.slice(-2)).toEqual([{ key: 'team', value: 'b,c' }, { key: 'deployment.environment.name', value: 'prod' }]);
    expect(message({ 'otlp-resource-attributes': 'a=1,b' })).toBe("log opt 'otlp-resource-attributes': 'b' has no '=' (expected key=value,key=value as OTEL_RESOURCE_ATTRIBUTES, values percent-encoded)");
    expect(message({ 'otlp-resource-attributes': '=1' })).toContain("'=1' has an empty key");
    expect(message({ 'otlp-resource-attributes': 'a=%E9' })).toContain("'a=%E9' has a value whose percent-encoding is not valid UTF-8");
    expect(message({ 'otlp-resource-attributes': 'a=1,' })).toContain("'' is empty");
  });

  it('put labels and env attributes on the resource', () => {
    const info = containerInfo({ ContainerName: '/x', ContainerLabels: { 'com.example.team': 'a' }, ContainerEnv: ['STAGE=prod'] });
    const o = parseOtlpOptions({ labels: 'com.example.team', env: 'STAGE' }, sinkContext(info));
    expect(o.resource.slice(-2)).toEqual([{ key: 'com.example.team', value: 'a' }, { key: 'STAGE', value: 'prod' }]);
  });

  it('read the TLS files of an https endpoint: the CA replaces the system roots, the client pair both or neither', () => {
    const p = pki();
    const o = parse({ 'otlp-endpoint': HTTPS, 'otlp-tls-ca-file': p.caFile, 'otlp-tls-cert-file': p.clientCert, 'otlp-tls-key-file': p.clientKey });
    expect(o.tls?.ca).toHaveLength(1);
    expect(o.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(o.tls?.key).toContain('PRIVATE KEY');
    expect(o.tls?.rejectUnauthorized).toBe(true);
    expect(parse({ 'otlp-endpoint': HTTPS })).toMatchObject({ tls: { ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true } });
    expect(parse({ 'otlp-endpoint': HTTPS, 'otlp-tls-insecure-skip-verify': 'true' }).tls?.rejectUnauthorized).toBe(false);
    expect(message({ 'otlp-endpoint': HTTPS, 'otlp-tls-insecure-skip-verify': 'maybe' })).toBe(`log opt 'otlp-tls-insecure-skip-verify': strconv.ParseBool: parsing "maybe": invalid syntax`);
    expect(message({ 'otlp-endpoint': HTTPS, 'otlp-tls-cert-file': p.clientCert })).toBe("log opts 'otlp-tls-cert-file' and 'otlp-tls-key-file' go together: set both or neither");
    expect(message({ 'otlp-endpoint': HTTPS, 'otlp-tls-cert-file': p.clientCert, 'otlp-tls-key-file': p.otherKey })).toBe("log opts 'otlp-tls-cert-file' and 'otlp-tls-key-file': the private key does not match the certificate's public key");
    expect(message({ 'otlp-endpoint': HTTPS, 'otlp-tls-cert-file': p.clientKey, 'otlp-tls-key-file': p.clientKey })).toBe(`log opt 'otlp-tls-cert-file': ${p.clientKey}: no PEM certificate that parses`);
    expect(message({ 'otlp-endpoint': HTTPS, 'otlp-tls-ca-file': p.clientKey })).toBe(`log opt 'otlp-tls-ca-file': no PEM certificate in ${p.clientKey}`);
    expect(message({ 'otlp-endpoint': HTTPS, 'otlp-tls-ca-file': '/nonexistent/ca.pem' })).toBe("log opt 'otlp-tls-ca-file': open /nonexistent/ca.pem: no such file or directory");
  });

  it('refuse TLS options with an http:// endpoint: the scheme decides', () => {
    for (const key of ['otlp-tls-ca-file', 'otlp-tls-cert-file', 'otlp-tls-key-file', 'otlp-tls-insecure-skip-verify']) {
      expect(message({ [key]: 'x' })).toBe(`log opt '${key}' needs an https:// otlp-endpoint (the scheme decides whether TLS is used)`);
    }
  });

  it('treat an empty value as none, as Docker reads its options', () => {
    const o = parse({ 'otlp-endpoint': '', 'otlp-headers': '', 'otlp-protocol': '', 'otlp-timeout': '', 'otlp-batch-size': '' });
    expect([o.origin, o.protocol, o.timeoutMs, o.maxBatchEntries]).toEqual(['http://localhost:4318', 'http/protobuf', 10_000, 1000]);
  });

  it('are enabled by otlp-endpoint or sinks=otlp, and refused without either', () => {
    const enabled = (config: Record<string, string>) => parseContainerOptions(containerInfo({ Config: config }), BUILTIN_SINKS, silentLogger, 'h').sinks.map((s) => s.definition.name);
    expect(enabled({ 'otlp-endpoint': 'http://c:4318' })).toEqual(['otlp']);
    expect(enabled({ sinks: 'otlp' })).toEqual(['otlp']);
    expect(errorOf(() => enabled({ 'otlp-protocol': 'http/json' })).message).toBe("log opt 'otlp-protocol' belongs to the otlp sink, which is not enabled: set otlp-endpoint or add otlp to log opt 'sinks'");
  });
});
