import { defineErrors } from '../../errors.js';

/**
 * The Loki sink's errors. No text holds the password of a loki-url (its userinfo is
 * shown as <redacted>) nor the tenant ID, which some gateways use as a credential.
 */
export const lokiError = defineErrors({
  // loki-url
  TSLOGS_LOKI_URL_PARSE: (value: string) =>
    `log opt 'loki-url': cannot parse '${value}' (expected the push URL, http[s]://[user:password@]host[:port]/loki/api/v1/push)`,
  TSLOGS_LOKI_URL_REQUIRED: () => "log opt 'loki-url' is required by the loki sink (the Loki driver has no default push URL either)",
  TSLOGS_LOKI_URL_CHARACTERS: () =>
    "log opt 'loki-url': the URL holds a control character (tab, newline, NUL...), a space or a {{ template, which tslogs does not expand; give the push URL as plain text (the value is not shown)",
  TSLOGS_LOKI_URL_SCHEME: (scheme: string) => `log opt 'loki-url': unsupported scheme '${scheme}' (use http:// or https://)`,
  TSLOGS_LOKI_URL_FRAGMENT: (value: string) => `log opt 'loki-url': '${value}' has a #fragment, which is never sent; remove it`,
  // loki-tenant-id, loki-tls-server-name (values not shown)
  TSLOGS_LOKI_TENANT: () =>
    "log opt 'loki-tenant-id': the tenant ID holds a control character or a character an HTTP header cannot carry (the value is not shown)",
  TSLOGS_LOKI_SERVER_NAME: () => "log opt 'loki-tls-server-name': not a host name (it holds a control character, a space or a '/')",
  // loki-external-labels and the label options
  TSLOGS_LOKI_EXTERNAL_LABELS: (entry: string) => `log opt 'loki-external-labels': '${entry}' is not name=value (expected name=value,name=value)`,
  TSLOGS_LOKI_LABEL_NAME: (option: string, name: string) =>
    `log opt '${option}': ${JSON.stringify(name)} is not a Loki label name (letters, digits and _, not starting with a digit; the Loki driver turns - and . of Docker label and variable names into _)`,
  TSLOGS_LOKI_LABEL_VALUE: (option: string, name: string) => `log opt '${option}': the value of label ${JSON.stringify(name)} is not valid UTF-8`,
  TSLOGS_LOKI_LABEL_TEMPLATE: (entry: string, detail: string) => `log opt 'loki-external-labels': could not expand the value of '${entry}': ${detail}`,
  // numbers and durations
  TSLOGS_LOKI_DURATION: (key: string, value: string) => `log opt '${key}': '${value}' must be a positive Go duration such as 1s or 500ms`,
  TSLOGS_LOKI_WHOLE_NUMBER: (key: string, value: string, min: number, max: number, what: string) =>
    `log opt '${key}': '${value}' is not a whole number from ${min} to ${max} (${what})`,
  TSLOGS_LOKI_BACKOFF_ORDER: (min: string, max: string) => `log opt 'loki-max-backoff': '${max}' is less than loki-min-backoff '${min}'`,
  // TLS
  TSLOGS_LOKI_TLS_NEEDS_HTTPS: (key: string) => `log opt '${key}' needs an https:// loki-url (the scheme decides whether TLS is used)`,
  // options of the Loki driver that tslogs cannot honour
  TSLOGS_LOKI_UNSUPPORTED: (key: string, why: string) => `log opt '${key}': not supported by tslogs: ${why}`,
  // requests
  TSLOGS_LOKI_REQUEST: (url: string, detail: string) => `loki: POST ${url}: ${detail}`,
  TSLOGS_LOKI_STATUS: (url: string, status: string, detail: string, retried: boolean) =>
    `loki: POST ${url}: ${status}${detail === '' ? '' : `: ${detail}`}${retried ? '; the batch will be sent again' : '; Loki refused the batch, which is not sent again'}`,
  TSLOGS_LOKI_RETRIES_PASSED: (attempts: number) =>
    `loki: ${attempts} pushes of one batch failed (loki-retries); the Loki driver would drop the batch now, tslogs keeps it and goes on retrying until Loki accepts it`,
  TSLOGS_LOKI_CLOSED: () => 'loki sink closed',
});
