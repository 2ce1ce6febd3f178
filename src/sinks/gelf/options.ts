// Docker's gelf driver options (docs/docker-compat.md §10.1): moby's gelf.ValidateLogOpt (run by
// dockerd at container create for the built-in driver) followed by gelf.New, with
// their defaults, order and messages, so that a bad value fails `docker run` with the
// text users know.

import { compileExtraAttrs } from '../../config/extra-attrs.js';
import { splitHostPort } from '../../go/host-port.js';
import { goQuote, parseGoInt } from '../../go/strconv.js';
import { isTransportUrl, parseGoUrlOr } from '../../go/url.js';
import { forOption } from '../../config/option-error.js';
import { compileTag, DEFAULT_TAG_TEMPLATE, renderTag } from '../../config/tag-template.js';
import type { SinkContext } from '../sink.js';
import { type Balance, parseAddressList, parseBalance } from '../shared/endpoint-list.js';
import { gelfError } from './errors.js';
import { gelfExtra, type GelfCompression, type MessageSettings } from './format.js';

/** The option names this sink owns (the shared tag/labels/env ones are the router's). */
export const GELF_KEYS: ReadonlySet<string> = new Set([
  'gelf-address', 'gelf-compression-type', 'gelf-compression-level', 'gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay',
  'gelf-balance',
]);

export interface GelfAddress {
  protocol: 'udp' | 'tcp';
  /** url.Host as written (userinfo and path dropped): what Docker's messages print. */
  hostport: string;
  /** Without brackets; `localhost` when empty (Go dials the local system). */
  host: string;
  port: number;
}

export interface GelfOptions {
  address: GelfAddress;
  /** Every endpoint of gelf-address, in order (`address` is the first), all udp or all tcp. */
  addresses: GelfAddress[];
  /** gelf-balance, for a list. */
  balance: Balance;
  /** UDP payload compression; TCP always sends plain JSON. */
  compression: GelfCompression;
  /** -1 to 9 (-1: zlib's default, 6). */
  compressionLevel: number;
  /** gelf-tcp-max-reconnect: reconnections tried inside one send before the router's backoff takes over. */
  maxReconnect: number;
  /** gelf-tcp-reconnect-delay, in milliseconds (the option is in seconds). */
  reconnectDelayMs: number;
  messages: MessageSettings;
}

// go-gelf: CompressGzip is the zero value; NewUDPWriter sets flate.BestSpeed.
const DEFAULT_COMPRESSION: GelfCompression = 'gzip';
const DEFAULT_LEVEL = 1;
// go-gelf's DefaultMaxReconnect and DefaultReconnectDelay (seconds).
const DEFAULT_MAX_RECONNECT = 3;
const DEFAULT_RECONNECT_DELAY_S = 1;
const COMPRESSIONS: readonly string[] = ['gzip', 'zlib', 'none'] satisfies GelfCompression[];

function opt(config: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(config, key) ? config[key] : undefined;
}

/** strconv.Atoi; undefined where Go returns an error. */
function atoi(value: string): number | undefined {
  try {
    return parseGoInt(value);
  } catch {
    return undefined;
  }
}

/**
 * moby's gelf parseAddress, then what Go's Dial would refuse at start (a port it
 * cannot use: Docker fails `docker run` with that dial error for UDP and TCP alike).
 */
export function parseGelfAddress(value: string | undefined): GelfAddress {
  if (value === undefined || value === '') throw gelfError('TSLOGS_GELF_ADDRESS_REQUIRED');
  if (!isTransportUrl(value)) throw gelfError('TSLOGS_GELF_ADDRESS_FORM', value);
  const parts = parseGoUrlOr(value, (e) => {
    throw gelfError('TSLOGS_GELF_URL_PARSE', goQuote(e.url), e.detail);
  });
  if (parts.scheme !== 'udp' && parts.scheme !== 'tcp') throw gelfError('TSLOGS_GELF_SCHEME');
  const hostport = parts.host;
  const split = splitHostPort(hostport);
  // Docker replaces SplitHostPort's error with its own text.
  if (typeof split === 'string') throw gelfError('TSLOGS_GELF_HOST_PORT');
  const [host, portText] = split;
  const port = Number(portText);
  if (portText === '' || !(port >= 1 && port <= 65535)) {
    throw gelfError('TSLOGS_GELF_CONNECT', hostport, `dial ${parts.scheme}: address ${portText}: invalid port`);
  }
  return { protocol: parts.scheme as 'udp' | 'tcp', hostport, host: host === '' ? 'localhost' : host, port };
}

