// Docker's splunk driver options (docs/docker-compat.md §12.1), validated in the order and with
// the messages of moby's splunk.New so that a bad value fails `docker run` with
// the text users know, plus tslogs' `splunk-ack`.

import { compileExtraAttrs } from '../../config/extra-attrs.js';
import { parseGoBool, parseGoInt32 } from '../../go/strconv.js';
import { parseGoDuration } from '../../go/duration.js';
import { parseGoUrlOr } from '../../go/url.js';
import { type Balance, parseAddressList, parseBalance } from '../shared/endpoint-list.js';
import { forOption } from '../../config/option-error.js';
import { compileTag, DEFAULT_TAG_TEMPLATE, renderTag } from '../../config/tag-template.js';
import { tslogsError } from '../../errors.js';
import type { Logger } from '../../util/log.js';
import { readCaCertificates } from '../shared/ca-file.js';
import { Secret } from '../shared/secret.js';
import type { SinkContext } from '../sink.js';
import { splunkError } from './errors.js';
import type { EventSettings, SplunkFormat } from './format.js';

/** The option names this sink owns (the shared tag/labels/env ones are the router's). */
export const SPLUNK_KEYS: ReadonlySet<string> = new Set([
  'splunk-url', 'splunk-token', 'splunk-source', 'splunk-sourcetype', 'splunk-index', 'splunk-capath',
  'splunk-caname', 'splunk-insecureskipverify', 'splunk-format', 'splunk-verify-connection', 'splunk-gzip',
  'splunk-gzip-level', 'splunk-index-acknowledgment', 'splunk-ack', 'splunk-max-in-flight', 'splunk-balance',
]);

/** splunk-max-in-flight's bounds: Docker's order (one request at a time) by default. */
export const SPLUNK_MAX_IN_FLIGHT_DEFAULT = 1;
export const SPLUNK_MAX_IN_FLIGHT_LIMIT = 16;

export interface SplunkOptions {
  /** `http(s)://host[:port]`; the path is always Docker's `/services/collector/event/1.0`. */
  origin: string;
  /** Every endpoint of splunk-url, in order (`origin` is the first); more than one with a comma-separated list. */
  origins: string[];
  /** splunk-balance, for a list. */
  balance: Balance;
  token: Secret;
  /** `ca` replaces the root CAs (splunk-capath); `servername` is splunk-caname. */
  tls: { ca: string[] | undefined; servername: string | undefined; rejectUnauthorized: boolean };
  events: EventSettings;
  gzip: boolean;
  /** -1 to 9; -1 is zlib's (and Go's) default, level 6. */
  gzipLevel: number;
  /** Only when `splunk-verify-connection` is explicitly true (Docker's default is true). */
  verifyConnection: boolean;
  /** Docker's splunk-index-acknowledgment: a fresh X-Splunk-Request-Channel per request, acks never polled. */
  indexAcknowledgment: boolean;
  /** splunk-ack: one channel per container and send() resolves only once Splunk confirms indexing. */
  ack: boolean;
  /**
   * splunk-max-in-flight: requests awaiting HEC's answer at once. Above 1, batches may
   * reach HEC out of order, and a refused batch is overtaken by the ones after it.
   */
  maxInFlight: number;
  /** SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY. */
  lingerMs: number;
  /** SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE. */
  maxBatchEntries: number;
  /** How long send() polls for indexing acknowledgement before failing retryably. */
  ackTimeoutMs: number;
}

// Twice Docker's 30 s request deadline: indexer acknowledgement waits for the
// indexer (and its replicas) to commit, which is slower than accepting the POST.
const DEFAULT_ACK_TIMEOUT_MS = 60_000;
const FORMATS: readonly string[] = ['inline', 'json', 'raw'] satisfies SplunkFormat[];

function opt(config: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(config, key) ? config[key] : undefined;
}

function optBool(config: Record<string, string>, key: string): boolean | undefined {
  const v = opt(config, key);
  return v === undefined ? undefined : forOption(key, () => parseGoBool(v));
}

/** splunk-max-in-flight: a whole number from 1 to the limit (tslogs' option, no Go parser behind it). */
function parseMaxInFlight(text: string): number {
  const n = /^[0-9]{1,2}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= SPLUNK_MAX_IN_FLIGHT_LIMIT)) throw splunkError('TSLOGS_SPLUNK_MAX_IN_FLIGHT', text, SPLUNK_MAX_IN_FLIGHT_LIMIT);
  return n;
}

/** Go accepts the URL (else one message), then Docker checks its shape (another). */
function parseUrl(value: string): string {
  const parts = parseGoUrlOr(value, () => {
    throw splunkError('TSLOGS_SPLUNK_URL_PARSE', value);
  });
  const shape = splunkError('TSLOGS_SPLUNK_URL_FORMAT');
  const ok = /^https?:\/\//.test(value) && (parts.path === '' || parts.path === '/');
  if (!ok || parts.rawQuery !== '' || parts.fragment !== '') throw shape;
  // Docker also accepts an empty or unusable host and then fails every request; refuse it now.
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw shape;
  }
  if (url.hostname === '') throw shape;
  return url.origin;
}

