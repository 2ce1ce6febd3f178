import { defineErrors } from '../../errors.js';

/** The gelf sink's errors. */
export const gelfError = defineErrors({
  // Docker's gelf driver texts (Go %q values arrive quoted by goQuote)
  TSLOGS_GELF_UNKNOWN_OPTION: (quotedKey: string) => `unknown log opt ${quotedKey} for gelf log driver`,
  TSLOGS_GELF_UNKNOWN_VALUE: (quotedValue: string, quotedKey: string) =>
    `unknown value ${quotedValue} for log opt ${quotedKey} for gelf log driver`,
  TSLOGS_GELF_UDP_ONLY: () => 'compression is only supported on UDP',
  TSLOGS_GELF_TCP_ONLY: (quotedKey: string) => `${quotedKey} is only valid for TCP`,
  TSLOGS_GELF_POSITIVE: (quotedKey: string) => `${quotedKey} must be a positive integer`,
  TSLOGS_GELF_SEND: (detail: string) => `gelf: cannot send GELF message: ${detail}`,
  TSLOGS_GELF_TOO_LARGE: (chunks: number) => `gelf: cannot send GELF message: msg too large, would need ${chunks} chunks`,
  TSLOGS_GELF_REPLAY: (hostport: string, messages: number, ms: number) =>
    `gelf: connection to ${hostport} was lost; re-sent the ${messages} messages written in the last ${ms} ms before it (the receiver may see some twice)`,
  // the address parser (Docker's words; Go %q values arrive quoted by goQuote)
  TSLOGS_GELF_ADDRESS_REQUIRED: () => 'gelf-address is a required parameter',
  TSLOGS_GELF_ADDRESS_FORM: (value: string) => `gelf-address should be in form proto://address, got ${value}`,
  TSLOGS_GELF_URL_PARSE: (quotedUrl: string, detail: string) => `parse ${quotedUrl}: ${detail}`,
  TSLOGS_GELF_SCHEME: () => 'gelf: endpoint needs to be TCP or UDP',
  TSLOGS_GELF_HOST_PORT: () => 'gelf: please provide gelf-address as proto://host:port',
  TSLOGS_GELF_CONNECT: (hostport: string, detail: string) => `gelf: cannot connect to GELF endpoint: ${hostport} ${detail}`,
});
