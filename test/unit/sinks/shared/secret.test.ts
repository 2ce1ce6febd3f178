import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../../src/sinks/shared/secret.js';

describe('Secret', () => {
  const value = 'tok-5f1c2b9e';
  it('gives its value only through reveal()', () => {
    const s = new Secret(value);
    expect(s.reveal()).toBe(value);
    expect(String(s)).toBe('<redacted>');
    expect(`${s}`).toBe('<redacted>');
    expect(JSON.stringify({ token: s })).toBe('{"token":"<redacted>"}');
    expect(inspect({ token: s }, { depth: 5, showHidden: true })).not.toContain(value);
    expect(inspect(s)).toBe('Secret(<redacted>)');
    expect(Object.values(s)).not.toContain(value);
  });

  it('names its kind and hides bytes too', () => {
    const bytes = new TextEncoder().encode(value);
    const s = new Secret(bytes, 'Credentials');
    expect(s.reveal()).toBe(bytes);
    expect(inspect(s)).toBe('Credentials(<redacted>)');
    expect(JSON.stringify(s)).toBe('"<redacted>"');
  });
});
