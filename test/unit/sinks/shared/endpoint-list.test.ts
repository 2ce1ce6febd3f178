import { describe, expect, it } from 'vitest';
import { tslogsError, TslogsError } from '../../../../src/errors.js';
import { parseAddressList, parseBalance } from '../../../../src/sinks/shared/endpoint-list.js';

// A stand-in for a sink's parser: `h:<port>`, refusing anything else with "its" Docker text.
const parts = {
  key: 'x-address',
  parse: (a: string) => {
    const m = /^([a-z]+):\/\/h:(\d+)$/.exec(a);
    if (m === null) throw tslogsError('TSLOGS_OPTION_VALUE', 'x-address', `bad ${a}`);
    return { scheme: m[1]!, port: Number(m[2]) };
  },
  identity: (e: { scheme: string; port: number }) => `${e.scheme}:${e.port}`,
  incompatible: (e: { scheme: string }, first: { scheme: string }) => (e.scheme === first.scheme ? undefined : `${e.scheme} after ${first.scheme}`),
};

const failure = (value: string): string => {
  try {
    parseAddressList(value, parts);
  } catch (e) {
    expect(e).toBeInstanceOf(TslogsError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${value}`);
};

describe('parseAddressList', () => {
  it('hands a value without a comma to the parser untouched, its error unchanged', () => {
    expect(parseAddressList('tcp://h:1', parts)).toEqual([{ scheme: 'tcp', port: 1 }]);
    expect(failure(' tcp://h:1')).toBe("invalid value for log opt 'x-address': bad  tcp://h:1");
  });

  it('parses each element in order, dropping the spaces around commas', () => {
    expect(parseAddressList('tcp://h:1, tcp://h:2 ,tcp://h:3', parts).map((e) => e.port)).toEqual([1, 2, 3]);
  });

  it("names the element's position in the parser's error", () => {
    expect(failure('tcp://h:1,tcp://q:2')).toBe("log opt 'x-address', address 2 of 2: invalid value for log opt 'x-address': bad tcp://q:2");
  });

  it('keeps a tab or line break in the element, for its parser to refuse', () => {
    expect(failure('tcp://h:1,\ttcp://h:2')).toBe("log opt 'x-address', address 2 of 2: invalid value for log opt 'x-address': bad \ttcp://h:2");
  });

  it('refuses empty elements', () => {
    expect(failure('tcp://h:1,,tcp://h:2')).toBe("log opt 'x-address', address 2 of 3: empty address in the comma-separated list");
    expect(failure('tcp://h:1,')).toBe("log opt 'x-address', address 2 of 2: empty address in the comma-separated list");
    expect(failure(' ,tcp://h:1')).toBe("log opt 'x-address', address 1 of 2: empty address in the comma-separated list");
  });

  it('refuses the same endpoint twice', () => {
    expect(failure('tcp://h:1,tcp://h:2,tcp://h:1')).toBe("log opt 'x-address', address 3 of 3: the same endpoint as address 1");
  });

  it('refuses an element the sink cannot mix with the first', () => {
    expect(failure('tcp://h:1,udp://h:2')).toBe("log opt 'x-address', address 2 of 2: udp after tcp");
  });
});

describe('parseBalance', () => {
  it('is failover by default or when empty', () => {
    expect(parseBalance('x-balance', undefined)).toBe('failover');
    expect(parseBalance('x-balance', '')).toBe('failover');
    expect(parseBalance('x-balance', 'failover')).toBe('failover');
    expect(parseBalance('x-balance', 'round-robin')).toBe('round-robin');
  });

  it('refuses anything else, naming the option', () => {
    expect(() => parseBalance('x-balance', 'Round-Robin')).toThrow(`log opt 'x-balance': "Round-Robin" is neither failover nor round-robin`);
  });
});
