import { TslogsError, tslogsError } from '../errors.js';

/**
 * Parses one option. When the error does not name the option (Go's strconv and time
 * texts, and most of Docker's own), its name goes in front, Docker's words kept:
 * `log opt 'compress': strconv.ParseBool: parsing "yes": invalid syntax`. Docker's
 * texts that already name it (`invalid fluentd-address h:x: …`) stay as they are.
 */
export function forOption<T>(key: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof TslogsError && !err.message.includes(key)) throw tslogsError('TSLOGS_OPTION_NAMED', key, err.message);
    throw err;
  }
}
