// The Loki sink's options: the names, defaults and meaning of Grafana's Loki Docker
// driver (grafana/loki clients/cmd/docker-driver/config.go and the promtail client
// defaults of clients/pkg/util/config.go), so that its users can switch:
//
//   loki-url              the push URL, used as given (normally …/loki/api/v1/push);
//                         user:password@ in it is sent as basic auth and never shown.
//   loki-tenant-id        X-Scope-OrgID on every push (never shown).
//   loki-external-labels  name=value,… with templates (default container_name={{.Name}}):
//                         labels.ts, with labels, env and the driver's automatic labels.
//   loki-batch-size       bytes of lines per push (default 1 MiB, as the driver's 1048576).
//   loki-batch-wait       how long a batch that is not full waits for more (default 1s).
//   loki-timeout          longest wait for a push's answer (default 10s).
//   loki-min-backoff, loki-max-backoff  this sink's retry backoff; unset, the router's
//                         sink-retry-min/sink-retry-max apply (README: Loki).
//   loki-retries          pushes of one batch after which the driver drops it: tslogs warns
//                         then and goes on retrying (it never drops lines a retry can save).
//   loki-tls-ca-file, loki-tls-cert-file, loki-tls-key-file, loki-tls-server-name,
//   loki-tls-insecure-skip-verify  TLS to an https:// loki-url.
//
// The driver's loki-pipeline-stages, loki-pipeline-stage-file, loki-relabel-config,
// loki-proxy-url, no-file and keep-file are refused with the reason (UNSUPPORTED).

import { forOption } from '../../config/option-error.js';
import { parseGoBool } from '../../go/strconv.js';
import { positiveDurationMs } from '../shared/positive-duration.js';
import { Secret } from '../shared/secret.js';
import { readTlsFiles, type TlsFiles } from '../shared/tls-files.js';
import type { SinkContext } from '../sink.js';
import { lokiError } from './errors.js';
import { containerLabels, type LabelSet } from './labels.js';

/** Options of the Loki driver tslogs refuses, and why (each error says it). */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  'loki-pipeline-stages': 'tslogs has no promtail pipeline; its own transforms (multiline, redact, rate-limit) run in the router',
  'loki-pipeline-stage-file': 'tslogs has no promtail pipeline; its own transforms (multiline, redact, rate-limit) run in the router',
  'loki-relabel-config': 'tslogs does not run Prometheus relabelling; choose the labels with loki-external-labels, labels and env',
  'loki-proxy-url': 'tslogs sends to loki-url directly and has no HTTP proxy support',
  'no-file': 'tslogs always keeps its json-file store: the router delivers from it and docker logs reads it (bound it with max-size and max-file)',
  'keep-file': "the store's lifetime is tslogs' own (it goes with the container, as json-file's), not the Loki driver's",
};

export const LOKI_KEYS: ReadonlySet<string> = new Set([
  'loki-url', 'loki-tenant-id', 'loki-external-labels', 'loki-batch-size', 'loki-batch-wait', 'loki-timeout',
  'loki-min-backoff', 'loki-max-backoff', 'loki-retries',
  'loki-tls-ca-file', 'loki-tls-cert-file', 'loki-tls-key-file', 'loki-tls-server-name', 'loki-tls-insecure-skip-verify',
  ...Object.keys(UNSUPPORTED),
]);

/** The promtail client's defaults, which the driver starts from. */
export const LOKI_BATCH_SIZE_DEFAULT = 1024 * 1024;
export const LOKI_BATCH_SIZE_LIMIT = 64 * 1024 * 1024;
export const LOKI_BATCH_WAIT_DEFAULT_MS = 1000;
export const LOKI_TIMEOUT_DEFAULT_MS = 10_000;
export const LOKI_RETRIES_DEFAULT = 10;
export const LOKI_RETRIES_LIMIT = 1_000_000;

const TLS_KEYS = { ca: 'loki-tls-ca-file', cert: 'loki-tls-cert-file', key: 'loki-tls-key-file' };

export interface LokiOptions {
  /** `http(s)://host:port`. */
  origin: string;
  /** Path and query, as given. */
  path: string;
  /** The URL without its userinfo: what messages show. */
  shownUrl: string;
  /** `Basic …` from the URL's userinfo, or undefined. */
  authorization: Secret<string | undefined>;
  tenantId: Secret<string | undefined>;
  labels: LabelSet;
  maxBatchBytes: number;
  lingerMs: number;
  timeoutMs: number;
  retryMinMs: number | undefined;
  retryMaxMs: number | undefined;
  retries: number;
  /** Set for an https:// URL: `ca` replaces the system roots when given. */
  tls: (TlsFiles & { rejectUnauthorized: boolean; servername: string | undefined }) | undefined;
}

/** An empty value is the same as none, as Docker's drivers read their options. */
function opt(config: Record<string, string>, key: string): string | undefined {
  const v = Object.hasOwn(config, key) ? config[key] : undefined;
  return v === '' ? undefined : v;
}

/** The URL with its userinfo replaced, for messages. */
export function withoutUserinfo(value: string): string {
  return value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1<redacted>@');
}

interface ParsedUrl {
  origin: string;
  path: string;
  shownUrl: string;
  authorization: string | undefined;
}

