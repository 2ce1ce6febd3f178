import { describe, expect, it } from 'vitest';
import { isUtf8 } from 'node:buffer';
import { compileRequest, encodeRequest } from '../../../../src/sinks/otlp/format.js';
import { nanosText } from '../../../../src/sinks/otlp/json-format.js';
import type { OtlpProtocol } from '../../../../src/sinks/otlp/options.js';
import { type Attribute, containerResource, splitImageReference } from '../../../../src/sinks/otlp/resource.js';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import { containerInfo } from '../../../helpers/container-info.js';
import { decodeJsonRequest, decodeProtobufRequest, rawBodies } from '../../../helpers/otlp-receiver.js';

// Every request is decoded with protobufjs from test/fixtures/otlp/logs.proto (and the
// JSON through the same schema's proto3 JSON names), never with the sink's own code.

const ID = '812526b87faeb0dbaf6913cbd8a91cf3e1e351df0ed3a804c89d3543f2b48111';
const INFO = containerInfo({ ContainerID: ID, ContainerName: '/web', ContainerImageName: 'registry:5000/team/app:1.2' });
const RESOURCE = containerResource(INFO, 'vm', {}, []);
const SCOPE = { name: 'tslogs', version: '9.8.7' };
const OBSERVED = { sec: 1795896200, nsec: 123456789 };
const entry = (line: string | Buffer, source = 'stdout', sec = 1795896181, nsec = 630940000): SinkEntry => ({ line: Buffer.isBuffer(line) ? line : Buffer.from(line), source, sec, nsec });

function decode(entries: SinkEntry[], protocol: OtlpProtocol, resource: Attribute[] = RESOURCE) {
  const body = encodeRequest(entries, compileRequest(resource, SCOPE, protocol), OBSERVED);
  return { body, resourceLogs: protocol === 'http/json' ? decodeJsonRequest(body) : decodeProtobufRequest(body) };
}

const EXPECTED_RESOURCE = {
  'container.id': ID,
  'container.name': 'web',
  'container.image.name': 'registry:5000/team/app',
  'container.image.tags': ['1.2'],
  'container.image.id': INFO.ContainerImageID,
  'host.name': 'vm',
  'service.name': 'web',
};

describe.each(['http/protobuf', 'http/json'] as const)('an export request in %s', (protocol) => {
  it('holds one ResourceLogs with the container resource, one ScopeLogs for tslogs, one LogRecord per line', () => {
    const { resourceLogs } = decode([entry('hello'), entry('oops', 'stderr', 1795896182, 5)], protocol);
    expect(resourceLogs).toEqual([
      {
        resource: EXPECTED_RESOURCE,
        schemaUrl: '',
        scopeLogs: [
          {
            scope: { name: 'tslogs', version: '9.8.7', attributes: {} },
            schemaUrl: '',
            logRecords: [
              {
                timeUnixNano: '1795896181630940000', observedTimeUnixNano: '1795896200123456789', severityNumber: 0, severityText: '',
                body: 'hello', attributes: { 'log.iostream': 'stdout' }, droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '',
              },
              {
                timeUnixNano: '1795896182000000005', observedTimeUnixNano: '1795896200123456789', severityNumber: 0, severityText: '',
                body: 'oops', attributes: { 'log.iostream': 'stderr' }, droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '',
              },
            ],
          },
        ],
      },
    ]);
  });

  it('keeps nanoseconds exact past 2^53, at the edges of a second and at the epoch', () => {
    const times: [number, number, string][] = [
      [1795896181, 999999999, '1795896181999999999'],
      // the low 32 bits of sec·10⁹ are 4254538752 here: adding the nanoseconds carries into the high half
      [1795896182, 999999999, '1795896182999999999'],
      [4294967295, 999999999, '4294967295999999999'],
      [4294967296, 0, '4294967296000000000'],
      [1, 1, '1000000001'],
      [0, 7, '7'],
      [4611686017, 999999999, '4611686017999999999'],
    ];
    const { resourceLogs } = decode(times.map(([sec, nsec]) => entry('t', 'stdout', sec, nsec)), protocol);
    expect(resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.timeUnixNano)).toEqual(times.map((t) => t[2]));
  });

  it('carries an empty line, white space, quotes, controls, NUL and multi-byte text unchanged', () => {
    const lines = ['', ' ', '"q" \\ \t\r', '\u0000\u0001\u007f', 'é 日本 😀', '<a&b>', '\u2028\u2029', 'x'.repeat(70000)];
    const { resourceLogs } = decode(lines.map((l) => entry(l)), protocol);
    expect(resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.body)).toEqual(lines);
  });

  it('turns each byte that is not valid UTF-8 into U+FFFD, as json-file stores it', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from([0x61, 0xff, 0x62]), 'a\ufffdb'],
      [Buffer.from([0xc3]), '\ufffd'],
      [Buffer.from([0xe6, 0x97, 0x61]), '\ufffd\ufffda'],
      [Buffer.from([0xed, 0xa0, 0x80]), '\ufffd\ufffd\ufffd'], // a surrogate
      [Buffer.from([0xc0, 0xaf]), '\ufffd\ufffd'], // an overlong '/'
      [Buffer.from([0xf4, 0x90, 0x80, 0x80]), '\ufffd\ufffd\ufffd\ufffd'], // above U+10FFFF
      [Buffer.from([0xc3, 0xa9, 0xff]), 'é\ufffd'],
    ];
    const { resourceLogs } = decode(cases.map(([b]) => entry(b)), protocol);
    expect(resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.body)).toEqual(cases.map((c) => c[1]));
  });

  it('takes resource attributes in order, an array value as an ArrayValue', () => {
    const { resourceLogs } = decode([entry('x')], protocol, [{ key: 'a', value: '' }, { key: 'b', value: ['1', '2'] }, { key: 'c', value: 'é=,' }]);
    expect(resourceLogs[0]!.resource).toEqual({ a: '', b: ['1', '2'], c: 'é=,' });
    expect(Object.keys(resourceLogs[0]!.resource)).toEqual(['a', 'b', 'c']);
  });
});

