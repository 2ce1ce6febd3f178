import { defineErrors } from '../../errors.js';

/** The NATS sink's errors; credentials and file contents never appear in them. */
export const natsError = defineErrors({
  // nats-url
  TSLOGS_NATS_URL_CHARACTERS: () =>
    "log opt 'nats-url': the list holds a control character (tab, newline, NUL...), which a URL parser would drop silently; give the servers as plain text (the value is not shown)",
  TSLOGS_NATS_URL_EMPTY: () => "log opt 'nats-url': an empty server in the list (servers are separated by commas)",
  TSLOGS_NATS_URL_PARSE: (server: string) =>
    `log opt 'nats-url': cannot parse '${server}' (expected nats://host[:port] or tls://host[:port], port 4222 by default)`,
  TSLOGS_NATS_URL_SCHEME: (scheme: string) => `log opt 'nats-url': unsupported scheme '${scheme}://' (use nats:// or tls://)`,
  TSLOGS_NATS_URL_CREDENTIALS: (host: string) =>
    `log opt 'nats-url': the server ${host} carries a user or password; put credentials in a file named by nats-creds (the value is not shown)`,
  TSLOGS_NATS_URL_PATH: (server: string) => `log opt 'nats-url': '${server}' has a path, query or fragment; a NATS server is host[:port]`,
  // nats-subject, nats-stream
  TSLOGS_NATS_SUBJECT: (subject: string, why: string) =>
    `log opt 'nats-subject': the rendered subject '${subject}' is not a NATS subject to publish to: ${why}`,
  TSLOGS_NATS_STREAM: (name: string) =>
    `log opt 'nats-stream': '${name}' is not a JetStream stream name (no spaces, '.', '*', '>', '/', '\\' or control characters)`,
  // nats-creds
  TSLOGS_NATS_CREDS: (file: string) =>
    `log opt 'nats-creds': ${file} is not a NATS credentials file (expected a user JWT block followed by a user NKEY seed block, as 'nsc generate creds' writes)`,
  // numbers
  TSLOGS_NATS_TIMEOUT: (value: string) => `log opt 'nats-timeout': '${value}' must be a positive Go duration such as 5s or 500ms`,
  TSLOGS_NATS_MAX_IN_FLIGHT: (value: string, limit: number) =>
    `log opt 'nats-max-in-flight': '${value}' is not a whole number from 1 to ${limit} (batches awaiting JetStream's acknowledgements at once)`,
  // delivery
  TSLOGS_NATS_CONNECT: (servers: string, detail: string) => `nats: cannot connect to ${servers}: ${detail}`,
  TSLOGS_NATS_DISCONNECTED: (servers: string) =>
    `nats: disconnected from ${servers}, reconnecting; batches wait in the store until a server answers`,
  TSLOGS_NATS_RECONNECTED: (server: string) => `nats: reconnected to ${server}`,
  TSLOGS_NATS_NO_STREAM: (subject: string) =>
    `nats: no JetStream stream answered on subject '${subject}' (no stream captures it, or its leader is being elected); the batch will be sent again`,
  TSLOGS_NATS_ACK_TIMEOUT: (count: number, ms: number) =>
    `nats: ${count} message(s) not acknowledged by JetStream within ${ms} ms (nats-timeout); the batch will be sent again`,
  TSLOGS_NATS_API: (detail: string, code: number) => `nats: JetStream refused the message: ${detail} (error code ${code}); the batch will be sent again`,
  TSLOGS_NATS_PUBLISH: (detail: string) => `nats: publish failed: ${detail}; the batch will be sent again`,
  TSLOGS_NATS_TOO_LARGE: (count: number, detail: string) =>
    `nats: ${count} message(s) dropped: the stream refuses them for their size (${detail}); raise the stream's max_msg_size or lower partial-max-size`,
  TSLOGS_NATS_CUT: (bytes: number, maxPayload: number) =>
    `nats: a line was cut to ${bytes} bytes to fit the server's max_payload of ${maxPayload} bytes (further cuts are logged at debug)`,
  TSLOGS_NATS_CLOSED: () => 'nats sink closed',
});
