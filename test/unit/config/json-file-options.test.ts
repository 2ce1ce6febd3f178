import { describe, expect, it } from 'vitest';
import { parseStoreOptions } from '../../../src/config/json-file-options.js';
import { containerInfo } from '../../helpers/container-info.js';

function policy(config: Record<string, string>) {
  return parseStoreOptions(containerInfo({ Config: config }), 'vm').policy;
}

describe('json-file rotation options', () => {
  it.each([
    [{}, { maxSize: 20_000_000, maxFile: 5, compress: false }],
    [{ compress: 'true' }, { maxSize: 20_000_000, maxFile: 5, compress: true }],
    // Once the user sets either, the other takes Docker's default (unlimited size, 1 file).
    [{ 'max-size': '1k' }, { maxSize: 1000, maxFile: 1, compress: false }],
    [{ 'max-file': '3' }, { maxSize: Infinity, maxFile: 3, compress: false }],
    [{ 'max-size': '10MiB', 'max-file': '2', compress: '1' }, { maxSize: 10_000_000, maxFile: 2, compress: true }],
  ])('%j gives %j', (config, expected) => {
    expect(policy(config)).toEqual(expected);
  });

  it.each([
    [{ 'max-size': '1k', compress: 'true' }],
    [{ 'max-file': '3', compress: 'true' }],
  ])('refuses compress without rotation, as Docker does: %j', (config) => {
    expect(() => policy(config)).toThrow('compress cannot be true when max-file is less than 2 or max-size is not set');
  });
});
