// --log-opt maps drawn from the real option catalogue (every sink's keys from the
// registry, json-file's, the router's, dockerd's generic ones) plus keys no one knows,
// with values typed for the key, at its boundaries, or anything at all.
import { ATTRIBUTE_KEYS, STORE_KEYS } from '../../../src/config/json-file-options.js';
import { DOCKER_GENERIC_KEYS, ROUTER_KEYS } from '../../../src/router/container-options.js';
import { BUILTIN_SINKS } from '../../../src/sinks/registry.js';
import type { Prng } from '../prng.js';

export const SINK_KEYS: ReadonlySet<string> = new Set([...BUILTIN_SINKS.values()].flatMap((d) => [d.addressKey, ...d.keys]));
/** Every key a container may set. */
export const CATALOGUE: readonly string[] = [...STORE_KEYS, ...ATTRIBUTE_KEYS, ...ROUTER_KEYS, ...SINK_KEYS].sort();

export const BOOL_KEYS = new Set(['compress', 'partial-reassembly', 'splunk-insecureskipverify', 'splunk-verify-connection', 'splunk-gzip', 'splunk-index-acknowledgment', 'splunk-ack', 'fluentd-async', 'fluentd-async-connect', 'fluentd-sub-second-precision', 'fluentd-request-ack', 'fluentd-tls-insecure-skip-verify', 'loki-tls-insecure-skip-verify', 'no-file', 'keep-file']);
export const DURATION_KEYS = new Set(['sink-retry-min', 'sink-retry-max', 'sink-drain-timeout', 'fluentd-retry-wait', 'fluentd-write-timeout', 'fluentd-read-timeout', 'loki-batch-wait', 'loki-timeout', 'loki-min-backoff', 'loki-max-backoff']);
export const INT_KEYS = new Set(['max-file', 'splunk-gzip-level', 'splunk-max-in-flight', 'fluentd-max-retries', 'gelf-compression-level', 'gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay', 'loki-batch-size', 'loki-retries']);
const SIZE_KEYS = new Set(['max-size', 'partial-max-size', 'fluentd-buffer-limit']);
export const ADDRESS_KEYS = new Set([...BUILTIN_SINKS.values()].map((d) => d.addressKey));
const FILE_KEYS = new Set(['splunk-capath', 'fluentd-tls-ca', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key', 'loki-tls-ca-file', 'loki-tls-cert-file', 'loki-tls-key-file']);

/** Loopback ports nothing listens on: an accepted sink connects nowhere else. */
const HOSTS = ['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:1', 'localhost:9', '[::1]:1', 'nonexistent.invalid', 'a b', '', '127.0.0.1:99999', '127.0.0.1:0', '[::1', 'h\u0000', 'h\n', '{{.ID}}'];
const SCHEMES = ['', 'tcp://', 'udp://', 'tls://', 'unix://', 'http://', 'https://', 'tcp+tls://', 'ftp://', 'unixgram://', 'TCP://'];

function address(prng: Prng): string {
  // A comma-separated list (splunk-url, syslog-address, gelf-address, fluentd-address take one): every element is checked.
  if (prng.chance(0.15)) return Array.from({ length: prng.pick([2, 3]) }, () => (prng.chance(0.1) ? prng.pick(['', ' ']) : oneAddress(prng))).join(prng.pick([',', ', ']));
  return oneAddress(prng);
}

function oneAddress(prng: Prng): string {
  if (prng.chance(0.15)) return prng.pick(['unix:///dev/shm/tslogs-fuzz-nonexistent.sock', '/dev/shm/tslogs-fuzz-nonexistent.sock', 'unix://', 'unixgram:///nonexistent']);
  const host = prng.pick(HOSTS);
  const port = /:\d+$|\]$/.test(host) || prng.chance(0.3) ? '' : `:${prng.pick(['1', '9', '0', '65535', '65536', 'x', '-1', ''])}`;
  return `${prng.pick(SCHEMES)}${host}${port}${prng.chance(0.2) ? prng.pick(['/', '/services/collector', '/x?y=z', '#f', '/%zz']) : ''}`;
}

function typed(prng: Prng, key: string): string {
  if (BOOL_KEYS.has(key)) return prng.pick(['true', 'false', '1', '0', 't', 'F', 'TRUE', 'True', 'yes', 'no', 'on', '', ' true', 'tRUE']);
  if (DURATION_KEYS.has(key)) return prng.pick(['1s', '100ms', '1ns', '0', '0s', '-1s', '1', '1.5h', '2562047h', '9999999999h', '1e3s', '.5s', '5.s', '1h2m3s4ms5us6ns', '1µs', 's', '', '+3m', '-0']);
  if (INT_KEYS.has(key)) return prng.pick(['0', '1', '-1', '2', '9', '10', '16', '17', '2147483647', '2147483648', '-2147483649', '99999999999999999999', '1.5', '0x10', '1e3', '', ' 1', '+1', '007']);
  if (SIZE_KEYS.has(key)) return prng.pick(['1k', '10m', '1g', '1', '0', '-1', '1.5m', '1kb', '1KiB', '1e3', '9999999999999999999g', '', 'k', '1 m', '16384', '1p']);
  if (ADDRESS_KEYS.has(key)) return address(prng);
  if (FILE_KEYS.has(key)) return prng.pick(['/nonexistent/ca.pem', '/etc/passwd', '/dev/null', '/etc', '', '/proc/self/environ', 'relative.pem']);
  switch (key) {
    case 'sinks':
      return prng.pick(['', 'splunk', 'fluentd', 'gelf', 'syslog', 'splunk,gelf', 'nope', ',', 'syslog,syslog', 'SPLUNK', 'gelf ']);
    case 'tag':
      return prng.pick(['{{.Name}}', '{{.ID}}/{{.ImageName}}', '{{', '{{.Nope}}', '{{.ExtraAttributes nil}}', '{{range .}}{{end}}', '{{printf "%s" .Name}}', '{{template "x"}}', '', 'plain', '{{.FullID | truncate 3}}', '{{json .}}', '{{split .Name "/"}}']);
    case 'labels-regex':
    case 'env-regex':
      return prng.pick(['.*', '(', '^a$', '\\C', '(?<n>a)', '[[:alpha:]]', 'a{1001}', '(?i)x', '']);
    case 'splunk-balance':
    case 'syslog-balance':
    case 'gelf-balance':
      return prng.pick(['failover', 'round-robin', '', 'Failover', 'round_robin', 'random']);
    case 'splunk-format':
      return prng.pick(['inline', 'json', 'raw', 'xml', '', 'JSON']);
    case 'gelf-compression-type':
      return prng.pick(['gzip', 'zlib', 'none', 'lz4', '']);
    case 'syslog-facility':
      return prng.pick(['daemon', 'local0', 'local7', 'local8', 'kern', '0', '23', '24', '-1', '']);
    case 'syslog-format':
      return prng.pick(['rfc5424', 'rfc5424micro', 'rfc3164', 'rfc5425', '']);
    case 'splunk-token':
      return prng.pick(['tok', '', 'a\r\nb', 'a\u0000', 'x'.repeat(5000), 'é']);
    default:
      return prng.string(prng.length(40));
  }
}

/** A value the option takes, so that maps get past the first refusal and reach the sinks. */
function valid(prng: Prng, key: string): string {
  if (BOOL_KEYS.has(key)) return prng.pick(['true', 'false', '1', '0']);
  if (DURATION_KEYS.has(key)) return prng.pick(['1s', '100ms', '2m', '1h']);
  if (INT_KEYS.has(key)) return prng.pick(['1', '2', '3']);
  if (SIZE_KEYS.has(key)) return prng.pick(['1k', '10m', '16384']);
  if (key === 'splunk-url') return prng.pick(['http://127.0.0.1:9', 'https://localhost:1', 'http://[::1]:9']);
  if (key === 'fluentd-address') return prng.pick(['127.0.0.1:9', 'tcp://localhost:1', 'unix:///dev/shm/tslogs-fuzz-nonexistent.sock']);
  if (key === 'gelf-address') return prng.pick(['udp://127.0.0.1:9', 'tcp://127.0.0.1:9', 'udp://localhost:1']);
  if (key === 'syslog-address') return prng.pick(['udp://127.0.0.1:9', 'tcp://127.0.0.1:9', 'udp://[::1]:9']);
  return typed(prng, key);
}

function value(prng: Prng, key: string, validOnly: boolean): string {
  if (validOnly) return valid(prng, key);
  return prng.weighted<() => string>([
    [6, () => typed(prng, key)],
    [1, () => prng.string(prng.length(60))],
    [1, () => typed(prng, key) + prng.pick(['\u0000', '\n', '\r\n', ' ', '{{', '\u2028', 'x'])],
    [0.1, () => 'v'.repeat(prng.int(10_000, 100_000))],
  ])();
}

/** One option map. */
export function optionMap(prng: Prng): Record<string, string> {
  const config: Record<string, string> = {};
  const n = prng.weighted([[3, 1], [3, 2], [2, 3], [1, prng.int(4, 12)], [0.3, 0]] as const);
  // Sinks come with their address most of the time, so their other options are reached.
  const validOnly = prng.chance(0.4);
  const sink = prng.chance(0.7) ? prng.pick([...BUILTIN_SINKS.values()]) : undefined;
  if (sink !== undefined) config[sink.addressKey] = validOnly ? valid(prng, sink.addressKey) : typed(prng, sink.addressKey);
  if (sink?.name === 'splunk' && prng.chance(0.8)) config['splunk-token'] = 'tok';
  for (let i = 0; i < n; i++) {
    const key = prng.weighted<() => string>([
      [4, () => (sink !== undefined && prng.chance(0.6) ? prng.pick([...sink.keys]) : prng.pick(CATALOGUE))],
      [1, () => prng.pick([...DOCKER_GENERIC_KEYS])],
      [validOnly ? 0.1 : 1, () => prng.pick([prng.string(prng.length(20)), 'MAX-SIZE', 'max_size', 'splunk-urls', ' tag', 'fluentd-', '', 'x'.repeat(300)])],
    ])();
    config[key] = value(prng, key, validOnly);
  }
  return config;
}
