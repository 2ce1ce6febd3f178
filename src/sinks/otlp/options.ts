// The OTLP/HTTP logs sink's options (tslogs' own: Docker has no OTLP driver), named
// after the OTLP exporter configuration (opentelemetry-specification,
// specification/protocol/exporter.md) and meaning what it says, each validated at
// container start with an error naming it:
//
//   otlp-endpoint        the base URL, as OTEL_EXPORTER_OTLP_ENDPOINT (not the per-signal
//                        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, used as-is): logs go to
//                        <endpoint>/v1/logs, a base path kept (http://c:4318/x → /x/v1/logs).
//                        Default http://localhost:4318 (with sinks=otlp).
//   otlp-headers         key=value,… request headers, values percent-decoded (a secret:
//                        never shown), as OTEL_EXPORTER_OTLP_HEADERS.
//   otlp-protocol        http/protobuf (default) or http/json; grpc is refused.
//   otlp-compression     gzip or none (default: the spec leaves none by default).
//   otlp-timeout         longest wait for each export request, default 10s.
//   otlp-tls-ca-file     the CA certificates that verify the collector, replacing the
//                        system roots (OTEL_EXPORTER_OTLP_CERTIFICATE; the collector's
//                        tls.ca_file); otlp-tls-cert-file, otlp-tls-key-file: the client
//                        pair for mTLS (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE/_CLIENT_KEY);
//                        otlp-tls-insecure-skip-verify. Each needs an https:// endpoint.
//   otlp-resource-attributes  key=value,… added to the resource, as OTEL_RESOURCE_ATTRIBUTES.
//   otlp-batch-size      log records per request (1–10000, default 1000).
//   otlp-max-in-flight   requests awaiting their answer at once (1–16, default 1: in order).

import { compileExtraAttrs } from '../../config/extra-attrs.js';
import { forOption } from '../../config/option-error.js';
import { parseGoBool } from '../../go/strconv.js';
import { Secret } from '../shared/secret.js';
import { readTlsFiles, type TlsFiles } from '../shared/tls-files.js';
import { positiveDurationMs } from '../shared/positive-duration.js';
import type { SinkContext } from '../sink.js';
import { otlpError } from './errors.js';
import { isKeyValueProblem, parseKeyValues } from './key-values.js';
import { type Attribute, containerResource } from './resource.js';

export const OTLP_KEYS: ReadonlySet<string> = new Set([
  'otlp-endpoint', 'otlp-headers', 'otlp-protocol', 'otlp-compression', 'otlp-timeout',
  'otlp-tls-ca-file', 'otlp-tls-cert-file', 'otlp-tls-key-file', 'otlp-tls-insecure-skip-verify',
  'otlp-resource-attributes', 'otlp-batch-size', 'otlp-max-in-flight',
]);

/** The spec's default endpoint and timeout. */
export const OTLP_DEFAULT_ENDPOINT = 'http://localhost:4318';
export const OTLP_DEFAULT_TIMEOUT_MS = 10_000;
export const OTLP_BATCH_SIZE_DEFAULT = 1000;
export const OTLP_BATCH_SIZE_LIMIT = 10_000;
export const OTLP_MAX_IN_FLIGHT_DEFAULT = 1;
export const OTLP_MAX_IN_FLIGHT_LIMIT = 16;

const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof PROTOCOLS)[number];

const TLS_KEYS = { ca: 'otlp-tls-ca-file', cert: 'otlp-tls-cert-file', key: 'otlp-tls-key-file' };
/** What the transport sets on every request; a header of the same name would corrupt it. */
const RESERVED_HEADERS = new Set(['content-type', 'content-encoding', 'content-length', 'transfer-encoding', 'connection', 'host']);
/** RFC 9110 token: a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface OtlpOptions {
  /** `http(s)://host:port`. */
  origin: string;
  /** The base path with `v1/logs` appended: `/v1/logs`, `/prefix/v1/logs`. */
  path: string;
  /** Header name → value; the values are secrets. */
  headers: Secret<Readonly<Record<string, string>>>;
  protocol: OtlpProtocol;
  gzip: boolean;
  timeoutMs: number;
  /** Set for an https:// endpoint: `ca` replaces the system roots when given. */
  tls: (TlsFiles & { rejectUnauthorized: boolean }) | undefined;
  maxBatchEntries: number;
  maxInFlight: number;
  resource: Attribute[];
}

/** An empty value is the same as none, as Docker's drivers read their options. */
function opt(config: Record<string, string>, key: string): string | undefined {
  const v = Object.hasOwn(config, key) ? config[key] : undefined;
  return v === '' ? undefined : v;
}

