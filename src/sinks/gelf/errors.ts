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
});
