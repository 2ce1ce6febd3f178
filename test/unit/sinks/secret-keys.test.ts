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

  it('leaves loki-url out: its password (userinfo) is redacted instead, so the sidecar can still take a URL without one from its config', () => {
    // A secret key is refused in the sidecar's config file and environment; most loki-urls carry no password.
    expect(BUILTIN_SINKS.get('loki')!.secretKeys).toBeUndefined();
    expect(BUILTIN_SINKS.get('loki')!.keys.has('loki-url')).toBe(true);
  });
});