function parseUrl(value: string): ParsedUrl {
  // WHATWG URL drops tabs and newlines silently: a value that holds them is a mistake,
  // and echoing it would put control characters (and maybe a password) in the log.
  if (/[\x00-\x20\x7f]|\{\{/.test(value)) throw lokiError('TSLOGS_LOKI_URL_CHARACTERS');
  const shown = withoutUserinfo(value);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) throw lokiError('TSLOGS_LOKI_URL_PARSE', shown);
  if (scheme !== 'http' && scheme !== 'https') throw lokiError('TSLOGS_LOKI_URL_SCHEME', `${scheme}://`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw lokiError('TSLOGS_LOKI_URL_PARSE', shown);
  }
  if (url.hostname === '') throw lokiError('TSLOGS_LOKI_URL_PARSE', shown);
  if (url.hash !== '' || value.includes('#')) throw lokiError('TSLOGS_LOKI_URL_FRAGMENT', shown);
  let authorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    // Go's url.User holds the decoded name and password, which net/http sends as basic auth.
    let user: string;
    let password: string;
    try {
      user = decodeURIComponent(url.username);
      password = decodeURIComponent(url.password);
    } catch {
      throw lokiError('TSLOGS_LOKI_URL_PARSE', shown);
    }
    authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }
  const path = `${url.pathname}${url.search}`;
  return { origin: url.origin, path, shownUrl: `${url.origin}${path}`, authorization };
}

function duration(config: Record<string, string>, key: string): number | undefined {
  const text = opt(config, key);
  return text === undefined ? undefined : positiveDurationMs(text, () => lokiError('TSLOGS_LOKI_DURATION', key, text));
}

function wholeNumber(config: Record<string, string>, key: string, fallback: number, min: number, max: number, what: string): number {
  const text = opt(config, key);
  if (text === undefined) return fallback;
  const n = /^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw lokiError('TSLOGS_LOKI_WHOLE_NUMBER', key, text, min, max, what);
  return n;
}

function parseTenant(config: Record<string, string>): string | undefined {
  const tenant = opt(config, 'loki-tenant-id');
  // A header value: CR or LF would end it early (undici refuses them mid-delivery), and
  // anything past Latin-1 has no header form.
  if (tenant !== undefined && /[^\x21-\x7e\x80-\xff ]|^ | $/.test(tenant)) throw lokiError('TSLOGS_LOKI_TENANT');
  return tenant;
}

function parseTls(config: Record<string, string>, https: boolean): LokiOptions['tls'] {
  const ca = opt(config, TLS_KEYS.ca);
  const cert = opt(config, TLS_KEYS.cert);
  const key = opt(config, TLS_KEYS.key);
  const servername = opt(config, 'loki-tls-server-name');
  const skipText = opt(config, 'loki-tls-insecure-skip-verify');
  const skip = skipText === undefined ? false : forOption('loki-tls-insecure-skip-verify', () => parseGoBool(skipText));
  if (servername !== undefined && !/^[A-Za-z0-9._:[\]-]+$/.test(servername)) throw lokiError('TSLOGS_LOKI_SERVER_NAME');
  if (!https) {
    const given = [TLS_KEYS.ca, TLS_KEYS.cert, TLS_KEYS.key, 'loki-tls-server-name'].find((k) => opt(config, k) !== undefined);
    if (given !== undefined) throw lokiError('TSLOGS_LOKI_TLS_NEEDS_HTTPS', given);
    if (skip) throw lokiError('TSLOGS_LOKI_TLS_NEEDS_HTTPS', 'loki-tls-insecure-skip-verify');
    return undefined;
  }
  return { ...readTlsFiles(TLS_KEYS, ca, cert, key), rejectUnauthorized: !skip, servername };
}

/** Validates a container's Loki options; throws TslogsError naming the option. */
export function parseLokiOptions(config: Record<string, string>, context: SinkContext): LokiOptions {
  for (const [key, why] of Object.entries(UNSUPPORTED)) if (opt(config, key) !== undefined) throw lokiError('TSLOGS_LOKI_UNSUPPORTED', key, why);
  const url = opt(config, 'loki-url');
  // Enabled by sinks=loki alone: the driver has no default URL either.
  if (url === undefined) throw lokiError('TSLOGS_LOKI_URL_REQUIRED');
  const { origin, path, shownUrl, authorization } = parseUrl(url);
  const retryMinMs = duration(config, 'loki-min-backoff');
  const retryMaxMs = duration(config, 'loki-max-backoff');
  if (retryMinMs !== undefined && retryMaxMs !== undefined && retryMaxMs < retryMinMs) {
    throw lokiError('TSLOGS_LOKI_BACKOFF_ORDER', config['loki-min-backoff']!, config['loki-max-backoff']!);
  }
  return {
    origin,
    path,
    shownUrl,
    authorization: new Secret(authorization, 'Authorization'),
    tenantId: new Secret(parseTenant(config), 'TenantId'),
    labels: containerLabels(config, context.info, context.hostname),
    maxBatchBytes: wholeNumber(config, 'loki-batch-size', LOKI_BATCH_SIZE_DEFAULT, 1, LOKI_BATCH_SIZE_LIMIT, 'bytes of log lines per push'),
    lingerMs: duration(config, 'loki-batch-wait') ?? LOKI_BATCH_WAIT_DEFAULT_MS,
    timeoutMs: duration(config, 'loki-timeout') ?? LOKI_TIMEOUT_DEFAULT_MS,
    retryMinMs,
    retryMaxMs,
    retries: wholeNumber(config, 'loki-retries', LOKI_RETRIES_DEFAULT, 0, LOKI_RETRIES_LIMIT, 'failed pushes of one batch before tslogs warns that the Loki driver would drop it'),
    tls: parseTls(config, origin.startsWith('https:')),
  };
}