describe('the protobuf encoding', () => {
  it('writes only valid UTF-8 into body strings (Go receivers refuse a whole request otherwise)', () => {
    const { body } = decode([entry(Buffer.from([0xff, 0xfe, 0x41])), entry('ok')], 'http/protobuf');
    const raw = rawBodies(body);
    expect(raw).toEqual([Buffer.from('\ufffd\ufffdA'), Buffer.from('ok')]);
    expect(raw.every((b) => isUtf8(b))).toBe(true);
  });

  it('is a well-formed message for a large batch of long lines', () => {
    const entries = Array.from({ length: 3000 }, (_, i) => entry(`${i} ${'y'.repeat(i % 300)}`, i % 2 === 0 ? 'stdout' : 'stderr', 1795896181 + i, i));
    const records = decode(entries, 'http/protobuf').resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(records).toHaveLength(3000);
    expect(records.map((r) => r.body)).toEqual(entries.map((e) => e.line.toString()));
    expect(records[2999]!.attributes).toEqual({ 'log.iostream': 'stderr' });
    expect(records[2999]!.timeUnixNano).toBe(`${1795896181 + 2999}000002999`);
  });
});

describe('the JSON encoding', () => {
  it('uses the lowerCamelCase names and 64-bit integers as strings, as the OTLP JSON mapping requires', () => {
    const { body } = decode([entry('hi')], 'http/json');
    const json = JSON.parse(body.toString()) as Record<string, any>;
    expect(Object.keys(json)).toEqual(['resourceLogs']);
    const rl = json.resourceLogs[0];
    expect(Object.keys(rl)).toEqual(['resource', 'scopeLogs']);
    expect(rl.resource.attributes[3]).toEqual({ key: 'container.image.tags', value: { arrayValue: { values: [{ stringValue: '1.2' }] } } });
    expect(Object.keys(rl.scopeLogs[0])).toEqual(['scope', 'logRecords']);
    expect(rl.scopeLogs[0].scope).toEqual({ name: 'tslogs', version: '9.8.7' });
    expect(rl.scopeLogs[0].logRecords[0]).toEqual({
      timeUnixNano: '1795896181630940000',
      observedTimeUnixNano: '1795896200123456789',
      body: { stringValue: 'hi' },
      attributes: [{ key: 'log.iostream', value: { stringValue: 'stdout' } }],
    });
  });

  it('writes nanoseconds in decimal exactly', () => {
    expect(nanosText(1795896181, 5)).toBe('1795896181000000005');
    expect(nanosText(0, 0)).toBe('0');
    expect(nanosText(0, 999)).toBe('999');
  });
});

describe('the container resource', () => {
  it('splits the image reference into name and tag, leaving out a digest and a registry port', () => {
    expect(splitImageReference('busybox')).toEqual({ name: 'busybox', tag: undefined });
    expect(splitImageReference('busybox:1.36')).toEqual({ name: 'busybox', tag: '1.36' });
    expect(splitImageReference('registry:5000/team/app')).toEqual({ name: 'registry:5000/team/app', tag: undefined });
    expect(splitImageReference('registry:5000/team/app:v2')).toEqual({ name: 'registry:5000/team/app', tag: 'v2' });
    expect(splitImageReference('app@sha256:abcd')).toEqual({ name: 'app', tag: undefined });
    expect(splitImageReference('app:v1@sha256:abcd')).toEqual({ name: 'app', tag: 'v1' });
    expect(splitImageReference('sha256:abcd')).toEqual({ name: 'sha256', tag: 'abcd' });
  });

  it('has no tags without a tag and no image id without one; labels/env attributes and then the given ones replace earlier keys', () => {
    const info = containerInfo({ ContainerID: ID, ContainerName: '/db', ContainerImageName: 'postgres', ContainerImageID: '' });
    expect(containerResource(info, 'h', { team: 'a', 'host.name': 'label-host' }, [{ key: 'service.name', value: 'billing' }, { key: 'team', value: 'b' }])).toEqual([
      { key: 'container.id', value: ID },
      { key: 'container.name', value: 'db' },
      { key: 'container.image.name', value: 'postgres' },
      { key: 'host.name', value: 'label-host' },
      { key: 'service.name', value: 'billing' },
      { key: 'team', value: 'b' },
    ]);
  });
});
