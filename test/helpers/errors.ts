import { TslogsError } from '../../src/errors.js';

/** The TslogsError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): TslogsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TslogsError) return e;
    throw e;
  }
  throw new Error('expected a TslogsError');
}
