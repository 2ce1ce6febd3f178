import { defineErrors } from '../../errors.js';

/** The splunk sink's errors; the token never appears in them. */
export const splunkError = defineErrors({
  // splunk driver options, Docker's wording (the format message keeps Docker 20.10's missing value)
  TSLOGS_SPLUNK_EXPECTED: (key: string) => `splunk: ${key} is expected`,
  TSLOGS_SPLUNK_URL_PARSE: (value: string) => `splunk: failed to parse ${value} as url value in splunk-url`,
  TSLOGS_SPLUNK_URL_FORMAT: () => 'splunk: expected format scheme://dns_name_or_ip:port for splunk-url',
  TSLOGS_SPLUNK_FORMAT: () => 'Unknown format specified , supported formats are inline, json and raw',
  TSLOGS_SPLUNK_MAX_IN_FLIGHT: (value: string, limit: number) =>
    `splunk-max-in-flight: '${value}' is not a whole number from 1 to ${limit} (requests awaiting Splunk's answer at once)`,
  TSLOGS_SPLUNK_GZIP_LEVEL: (value: string) =>
    `not supported level '${value}' for splunk-gzip-level (supported values between -1 and 9)`,
  // Docker's daemon-log texts for invalid SPLUNK_LOGGING_DRIVER_* variables (the default is used)
  TSLOGS_SPLUNK_ENV_DURATION: (name: string, fallback: string, detail: string) =>
    `Failed to parse value of ${name} as duration. Using default ${fallback}. ${detail}`,
  TSLOGS_SPLUNK_ENV_INT: (name: string, fallback: number, detail: string) =>
    `Failed to parse value of ${name} as integer. Using default ${fallback}. ${detail}`,
  TSLOGS_SPLUNK_ENV_POSITIVE: (name: string, value: string, fallback: string) =>
    `${name}=${value} must be positive (Docker's splunk driver crashes on it). Using default ${fallback}.`,
  // splunk HEC requests; the token never appears in these
  TSLOGS_SPLUNK_REQUEST: (op: string, quotedUrl: string, detail: string) => `${op} ${quotedUrl}: ${detail}`,
  TSLOGS_SPLUNK_VERIFY: (status: string, body: string) => `splunk: failed to verify connection - ${status} - ${body}`,
  TSLOGS_SPLUNK_SEND: (status: string, body: string) => `splunk: failed to send event - ${status} - ${body}`,
  TSLOGS_SPLUNK_ACK_TIMEOUT: (ids: string, ms: number) =>
    `splunk: HEC did not acknowledge indexing of ack ids ${ids} within ${ms} ms; the batch will be sent again`,
  TSLOGS_SPLUNK_ACK_LOST: (ids: string, detail: string) =>
    `splunk: HEC could not be reached while ack id ${ids} awaited indexing (${detail}); a restarted HEC forgets its ack ids, so the batch will be sent again`,
  TSLOGS_SPLUNK_ACK_DISABLED: () =>
    'splunk: splunk-ack=true but HEC returned no ackId (indexer acknowledgement is off for this token); batches count as delivered on HTTP 200',
});
