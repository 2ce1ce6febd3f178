import { defineErrors } from '../../errors.js';

/** The OTLP sink's errors; header values never appear in them (nor any text of a header entry but a valid name). */
export const otlpError = defineErrors({
  // otlp-endpoint
  TSLOGS_OTLP_ENDPOINT_PARSE: (value: string) =>
    `log opt 'otlp-endpoint': cannot parse '${value}' (expected the collector's base URL, http[s]://host[:port][/path], e.g. http://collector:4318)`,
  TSLOGS_OTLP_ENDPOINT_CHARACTERS: () =>
    "log opt 'otlp-endpoint': the URL holds a control character (tab, newline, NUL...) or a {{ template, which tslogs does not expand; give the collector's base URL as plain text",
  TSLOGS_OTLP_ENDPOINT_SCHEME: (scheme: string) => `log opt 'otlp-endpoint': unsupported scheme '${scheme}' (use http:// or https://)`,
  TSLOGS_OTLP_ENDPOINT_CREDENTIALS: (host: string) =>
    `log opt 'otlp-endpoint': the URL for ${host} carries a user or password; send credentials with otlp-headers (the value is not shown)`,
  TSLOGS_OTLP_ENDPOINT_QUERY: (value: string) => `log opt 'otlp-endpoint': '${value}' has a query or fragment; the endpoint is a base URL to which v1/logs is appended`,
  TSLOGS_OTLP_ENDPOINT_SIGNAL: (value: string) =>
    `log opt 'otlp-endpoint': '${value}' already ends in v1/logs; otlp-endpoint is the base URL (as OTEL_EXPORTER_OTLP_ENDPOINT) and v1/logs is appended: drop it`,
  // otlp-headers (values never shown)
  TSLOGS_OTLP_HEADER_ENTRY: (entry: number, why: string) =>
    `log opt 'otlp-headers': entry ${entry} ${why} (expected key=value,key=value with percent-encoded values; values are not shown)`,
  TSLOGS_OTLP_HEADER_RESERVED: (name: string) => `log opt 'otlp-headers': the sink sets the header ${name} itself; remove it`,
  // otlp-resource-attributes
  TSLOGS_OTLP_RESOURCE_ENTRY: (entry: string, why: string) =>
    `log opt 'otlp-resource-attributes': '${entry}' ${why} (expected key=value,key=value as OTEL_RESOURCE_ATTRIBUTES, values percent-encoded)`,
  // otlp-protocol, otlp-compression
  TSLOGS_OTLP_PROTOCOL: (value: string) =>
    value === 'grpc'
      ? "log opt 'otlp-protocol': grpc is not supported; use http/protobuf (the collector's OTLP/HTTP port, 4318 by default)"
      : `log opt 'otlp-protocol': '${value}' is not one of http/protobuf, http/json`,
  TSLOGS_OTLP_COMPRESSION: (value: string) => `log opt 'otlp-compression': '${value}' is not one of gzip, none`,
  // numbers
  TSLOGS_OTLP_TIMEOUT: (value: string) =>
    `log opt 'otlp-timeout': '${value}' must be a positive Go duration such as 10s or 500ms (OTEL_EXPORTER_OTLP_TIMEOUT's milliseconds are written 10000ms)`,
  TSLOGS_OTLP_WHOLE_NUMBER: (key: string, value: string, limit: number, what: string) =>
    `log opt '${key}': '${value}' is not a whole number from 1 to ${limit} (${what})`,
  // TLS
  TSLOGS_OTLP_TLS_NEEDS_HTTPS: (key: string) => `log opt '${key}' needs an https:// otlp-endpoint (the scheme decides whether TLS is used)`,
  // requests; header values never appear in these
  TSLOGS_OTLP_REQUEST: (url: string, detail: string) => `otlp: POST ${url}: ${detail}`,
  TSLOGS_OTLP_STATUS: (url: string, status: string, detail: string, retried: boolean) =>
    `otlp: POST ${url}: ${status}${detail === '' ? '' : `: ${detail}`}${retried ? '; the batch will be sent again' : ''}`,
  TSLOGS_OTLP_RESPONSE_TOO_LARGE: (url: string, limit: number) => `otlp: POST ${url}: the response is larger than ${limit} bytes and was discarded`,
  TSLOGS_OTLP_REQUEST_TOO_LARGE: (bytes: number, limit: number) =>
    `otlp: a request of ${bytes} bytes exceeds the ${limit}-byte limit of OTLP/HTTP and was not sent; lower partial-max-size`,
  TSLOGS_OTLP_PARTIAL: (rejected: number, total: number, detail: string) =>
    `otlp: the receiver refused ${rejected} of ${total} log records (partial success, not sent again)${detail === '' ? '' : `: ${detail}`}`,
  TSLOGS_OTLP_WARNING: (detail: string) => `otlp: the receiver accepted every log record and said: ${detail}`,
  TSLOGS_OTLP_CLOSED: () => 'otlp sink closed',
});
