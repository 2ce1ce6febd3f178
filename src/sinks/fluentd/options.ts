// Docker's fluentd driver options (docs/docker-compat.md §11.1), validated in the order and with
// the messages of Docker 20.10's parseConfig and New, with the defaults
// fluent-logger-golang v1.8.0 applies to zero values; the two timeouts of newer
// engines; and tslogs' TLS settings.
//
// How each option maps onto the router (the durable store is the buffer):
//   fluentd-address        one endpoint or a comma-separated list tried in order on
//                          every (re)connection: failover.
//   fluentd-async(-connect) the container never waits for fluentd in tslogs (ingest
//                          writes to the store, delivery is separate). Explicitly
//                          false = Docker's synchronous connect: StartLogging fails
//                          when no endpoint accepts a connection.
//   fluentd-buffer-limit   Docker's in-memory queue length. No queue exists here; it
//                          bounds the messages held in memory per batch instead
//                          (at most 1000); the rest waits in the store, never dropped.
//   fluentd-retry-wait,    Docker's reconnection series: the n-th consecutive failed
//   fluentd-max-retries    connection is followed by retry-wait × int(1.5^(n−2)),
//                          at most 60 s, before the next dial; after max-retries
//                          failures Docker drops the message and starts a new series
//                          with the next one; tslogs reports Docker's error, keeps
//                          the message and starts a new series. The router's own
//                          backoff (sink-retry-min/max) runs between attempts too and
//                          counts toward the wait: the longer of the two applies.
//   fluentd-request-ack    every message carries a chunk id and a batch counts as sent
//                          (the router moves its checkpoint) only once every ack came;
//                          without it, once the bytes are written to the socket.
//   fluentd-sub-second-precision  EventTime instead of integer seconds, as Docker.
//   fluentd-write-timeout, (newer engines) deadlines for a write and for the next ack;
//   fluentd-read-timeout   30 s by default here (Docker: none), 0 for none.

import { compileExtraAttrs } from '../../config/extra-attrs.js';
import { parseGoBool, parseGoUint } from '../../go/strconv.js';
import { parseGoDuration } from '../../go/duration.js';
import { parseBinarySize } from '../../go/size.js';
import { forOption } from '../../config/option-error.js';
import { compileTag, DEFAULT_TAG_TEMPLATE, renderTag } from '../../config/tag-template.js';
import { TslogsError, tslogsError } from '../../errors.js';
import { readCaCertificates } from '../shared/ca-file.js';
import type { SinkContext } from '../sink.js';
import { parseFluentdAddress, type FluentdEndpoint } from './address.js';
import { fluentdError } from './errors.js';
import type { RecordSettings } from './format.js';

/** The option names this sink owns (the shared tag/labels/env ones are the router's). */
export const FLUENTD_KEYS: ReadonlySet<string> = new Set([
  // Docker 20.10
  'fluentd-address', 'fluentd-async', 'fluentd-async-connect', 'fluentd-buffer-limit', 'fluentd-retry-wait',
  'fluentd-max-retries', 'fluentd-sub-second-precision', 'fluentd-request-ack',
  // newer engines
  'fluentd-write-timeout', 'fluentd-read-timeout',
  // tslogs
  'fluentd-tls-ca', 'fluentd-tls-servername', 'fluentd-tls-insecure-skip-verify',
]);

export interface FluentdOptions {
  /** Tried in order on every connection. */
  endpoints: FluentdEndpoint[];
  /** For `tls://` endpoints. `ca` replaces the system roots (fluentd-tls-ca). */
  tls: { ca: string[] | undefined; servername: string | undefined; rejectUnauthorized: boolean };
  records: RecordSettings;
  requestAck: boolean;
  /** Explicit fluentd-async=false: StartLogging waits for a connection, as Docker's synchronous mode. */
  connectBeforeStart: boolean;
  /** Messages per batch: min(fluentd-buffer-limit, 1000). */
  maxBatchEntries: number;
  /** Docker's RetryWait in ms (as the library uses it: 0 becomes 500); never negative. */
  retryWaitMs: number;
  /** Docker's MaxRetry (0 becomes 13); Infinity where Docker's int would be ≥ 2^31−1 or wrap. */
  maxRetries: number;
  /** Per write; 0: none. */
  writeTimeoutMs: number;
  /** Longest wait for the next ack; 0: none. */
  readTimeoutMs: number;
  /** Docker quirks that change where logs go, reported once at start. */
  warnings: string[];
}

// Docker 20.10 defaults (fluentd.go) and fluent-logger-golang v1.8.0's for zero values.
const DOCKER_BUFFER_LIMIT = 1024 * 1024;
const DOCKER_RETRY_WAIT_MS = 1000;
const DOCKER_MAX_RETRIES = 2 ** 31 - 1;
const LIBRARY_BUFFER_LIMIT = 8 * 1024;
const LIBRARY_RETRY_WAIT_MS = 500;
const LIBRARY_MAX_RETRIES = 13;
/** Largest batch: what the router reads ahead of the receiver. */
export const FLUENTD_MAX_BATCH = 1000;
/**
 * Docker 20.10 writes and waits for acks without a deadline, so a receiver that
 * stops reading or answering blocks it forever. tslogs gives up after this long,
 * reconnects and sends the batch again (at least once); `0` restores Docker's wait.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Docker tests `cfg[key] != ""`: an empty value is the same as none. */
function opt(config: Record<string, string>, key: string): string | undefined {
  const v = Object.hasOwn(config, key) ? config[key] : undefined;
  return v === '' ? undefined : v;
}

/** int(d.Seconds() * 1000), as Docker converts fluentd-retry-wait. */
function goMilliseconds(ms: number): number {
  const ns = Math.round(ms * 1e6);
  const sec = Math.trunc(ns / 1e9);
  const seconds = sec + (ns - sec * 1e9) / 1e9;
  return Math.trunc(seconds * 1000);
}

