import { describe, expect, it } from 'vitest';
import { readExportResponse, readFailureMessage } from '../../../../src/sinks/otlp/response.js';
import { otlpType } from '../../../helpers/otlp-receiver.js';

// Responses made with protobufjs from test/fixtures/otlp/logs.proto, as a receiver sends them.
const encode = (type: string, value: Record<string, unknown>) => {
  const t = otlpType(type);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
};
const PROTOBUF = 'application/x-protobuf';

describe('an ExportLogsServiceResponse', () => {
  it('of a full success rejects nothing, empty or not', () => {
    expect(readExportResponse(Buffer.alloc(0), PROTOBUF)).toEqual({ rejected: 0, message: '' });
    expect(readExportResponse(encode('ExportLogsServiceResponse', {}), PROTOBUF)).toEqual({ rejected: 0, message: '' });
    expect(readExportResponse(Buffer.from('{}'), 'application/json')).toEqual({ rejected: 0, message: '' });
    expect(readExportResponse(Buffer.alloc(0), 'application/json')).toEqual({ rejected: 0, message: '' });
  });

  it('of a partial success gives the rejected count and the message, in protobuf and in JSON (int64 as a string or a number)', () => {
    const partial = { partialSuccess: { rejectedLogRecords: 3, errorMessage: 'too old' } };
    expect(readExportResponse(encode('ExportLogsServiceResponse', partial), PROTOBUF)).toEqual({ rejected: 3, message: 'too old' });
    expect(readExportResponse(encode('ExportLogsServiceResponse', { partialSuccess: { rejectedLogRecords: 300000, errorMessage: 'é' } }), PROTOBUF)).toEqual({ rejected: 300000, message: 'é' });
    expect(readExportResponse(Buffer.from('{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}'), 'application/json; charset=utf-8')).toEqual({ rejected: 3, message: 'too old' });
    expect(readExportResponse(Buffer.from('{"partialSuccess":{"rejectedLogRecords":4}}'), 'application/json')).toEqual({ rejected: 4, message: '' });
    expect(readExportResponse(encode('ExportLogsServiceResponse', { partialSuccess: { errorMessage: 'just advice' } }), PROTOBUF)).toEqual({ rejected: 0, message: 'just advice' });
  });

  it('that does not parse counts as a full success (the status said 2xx)', () => {
    expect(readExportResponse(Buffer.from([0x0a, 0x05, 0x08]), PROTOBUF)).toEqual({ rejected: 0, message: '' });
    expect(readExportResponse(Buffer.from('not json'), 'application/json')).toEqual({ rejected: 0, message: '' });
    expect(readExportResponse(Buffer.from('{"partialSuccess":{"rejectedLogRecords":"-2"}}'), 'application/json')).toEqual({ rejected: 0, message: '' });
  });
});

describe('a failure body', () => {
  it('gives google.rpc.Status.message, or the start of a text body', () => {
    expect(readFailureMessage(encode('Status', { code: 14, message: 'unavailable' }), PROTOBUF, 1024)).toBe('unavailable');
    expect(readFailureMessage(Buffer.from('{"code":3,"message":"bad data"}'), 'application/json', 1024)).toBe('bad data');
    expect(readFailureMessage(Buffer.from('  upstream connect error\n'), 'text/plain', 1024)).toBe('upstream connect error');
    expect(readFailureMessage(Buffer.from('x'.repeat(50)), 'text/html', 10)).toBe('x'.repeat(10));
    expect(readFailureMessage(Buffer.from([0xff, 0xff]), PROTOBUF, 1024)).toBe('');
    expect(readFailureMessage(Buffer.alloc(0), undefined, 1024)).toBe('');
  });
});