/** An endpoint as messages and metrics show it, and what makes two list elements the same. */
export const describeGelfAddress = (a: GelfAddress): string => `${a.protocol}://${a.hostport}`;

/**
 * A list is all udp or all tcp: the gelf-compression-* options are udp's and the
 * gelf-tcp-* ones tcp's, and a batch's size limit depends on the protocol.
 */
const GELF_LIST = {
  key: 'gelf-address',
  parse: parseGelfAddress,
  identity: (a: GelfAddress) => `${a.protocol}://${a.host}:${a.port}`,
  incompatible: (a: GelfAddress, first: GelfAddress) =>
    a.protocol === first.protocol ? undefined : `${a.protocol} cannot be mixed with ${first.protocol} (address 1): every address of a list must be udp, or every one tcp`,
};

/**
 * ValidateLogOpt's checks of the gelf-* keys, in the order the options arrive. Its
 * `unknown log opt "<k>" for gelf log driver` is kept for gelf-* keys only: every
 * other key belongs to the store, the router or another sink, and the router has
 * already refused keys that no part of tslogs owns.
 */
function validateGelfKeys(config: Record<string, string>, protocol: 'udp' | 'tcp'): void {
  for (const key of Object.keys(config)) {
    if (!key.startsWith('gelf-') || key === 'gelf-address' || key === 'gelf-balance') continue;
    const value = config[key]!;
    forOption(key, () => validateGelfKey(key, value, protocol));
  }
}

function validateGelfKey(key: string, value: string, protocol: 'udp' | 'tcp'): void {
  const unknownValue = () => gelfError('TSLOGS_GELF_UNKNOWN_VALUE', goQuote(value), goQuote(key));
  switch (key) {
    case 'gelf-compression-level': {
      if (protocol !== 'udp') throw gelfError('TSLOGS_GELF_UDP_ONLY');
      const level = atoi(value);
      if (level === undefined || level < -1 || level > 9) throw unknownValue();
      break;
    }
    case 'gelf-compression-type':
      if (protocol !== 'udp') throw gelfError('TSLOGS_GELF_UDP_ONLY');
      if (!COMPRESSIONS.includes(value)) throw unknownValue();
      break;
    case 'gelf-tcp-max-reconnect':
    case 'gelf-tcp-reconnect-delay': {
      if (protocol !== 'tcp') throw gelfError('TSLOGS_GELF_TCP_ONLY', goQuote(key));
      const n = atoi(value);
      if (n === undefined || n < 0) throw gelfError('TSLOGS_GELF_POSITIVE', goQuote(key));
      break;
    }
    default:
      throw gelfError('TSLOGS_GELF_UNKNOWN_OPTION', goQuote(key));
  }
}

/** Validates a container's gelf options; throws TslogsError with Docker's text. */
export function parseGelfOptions(config: Record<string, string>, context: SinkContext): GelfOptions {
  const given = opt(config, 'gelf-address');
  const addresses = forOption('gelf-address', () =>
    given === undefined || given === '' ? [parseGelfAddress(given)] : parseAddressList(given, GELF_LIST));
  const address = addresses[0]!;
  const balance = parseBalance('gelf-balance', opt(config, 'gelf-balance'));
  validateGelfKeys(config, address.protocol);
  // loggerutils.ParseLogTag: an empty tag is the default.
  const template = opt(config, 'tag') || DEFAULT_TAG_TEMPLATE;
  const tag = renderTag(compileTag(template), context.info, context.hostname);
  const attrs = compileExtraAttrs(config)(context.info);
  const int = (key: string, fallback: number): number => {
    const v = opt(config, key);
    return v === undefined ? fallback : parseGoInt(v);
  };
  return {
    address,
    addresses,
    balance,
    compression: (opt(config, 'gelf-compression-type') as GelfCompression | undefined) ?? DEFAULT_COMPRESSION,
    compressionLevel: int('gelf-compression-level', DEFAULT_LEVEL),
    maxReconnect: int('gelf-tcp-max-reconnect', DEFAULT_MAX_RECONNECT),
    // Go sleeps any int64 number of seconds; a JS timer holds at most 2^31-1 ms (24.8 days).
    reconnectDelayMs: Math.min(int('gelf-tcp-reconnect-delay', DEFAULT_RECONNECT_DELAY_S) * 1000, 2 ** 31 - 1),
    messages: { host: context.hostname, extra: gelfExtra(context.info, tag, attrs) },
  };
}
