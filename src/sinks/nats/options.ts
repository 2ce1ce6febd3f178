// The NATS JetStream sink's options (tslogs' own: Docker has no NATS driver), each
// validated at container start with an error naming it:
//
//   nats-url             comma list of servers, nats://host[:port] or tls://host[:port]
//                        (default nats://127.0.0.1:4222); the client fails over among them
//                        and among the servers the cluster announces.
//   nats-subject         a tag template (Docker's `tag` syntax) rendered once per container,
//                        default docker.{{.ID}}; must give a literal subject.
//   nats-stream          the stream the operator created; every publish is sent with
//                        Nats-Expected-Stream, so a subject captured by another stream
//                        (or by none) is refused instead of stored elsewhere.
//   nats-creds           a user credentials file (JWT + NKEY seed), read at start.
//   nats-tls-ca-cert, nats-tls-cert, nats-tls-key, nats-tls-skip-verify
//                        TLS as Docker's syslog-tls-* options name it; any of them, or a
//                        tls:// server, makes TLS required.
//   nats-timeout         connect timeout and longest wait for each publish
//                        acknowledgement (default 5s, the client's).
//   nats-max-in-flight   batches awaiting acknowledgements at once (1–16, default 4);
//                        the messages of one batch are always published together.

import { compileExtraAttrs } from '../../config/extra-attrs.js';
import { forOption } from '../../config/option-error.js';
import { compileTag, renderTag } from '../../config/tag-template.js';
import { parseGoBool } from '../../go/strconv.js';
import { positiveDurationMs } from '../shared/positive-duration.js';
import type { SinkContext } from '../sink.js';
import { NATS_DEFAULT_URL, parseNatsUrl, type NatsServer } from './address.js';
import { natsError } from './errors.js';
import { type Credentials, readCredentials } from './files.js';
import { readTlsFiles } from '../shared/tls-files.js';
import type { MessageSettings } from './format.js';

/** The option names this sink owns (the shared tag/labels/env ones are the router's). */
export const NATS_KEYS: ReadonlySet<string> = new Set([
  'nats-url', 'nats-subject', 'nats-stream', 'nats-creds',
  'nats-tls-ca-cert', 'nats-tls-cert', 'nats-tls-key', 'nats-tls-skip-verify',
  'nats-timeout', 'nats-max-in-flight',
]);

const NATS_TLS_KEYS = { ca: 'nats-tls-ca-cert', cert: 'nats-tls-cert', key: 'nats-tls-key' };

export const NATS_DEFAULT_SUBJECT = 'docker.{{.ID}}';
export const NATS_DEFAULT_TIMEOUT_MS = 5000;
export const NATS_MAX_IN_FLIGHT_DEFAULT = 4;
export const NATS_MAX_IN_FLIGHT_LIMIT = 16;
/** The server's max_control_line (4 KiB) holds the subject and the reply inbox. */
const MAX_SUBJECT_BYTES = 2048;

export interface NatsOptions {
  servers: NatsServer[];
  subject: string;
  /** nats-stream: the stream every acknowledgement must come from. */
  stream: string | undefined;
  /** nats-creds, read at start. */
  credentials: Credentials | undefined;
  /** Set when TLS is required (a tls:// server or any nats-tls-* option). */
  tls: { ca: string[] | undefined; cert: string | undefined; key: string | undefined; rejectUnauthorized: boolean } | undefined;
  timeoutMs: number;
  maxInFlight: number;
  messages: MessageSettings;
}

/** An empty value is the same as none, as Docker's drivers read their options. */
function opt(config: Record<string, string>, key: string): string | undefined {
  const v = Object.hasOwn(config, key) ? config[key] : undefined;
  return v === '' ? undefined : v;
}

/** Why `subject` cannot be published to, or undefined when it can. */
function subjectProblem(subject: string): string | undefined {
  if (subject === '') return 'it is empty';
  if (Buffer.byteLength(subject) > MAX_SUBJECT_BYTES) return `it is longer than ${MAX_SUBJECT_BYTES} bytes`;
  if (/[\s\x00-\x1f\x7f]/.test(subject)) return 'it contains white space or a control character';
  const tokens = subject.split('.');
  if (tokens.includes('')) return "it has an empty token (a leading, trailing or doubled '.')";
  if (tokens.some((t) => t === '*' || t === '>')) return "it has a wildcard token ('*' or '>'); messages go to a literal subject";
  return undefined;
}

function parseSubject(template: string, context: SinkContext): string {
  const subject = forOption('nats-subject', () => renderTag(compileTag(template), context.info, context.hostname));
  const problem = subjectProblem(subject);
  if (problem !== undefined) throw natsError('TSLOGS_NATS_SUBJECT', subject, problem);
  return subject;
}

function parseStream(name: string): string {
  if (/[\s\x00-\x1f\x7f.*>/\\]/.test(name) || Buffer.byteLength(name) > 255) throw natsError('TSLOGS_NATS_STREAM', name);
  return name;
}

function parseTimeout(text: string): number {
  return positiveDurationMs(text, () => natsError('TSLOGS_NATS_TIMEOUT', text));
}

function parseMaxInFlight(text: string): number {
  const n = /^[0-9]{1,2}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= NATS_MAX_IN_FLIGHT_LIMIT)) throw natsError('TSLOGS_NATS_MAX_IN_FLIGHT', text, NATS_MAX_IN_FLIGHT_LIMIT);
  return n;
}

/** Validates a container's nats options; throws TslogsError naming the option. */
export function parseNatsOptions(config: Record<string, string>, context: SinkContext): NatsOptions {
  const servers = parseNatsUrl(opt(config, 'nats-url') ?? NATS_DEFAULT_URL);
  const subject = parseSubject(opt(config, 'nats-subject') ?? NATS_DEFAULT_SUBJECT, context);
  const streamText = opt(config, 'nats-stream');
  const stream = streamText === undefined ? undefined : parseStream(streamText);
  const credsFile = opt(config, 'nats-creds');
  const credentials = credsFile === undefined ? undefined : readCredentials(credsFile);
  const skipText = opt(config, 'nats-tls-skip-verify');
  const skipVerify = skipText === undefined ? false : forOption('nats-tls-skip-verify', () => parseGoBool(skipText));
  const files = readTlsFiles(NATS_TLS_KEYS, opt(config, 'nats-tls-ca-cert'), opt(config, 'nats-tls-cert'), opt(config, 'nats-tls-key'));
  const tlsWanted = servers.some((s) => s.tls) || skipText !== undefined || files.ca !== undefined || files.cert !== undefined;
  const timeoutText = opt(config, 'nats-timeout');
  const timeoutMs = timeoutText === undefined ? NATS_DEFAULT_TIMEOUT_MS : parseTimeout(timeoutText);
  const inFlightText = opt(config, 'nats-max-in-flight');
  const maxInFlight = inFlightText === undefined ? NATS_MAX_IN_FLIGHT_DEFAULT : parseMaxInFlight(inFlightText);
  const tagTemplate = opt(config, 'tag');
  const tag = tagTemplate === undefined ? undefined : renderTag(compileTag(tagTemplate), context.info, context.hostname);
  const attrs = compileExtraAttrs(config)(context.info);
  return {
    servers,
    subject,
    stream,
    credentials,
    tls: tlsWanted ? { ...files, rejectUnauthorized: !skipVerify } : undefined,
    timeoutMs,
    maxInFlight,
    messages: {
      containerId: context.info.ContainerID,
      containerName: context.info.ContainerName,
      imageName: context.info.ContainerImageName,
      host: context.hostname,
      tag,
      attrs,
    },
  };
}
