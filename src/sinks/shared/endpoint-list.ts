// The comma-separated address lists of splunk-url, syslog-address and gelf-address, and
// their *-balance options. A value without a comma is one address and goes to the sink's
// own parser untouched, so that Docker's texts (which do not know lists) stay exactly
// Docker's; in a list each element is validated as Docker validates a single address,
// and an error says which element it is.

import { TslogsError, tslogsError } from '../../errors.js';

/** How a sink with several endpoints spreads its batches. */
export type Balance = 'failover' | 'round-robin';

export const BALANCES: readonly Balance[] = ['failover', 'round-robin'];

/**
 * `*-balance`: failover (the default) or round-robin. Accepted with a single address,
 * where it changes nothing, so that one option set can serve hosts with one endpoint or several.
 */
export function parseBalance(key: string, value: string | undefined): Balance {
  if (value === undefined || value === '') return 'failover';
  if (!(BALANCES as readonly string[]).includes(value)) throw tslogsError('TSLOGS_BALANCE', key, value);
  return value as Balance;
}

export interface AddressListParts<T> {
  /** The option, for messages. */
  key: string;
  /** The sink's parser for one address; throws TslogsError with Docker's text. */
  parse: (address: string) => T;
  /** What makes two endpoints the same one (sent to twice, it would only duplicate). */
  identity: (endpoint: T) => string;
  /** Why `endpoint` cannot share a list with `first` (undefined when it can). */
  incompatible?: (endpoint: T, first: T) => string | undefined;
}

/**
 * The endpoints of an address option, in order. Only spaces around the commas are
 * dropped: a tab or line break stays part of the element, for its parser to refuse.
 */
export function parseAddressList<T>(value: string, parts: AddressListParts<T>): T[] {
  if (!value.includes(',')) return [parts.parse(value)];
  const elements = value.split(',').map((e) => e.replace(/^ +| +$/g, ''));
  const count = elements.length;
  const seen = new Map<string, number>();
  const out: T[] = [];
  elements.forEach((element, i) => {
    const position = i + 1;
    if (element === '') throw tslogsError('TSLOGS_ADDRESS_EMPTY', parts.key, position, count);
    let endpoint: T;
    try {
      endpoint = parts.parse(element);
    } catch (e) {
      if (e instanceof TslogsError) throw tslogsError('TSLOGS_ADDRESS_ELEMENT', parts.key, position, count, e.message);
      throw e;
    }
    const id = parts.identity(endpoint);
    const first = seen.get(id);
    if (first !== undefined) throw tslogsError('TSLOGS_ADDRESS_DUPLICATE', parts.key, position, count, first);
    seen.set(id, position);
    const why = out.length > 0 ? parts.incompatible?.(endpoint, out[0]!) : undefined;
    if (why !== undefined) throw tslogsError('TSLOGS_ADDRESS_ELEMENT', parts.key, position, count, why);
    out.push(endpoint);
  });
  return out;
}
