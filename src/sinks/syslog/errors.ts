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
  // the address parser (Docker's words; Go %q values arrive quoted by goQuote)
  TSLOGS_SYSLOG_ADDRESS: (value: string) => `syslog-address should be in form proto://address, got ${value}`,
  TSLOGS_SYSLOG_URL: (quotedUrl: string, detail: string) => `parse ${quotedUrl}: ${detail}`,
  // Go's net.AddrError text, e.g. `address a:b:514: too many colons in address`
  TSLOGS_SYSLOG_HOSTPORT: (detail: string) => detail,
  TSLOGS_SYSLOG_DIAL_ADDRESS: (network: string, detail: string) => `dial ${network}: ${detail}`,
});
