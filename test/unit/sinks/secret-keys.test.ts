import { describe, expect, it } from 'vitest';
import type { SinkDefinition } from '../../../src/sinks/sink.js';
import { BUILTIN_SINKS, secretOptionKeys, sinkRegistry } from '../../../src/sinks/registry.js';

const definition = (name: string, secretKeys?: string[]): SinkDefinition => ({
  name,
  addressKey: `${name}-url`,
  keys: new Set([`${name}-url`, ...(secretKeys ?? [])]),
  ...(secretKeys === undefined ? {} : { secretKeys: new Set(secretKeys) }),
  parse: () => ({}),
  create: () => {
    throw new Error('not used');
  },
});

describe('secretOptionKeys', () => {
  it('is the union of what each sink declares', () => {
    const registry = sinkRegistry([definition('a', ['a-token']), definition('b'), definition('c', ['c-key', 'c-password'])]);
    expect([...secretOptionKeys(registry)].sort()).toEqual(['a-token', 'c-key', 'c-password']);
  });

  it('is the Splunk token and the OTLP headers for the built-in sinks', () => {
    expect([...secretOptionKeys(BUILTIN_SINKS)].sort()).toEqual(['otlp-headers', 'splunk-token']);
  });
});
