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

/**
 * tslogs' text for Docker's error `text` about option `key`: Docker's own when it names
 * the option, else with the option's name in front (`log opt 'compress': strconv…`).
 */
export function namedFor(key: string, text: string): string {
  return text.includes(key) ? text : `log opt '${key}': ${text}`;
}