/** Docker's getAdvancedOptionInt/Duration: unset → default; invalid → logged, default. */
function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, log: Logger, duration: boolean): number {
  const v = env[name] ?? '';
  if (v === '') return fallback;
  const shown = duration ? `${fallback / 1000}s` : String(fallback);
  let n: number;
  try {
    n = duration ? parseGoDuration(v) : parseGoInt32(v);
  } catch (e) {
    const detail = (e as Error).message;
    log.warn(duration
      ? splunkError('TSLOGS_SPLUNK_ENV_DURATION', name, shown, detail).message
      : splunkError('TSLOGS_SPLUNK_ENV_INT', name, fallback, detail).message);
    return fallback;
  }
  return n;
}

/**
 * The tunables of Docker's daemon environment. Frequency and batch size shape the
 * router's batches; BUFFER_MAX and CHANNEL_SIZE only bound Docker's in-memory
 * queue, which the durable store replaces, so they are validated and reported
 * like Docker does but change nothing.
 */
export function splunkTunables(env: NodeJS.ProcessEnv, log: Logger): { lingerMs: number; maxBatchEntries: number } {
  let lingerMs = envNumber(env, 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY', 5000, log, true);
  let maxBatchEntries = envNumber(env, 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE', 1000, log, false);
  envNumber(env, 'SPLUNK_LOGGING_DRIVER_BUFFER_MAX', 10_000, log, false);
  envNumber(env, 'SPLUNK_LOGGING_DRIVER_CHANNEL_SIZE', 4000, log, false);
  // Docker panics on a non-positive ticker period and divides by a zero batch size.
  if (lingerMs <= 0) {
    log.warn(splunkError('TSLOGS_SPLUNK_ENV_POSITIVE', 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY',
      env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY!, '5s').message);
    lingerMs = 5000;
  }
  if (maxBatchEntries <= 0) {
    log.warn(splunkError('TSLOGS_SPLUNK_ENV_POSITIVE', 'SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE',
      env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE!, '1000').message);
    maxBatchEntries = 1000;
  }
  return { lingerMs, maxBatchEntries };
}

/** Validates a container's splunk options; throws TslogsError with Docker's text. */
export function parseSplunkOptions(
  config: Record<string, string>,
  context: SinkContext,
  env: NodeJS.ProcessEnv = process.env,
): SplunkOptions {
  const url = opt(config, 'splunk-url');
  if (url === undefined) throw splunkError('TSLOGS_SPLUNK_EXPECTED', 'splunk-url');
  // Each element of a list is checked as Docker checks the one URL it knows.
  const origins = parseAddressList(url, { key: 'splunk-url', parse: parseUrl, identity: (o) => o });
  const balance = parseBalance('splunk-balance', opt(config, 'splunk-balance'));
  const token = opt(config, 'splunk-token');
  if (token === undefined) throw splunkError('TSLOGS_SPLUNK_EXPECTED', 'splunk-token');
  // It goes in the Authorization header, where CR or LF makes every request fail; never shown.
  if (/[\x00-\x1f\x7f]/.test(token)) throw tslogsError('TSLOGS_OPTION_VALUE', 'splunk-token', 'contains a control character (such as CR or LF); the token is not shown');
  const insecure = optBool(config, 'splunk-insecureskipverify') ?? false;
  const capath = opt(config, 'splunk-capath');
  const ca = capath === undefined ? undefined : forOption('splunk-capath', () => readCaCertificates(capath));
  const servername = opt(config, 'splunk-caname');
  const gzip = optBool(config, 'splunk-gzip') ?? false;
  const levelText = opt(config, 'splunk-gzip-level');
  const gzipLevel = levelText === undefined ? -1 : forOption('splunk-gzip-level', () => parseGoInt32(levelText));
  if (gzipLevel < -1 || gzipLevel > 9) throw splunkError('TSLOGS_SPLUNK_GZIP_LEVEL', levelText!);
  const indexAcknowledgment = optBool(config, 'splunk-index-acknowledgment') ?? false;
  const ack = optBool(config, 'splunk-ack') ?? false;
  const inFlightText = opt(config, 'splunk-max-in-flight');
  const maxInFlight = inFlightText === undefined ? SPLUNK_MAX_IN_FLIGHT_DEFAULT : parseMaxInFlight(inFlightText);

  // Docker: an explicitly empty tag removes it; absent means {{.ID}}.
  const template = opt(config, 'tag');
  const tag = template === '' ? '' : renderTag(compileTag(template ?? DEFAULT_TAG_TEMPLATE), context.info, context.hostname);
  const attrs = compileExtraAttrs(config)(context.info);
  const { lingerMs, maxBatchEntries } = splunkTunables(env, context.log);
  const verifyConnection = optBool(config, 'splunk-verify-connection') ?? false;
  const format = opt(config, 'splunk-format') ?? 'inline';
  if (!FORMATS.includes(format)) throw tslogsError('TSLOGS_OPTION_NAMED', 'splunk-format', splunkError('TSLOGS_SPLUNK_FORMAT').message);

  return {
    origin: origins[0]!,
    origins,
    balance,
    token: new Secret(token),
    tls: { ca, servername, rejectUnauthorized: !insecure },
    events: {
      format: format as SplunkFormat,
      host: context.hostname,
      source: opt(config, 'splunk-source') ?? '',
      sourcetype: opt(config, 'splunk-sourcetype') ?? '',
      index: opt(config, 'splunk-index') ?? '',
      tag,
      attrs,
    },
    gzip,
    gzipLevel,
    verifyConnection,
    indexAcknowledgment,
    ack,
    maxInFlight,
    lingerMs,
    maxBatchEntries,
    ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
  };
}
