import { defineErrors } from '../../errors.js';

/** The syslog sink's errors. */
export const syslogError = defineErrors({
  // Docker's syslog driver texts (Go %q values arrive quoted by goQuote)
  TSLOGS_SYSLOG_FACILITY: () => 'invalid syslog facility',
  TSLOGS_SYSLOG_FORMAT: () => 'Invalid syslog format',
  TSLOGS_SYSLOG_CA_READ: (quotedPath: string, detail: string) => `could not read CA certificate ${quotedPath}: ${detail}`,
  TSLOGS_SYSLOG_CA_APPEND: (quotedPath: string) => `failed to append certificates from PEM file: ${quotedPath}`,
  TSLOGS_SYSLOG_KEY_PAIR: (detail: string) => `Could not load X509 key pair: ${detail}`,
  TSLOGS_SYSLOG_DIAL: (network: string, addr: string, detail: string) =>
    addr === '' ? `dial ${network}: ${detail}` : `dial ${network} ${addr}: ${detail}`,
  TSLOGS_SYSLOG_IO: (op: string, connection: string, detail: string) => `${op} ${connection}: ${detail}`,
  TSLOGS_SYSLOG_CLOSED: (connection: string) => `${connection}: connection closed by the syslog server`,
  TSLOGS_SYSLOG_LOCAL: () => 'Unix syslog delivery error',
  TSLOGS_SYSLOG_UNIXGRAM_MODULE: (detail: string) => `unixgram sockets need the node-unix-socket package, which did not load: ${detail}`,
  TSLOGS_SYSLOG_SINK_CLOSED: () => 'syslog sink closed',
  TSLOGS_SYSLOG_REPLAY: (connection: string, messages: number, ms: number) =>
    `syslog: connection ${connection} was lost; re-sent the ${messages} messages written in the last ${ms} ms before it (the server may see some twice)`,
});