/** strconv.ParseUint(v, 10, 64) then int(); values past Number's exact range are unlimited. */
function parseMaxRetries(value: string): number {
  let n: number;
  try {
    n = parseGoUint(value);
  } catch (e) {
    // parseGoUint stops at 2^53; Go accepts up to 2^64−1. Any such count never runs out.
    if (e instanceof TslogsError && e.code === 'TSLOGS_PARSE_UINT_RANGE' && /^\d+$/.test(value) && BigInt(value) < 2n ** 64n) return Infinity;
    throw e;
  }
  if (n === 0) return LIBRARY_MAX_RETRIES;
  return n >= DOCKER_MAX_RETRIES ? Infinity : n;
}

/** The newer engines' fluentd-write-timeout / fluentd-read-timeout. */
function parseTimeout(config: Record<string, string>, key: string): number {
  const v = opt(config, key);
  if (v === undefined) return DEFAULT_TIMEOUT_MS;
  let ms: number;
  try {
    ms = parseGoDuration(v);
  } catch (e) {
    if (e instanceof TslogsError) throw fluentdError('TSLOGS_FLUENTD_TIMEOUT', key, e.message);
    throw e;
  }
  if (ms < 0) throw fluentdError('TSLOGS_FLUENTD_TIMEOUT_NEGATIVE', key);
  return ms;
}

/** The PEM certificates of fluentd-tls-ca; at least one must parse. */
function readCa(file: string): string[] {
  const certs = readCaCertificates(file);
  if (certs.length === 0) throw tslogsError('TSLOGS_OPTION_VALUE', 'fluentd-tls-ca', `no PEM certificate in ${file}`);
  return certs;
}

/** Validates a container's fluentd options; throws TslogsError with Docker's text. */
export function parseFluentdOptions(config: Record<string, string>, context: SinkContext): FluentdOptions {
  // Docker's parseConfig, in its order; each error names its option.
  const named = <T>(key: string, parse: (value: string) => T): T | undefined => {
    const value = opt(config, key);
    return value === undefined ? undefined : forOption(key, () => parse(value));
  };
  const address = opt(config, 'fluentd-address');
  const { endpoints, warnings } = forOption('fluentd-address', () => parseFluentdAddress(address));
  let bufferLimit = named('fluentd-buffer-limit', parseBinarySize) ?? DOCKER_BUFFER_LIMIT;
  if (bufferLimit === 0) bufferLimit = LIBRARY_BUFFER_LIMIT;
  const waitText = opt(config, 'fluentd-retry-wait');
  const wait = named('fluentd-retry-wait', parseGoDuration);
  // Docker takes a negative wait and reconnects without pausing, for ever.
  if (wait !== undefined && wait < 0) throw tslogsError('TSLOGS_OPTION_VALUE', 'fluentd-retry-wait', `must not be negative, got '${waitText}'`);
  let retryWaitMs = wait === undefined ? DOCKER_RETRY_WAIT_MS : goMilliseconds(wait);
  if (retryWaitMs === 0) retryWaitMs = LIBRARY_RETRY_WAIT_MS;
  const maxRetries = named('fluentd-max-retries', parseMaxRetries) ?? Infinity;
  if (opt(config, 'fluentd-async') !== undefined && opt(config, 'fluentd-async-connect') !== undefined) throw fluentdError('TSLOGS_FLUENTD_ASYNC_CONFLICT');
  const async = named('fluentd-async', parseGoBool);
  const asyncConnect = named('fluentd-async-connect', parseGoBool);
  const subSecondPrecision = named('fluentd-sub-second-precision', parseGoBool) ?? false;
  const requestAck = named('fluentd-request-ack', parseGoBool) ?? false;
  // Newer engines, after the 20.10 options as there.
  const writeTimeoutMs = parseTimeout(config, 'fluentd-write-timeout');
  const readTimeoutMs = parseTimeout(config, 'fluentd-read-timeout');
  // Docker's New: the tag, then the extra attributes.
  const tag = renderTag(compileTag(opt(config, 'tag') ?? DEFAULT_TAG_TEMPLATE), context.info, context.hostname);
  const extra = compileExtraAttrs(config)(context.info);
  // tslogs' TLS settings.
  const caPath = opt(config, 'fluentd-tls-ca');
  const servername = opt(config, 'fluentd-tls-servername');
  const insecureText = opt(config, 'fluentd-tls-insecure-skip-verify');
  const insecure = named('fluentd-tls-insecure-skip-verify', parseGoBool) ?? false;
  const tlsKey = caPath !== undefined ? 'fluentd-tls-ca' : servername !== undefined ? 'fluentd-tls-servername' : insecureText !== undefined ? 'fluentd-tls-insecure-skip-verify' : undefined;
  if (tlsKey !== undefined && !endpoints.some((e) => e.network === 'tls')) {
    throw tslogsError('TSLOGS_OPTION_VALUE', tlsKey, 'fluentd-address has no tls:// address');
  }
  const ca = named('fluentd-tls-ca', readCa);

  return {
    endpoints,
    tls: { ca, servername, rejectUnauthorized: !insecure },
    records: {
      tag,
      containerId: context.info.ContainerID,
      containerName: context.info.ContainerName,
      extra,
      subSecondPrecision,
    },
    requestAck,
    connectBeforeStart: async === false || asyncConnect === false,
    maxBatchEntries: bufferLimit > 0 ? Math.min(bufferLimit, FLUENTD_MAX_BATCH) : FLUENTD_MAX_BATCH,
    retryWaitMs,
    maxRetries,
    writeTimeoutMs,
    readTimeoutMs,
    warnings,
  };
}
