// Micro-benchmark beside the code: `npm run bench:micro`. Why the OTLP encoder is
// hand-written (docs/dependencies.md): the same 1000-record request built through
// protobufjs from the .proto definitions of the tests.
import { bench, describe } from 'vitest';
import { otlpType } from '../../../test/helpers/otlp-receiver.js';
import { containerInfo } from '../../../test/helpers/container-info.js';
import type { SinkEntry } from '../sink.js';
import { compileRequest, encodeRequest } from './format.js';
import { containerResource } from './resource.js';

const entries: SinkEntry[] = Array.from({ length: 1000 }, (_, i) => ({
  line: Buffer.from(`2026-12-04T23:50:0${i % 10}Z INFO request ${i} served in ${i % 97} ms`),
  source: i % 5 === 0 ? 'stderr' : 'stdout',
  sec: 1795896100 + (i >> 6),
  nsec: i * 7919,
}));
const resource = containerResource(containerInfo(), 'vm', {}, []);
const scope = { name: 'tslogs', version: '0.1.0' };
const observed = { sec: 1795896200, nsec: 0 };
const protobufRequest = compileRequest(resource, scope, 'http/protobuf');
const jsonRequest = compileRequest(resource, scope, 'http/json');
const Request = otlpType('ExportLogsServiceRequest');
const anyString = (s: string) => ({ stringValue: s });

describe('OTLP ExportLogsServiceRequest of 1000 records', () => {
  bench('protobuf, hand-written', () => {
    encodeRequest(entries, protobufRequest, observed);
  });
  bench('JSON, hand-written', () => {
    encodeRequest(entries, jsonRequest, observed);
  });
  bench('protobuf through protobufjs (reference)', () => {
    const observedNs = `${observed.sec}000000000`;
    const message = Request.fromObject({
      resourceLogs: [{
        resource: { attributes: resource.map((a) => ({ key: a.key, value: typeof a.value === 'string' ? anyString(a.value) : { arrayValue: { values: a.value.map(anyString) } } })) },
        scopeLogs: [{
          scope,
          logRecords: entries.map((e) => ({
            timeUnixNano: `${e.sec}${String(e.nsec).padStart(9, '0')}`,
            observedTimeUnixNano: observedNs,
            body: anyString(e.line.toString('utf8')),
            attributes: [{ key: 'log.iostream', value: anyString(e.source) }],
          })),
        }],
      }],
    });
    Request.encode(message).finish();
  });
});
