import { describe, expect, it } from 'vitest';
import { defineErrors, TslogsError, tslogsError } from '../../src/errors.js';
import { BUILTIN_SINKS } from '../../src/sinks/registry.js';
import { splunkError } from '../../src/sinks/splunk/errors.js';

describe('error catalogues', () => {
  it('build a TslogsError with the code and the text of its catalogue', () => {
    const err = splunkError('TSLOGS_SPLUNK_EXPECTED', 'splunk-url');
    expect(err).toBeInstanceOf(TslogsError);
    expect(err.code).toBe('TSLOGS_SPLUNK_EXPECTED');
    expect(err.message).toBe('splunk: splunk-url is expected');
    expect(tslogsError('TSLOGS_INVALID_SIZE', '1x').message).toBe("invalid size: '1x'");
  });

  it('refuse a code that the shared catalogue or a sink catalogue already has', () => {
    expect(BUILTIN_SINKS.size).toBe(7); // every sink's catalogue is loaded
    expect(() => defineErrors({ TSLOGS_INVALID_SIZE: () => 'again' })).toThrow('error code TSLOGS_INVALID_SIZE is defined twice');
    expect(() => defineErrors({ TSLOGS_GELF_REPLAY: () => 'again' })).toThrow('error code TSLOGS_GELF_REPLAY is defined twice');
    expect(() => defineErrors({ TSLOGS_NATS_CONNECT: () => 'again' })).toThrow('error code TSLOGS_NATS_CONNECT is defined twice');
    expect(() => defineErrors({ TSLOGS_LOKI_STATUS: () => 'again' })).toThrow('error code TSLOGS_LOKI_STATUS is defined twice');
    expect(() => defineErrors({ TSLOGS_TEST_ONLY_NEW: () => 'new' })).not.toThrow();
  });
});
