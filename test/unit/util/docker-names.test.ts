import { describe, expect, it } from 'vitest';
import { bareName, shortId } from '../../../src/util/docker-names.js';

describe('shortId', () => {
  it('keeps the first 12 characters of a full ID', () => {
    expect(shortId('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')).toBe('0123456789ab');
  });
  it('keeps a shorter ID whole', () => {
    expect(shortId('abc')).toBe('abc');
  });
});

describe('bareName', () => {
  it('drops the leading slash', () => {
    expect(bareName('/web')).toBe('web');
  });
  it('drops only one slash, and only a leading one', () => {
    expect(bareName('//a/b')).toBe('/a/b');
  });
  it('keeps a name without one, and the empty name', () => {
    expect(bareName('web')).toBe('web');
    expect(bareName('')).toBe('');
  });
});
