// The `key=value,key=value` lists of otlp-headers and otlp-resource-attributes, read
// as the OpenTelemetry SDKs read OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES:
// the W3C Baggage shape without its `;` properties, each entry trimmed, split at its
// first `=`, the value percent-decoded (so `%2C` carries a comma and `%3D` an `=`).

export interface KeyValue {
  key: string;
  value: string;
}

/** Why entry `entry` (1-based) could not be read; `text` is the entry as written, for options that may show it. */
export interface KeyValueProblem {
  entry: number;
  text: string;
  why: string;
}

/** The pairs of `text` in order, or the first entry that is not a pair. */
export function parseKeyValues(text: string): KeyValue[] | KeyValueProblem {
  const pairs: KeyValue[] = [];
  const entries = text.split(',');
  for (let i = 0; i < entries.length; i++) {
    const raw = entries[i]!.trim();
    const problem = (why: string): KeyValueProblem => ({ entry: i + 1, text: raw, why });
    if (raw === '') return problem('is empty');
    const eq = raw.indexOf('=');
    if (eq < 0) return problem("has no '='");
    const key = raw.slice(0, eq).trim();
    if (key === '') return problem('has an empty key');
    let value: string;
    try {
      value = decodeURIComponent(raw.slice(eq + 1).trim());
    } catch {
      return problem('has a value whose percent-encoding is not valid UTF-8');
    }
    pairs.push({ key, value });
  }
  return pairs;
}

export function isKeyValueProblem(x: KeyValue[] | KeyValueProblem): x is KeyValueProblem {
  return !Array.isArray(x);
}