function parseEndpoint(value: string): { origin: string; path: string } {
  // WHATWG URL drops tabs and newlines silently and percent-encodes braces: a value that
  // holds them is a mistake, and echoing it would put the control characters in the log.
  if (/[\x00-\x1f\x7f]|\{\{/.test(value)) throw otlpError('TSLOGS_OTLP_ENDPOINT_CHARACTERS');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) throw otlpError('TSLOGS_OTLP_ENDPOINT_PARSE', value);
  if (scheme !== 'http' && scheme !== 'https') throw otlpError('TSLOGS_OTLP_ENDPOINT_SCHEME', `${scheme}://`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw otlpError('TSLOGS_OTLP_ENDPOINT_PARSE', value);
  }
  // Never echo userinfo: it is a password more often than not.
  if (url.username !== '' || url.password !== '') throw otlpError('TSLOGS_OTLP_ENDPOINT_CREDENTIALS', url.host);
  if (url.hostname === '') throw otlpError('TSLOGS_OTLP_ENDPOINT_PARSE', value);
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) throw otlpError('TSLOGS_OTLP_ENDPOINT_QUERY', value);
  // The spec's construction for the base endpoint: ensure one trailing slash, append v1/logs.
  const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  if (/\/v1\/logs\/$/.test(base)) throw otlpError('TSLOGS_OTLP_ENDPOINT_SIGNAL', value);
  return { origin: url.origin, path: `${base}v1/logs` };
}

/** otlp-headers; no text of an entry reaches an error but a name the sink reserves. */
function parseHeaders(text: string): Record<string, string> {
  const pairs = parseKeyValues(text);
  if (isKeyValueProblem(pairs)) throw otlpError('TSLOGS_OTLP_HEADER_ENTRY', pairs.entry, pairs.why);
  const headers: Record<string, string> = Object.create(null);
  pairs.forEach(({ key, value }, i) => {
    if (!HEADER_NAME.test(key)) throw otlpError('TSLOGS_OTLP_HEADER_ENTRY', i + 1, 'has a key that is not an HTTP header name');
    // CR or LF would end the header early; undici refuses them, mid-delivery.
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw otlpError('TSLOGS_OTLP_HEADER_ENTRY', i + 1, 'has a control character in its value');
    const name = key.toLowerCase();
    if (RESERVED_HEADERS.has(name)) throw otlpError('TSLOGS_OTLP_HEADER_RESERVED', key);
    headers[name] = value;
  });
  return headers;
}

function parseResourceAttributes(text: string): Attribute[] {
  const pairs = parseKeyValues(text);
  if (isKeyValueProblem(pairs)) throw otlpError('TSLOGS_OTLP_RESOURCE_ENTRY', pairs.text, pairs.why);
  return pairs;
}

function parseTimeout(text: string): number {
  return positiveDurationMs(text, () => otlpError('TSLOGS_OTLP_TIMEOUT', text));
}

function wholeNumber(config: Record<string, string>, key: string, fallback: number, limit: number, what: string): number {
  const text = opt(config, key);
  if (text === undefined) return fallback;
  const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= limit)) throw otlpError('TSLOGS_OTLP_WHOLE_NUMBER', key, text, limit, what);
  return n;
}

function parseTls(config: Record<string, string>, https: boolean): OtlpOptions['tls'] {
  const given = [...Object.values(TLS_KEYS), 'otlp-tls-insecure-skip-verify'].filter((k) => opt(config, k) !== undefined);
  if (!https) {
    if (given.length > 0) throw otlpError('TSLOGS_OTLP_TLS_NEEDS_HTTPS', given[0]!);
    return undefined;
  }
  const skipText = opt(config, 'otlp-tls-insecure-skip-verify');
  const skipVerify = skipText === undefined ? false : forOption('otlp-tls-insecure-skip-verify', () => parseGoBool(skipText));
  const files = readTlsFiles(TLS_KEYS, opt(config, TLS_KEYS.ca), opt(config, TLS_KEYS.cert), opt(config, TLS_KEYS.key));
  return { ...files, rejectUnauthorized: !skipVerify };
}

/** Validates a container's otlp options; throws TslogsError naming the option. */
export function parseOtlpOptions(config: Record<string, string>, context: SinkContext): OtlpOptions {
  const { origin, path } = parseEndpoint(opt(config, 'otlp-endpoint') ?? OTLP_DEFAULT_ENDPOINT);
  const headersText = opt(config, 'otlp-headers');
  const headers = headersText === undefined ? {} : parseHeaders(headersText);
  const protocol = opt(config, 'otlp-protocol') ?? 'http/protobuf';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw otlpError('TSLOGS_OTLP_PROTOCOL', protocol);
  const compression = opt(config, 'otlp-compression') ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') throw otlpError('TSLOGS_OTLP_COMPRESSION', compression);
  const timeoutText = opt(config, 'otlp-timeout');
  const resourceText = opt(config, 'otlp-resource-attributes');
  const given = resourceText === undefined ? [] : parseResourceAttributes(resourceText);
  return {
    origin,
    path,
    headers: new Secret(headers),
    protocol: protocol as OtlpProtocol,
    gzip: compression === 'gzip',
    timeoutMs: timeoutText === undefined ? OTLP_DEFAULT_TIMEOUT_MS : parseTimeout(timeoutText),
    tls: parseTls(config, origin.startsWith('https:')),
    maxBatchEntries: wholeNumber(config, 'otlp-batch-size', OTLP_BATCH_SIZE_DEFAULT, OTLP_BATCH_SIZE_LIMIT, 'log records per export request'),
    maxInFlight: wholeNumber(config, 'otlp-max-in-flight', OTLP_MAX_IN_FLIGHT_DEFAULT, OTLP_MAX_IN_FLIGHT_LIMIT, 'export requests awaiting their answer at once'),
    resource: containerResource(context.info, context.hostname, compileExtraAttrs(config)(context.info), given),
  };
}
