import { defineErrors } from '../../errors.js';

/** The fluentd sink's errors. */
export const fluentdError = defineErrors({
  // Docker's text lacks the closing quote.
  TSLOGS_FLUENTD_ASYNC_CONFLICT: () => "conflicting options: cannot specify both 'fluentd-async' and 'fluentd-async-connect",
  TSLOGS_FLUENTD_TIMEOUT: (key: string, detail: string) => `invalid value for ${key}: value must be a duration: ${detail}`,
  TSLOGS_FLUENTD_TIMEOUT_NEGATIVE: (key: string) => `invalid value for ${key}: value must be a duration that is non-negative`,
  TSLOGS_FLUENTD_DIAL: (endpoint: string, detail: string) => `dial ${endpoint}: ${detail}`,
  TSLOGS_FLUENTD_RETRIES: (attempts: number, detail: string) =>
    `fluent#write: could not connect to fluentd after ${attempts} retries (${detail}); the messages stay in the store and a new series of retries starts`,
  TSLOGS_FLUENTD_WRITE: (endpoint: string, detail: string) => `fluent#write: ${endpoint}: ${detail}`,
  TSLOGS_FLUENTD_ACK_MISMATCH: (got: string, want: string) => `fluent#write: message ack (${got}) doesn't match expected one (${want})`,
  TSLOGS_FLUENTD_ACK_TIMEOUT: (missing: number, ms: number) =>
    `fluent#write: ${missing} message(s) not acknowledged within ${ms} ms (fluentd-read-timeout); the batch will be sent again`,
  TSLOGS_FLUENTD_CLOSED: () => 'fluentd sink closed',
  TSLOGS_FLUENTD_REPLAY: (endpoint: string, messages: number, ms: number) =>
    `connection to ${endpoint} was lost; re-sent the ${messages} messages written in the last ${ms} ms before it (fluentd may see some twice; fluentd-request-ack=true avoids both losses and duplicates)`,
  TSLOGS_FLUENTD_FAILOVER: (endpoint: string, detail: string) => `failed over to ${endpoint} (${detail})`,
  // the address parser (Docker's words; Go %q values arrive quoted by goQuote)
  TSLOGS_FLUENTD_ADDRESS: (given: string, detail: string) => `invalid fluentd-address ${given}: ${detail}`,
  TSLOGS_FLUENTD_UNKNOWN_NETWORK: (network: string) => `unknown network ${network}`,
  TSLOGS_FLUENTD_DIAL_ADDRESS: (network: string, detail: string) => `dial ${network}: ${detail}`,
  TSLOGS_FLUENTD_NO_PORT: (address: string, host: string) =>
    `fluentd-address ${address} has no port: as with Docker 20.10, logs go to 127.0.0.1:24224, not to ${host}`,
});
