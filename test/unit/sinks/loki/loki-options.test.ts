// Every loki option: its default (the Loki driver's), what a value means, and each
// error's exact text; no text shows a password or the tenant ID.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import { LokiSink } from '../../../../src/sinks/loki/index.js';
import { parseLokiOptions, UNSUPPORTED } from '../../../../src/sinks/loki/options.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { silentLogger } from '../../../../src/util/log.js';
import { containerInfo, sinkContext } from '../../../helpers/container-info.js';
import { errorOf } from '../../../helpers/errors.js';
import { pkiForFile } from '../../../helpers/sink-harness.js';
import { makeSyslogPki } from '../../../helpers/syslog-tls.js';

const ID = '1aa59976c493' + 'a'.repeat(48) + '4db6';
const LOG_PATH = `/var/lib/docker/containers/${ID}/${ID}-json.log`;
const INFO = containerInfo({
  ContainerID: ID, ContainerName: '/f1', ContainerImageName: 'bb:latest', LogPath: LOG_PATH,
  ContainerLabels: { team: 'a', 'com.example.tier': 'web', 'com.docker.compose.service': 'api', 'com.docker.compose.project': 'shop', 'com.docker.swarm.service.name': '', 'com.docker.stack.namespace': 'st' },
  ContainerEnv: ['APP_ENV=prod', 'my-var=1', 'EMPTY='],
});
const URL = 'http://127.0.0.1:3100/loki/api/v1/push';
const HTTPS = 'https://127.0.0.1:3100/loki/api/v1/push';
const parse = (config: Record<string, string>, info = INFO) => parseLokiOptions(config, sinkContext(info));
const message = (config: Record<string, string>) => errorOf(() => parse(config)).message;
const pki = pkiForFile('tslogs-loki-options-', makeSyslogPki);
const labels = (config: Record<string, string>, info = INFO) => Object.fromEntries(parse({ 'loki-url': URL, ...config }, info).labels);

describe('loki options: defaults', () => {
  it("are the Loki driver's: 1 MiB batches, 1 s batch wait, 10 s timeout, 10 retries; the router's backoff; no TLS, auth or tenant", () => {
    const o = parse({ 'loki-url': URL });
    expect([o.origin, o.path, o.shownUrl]).toEqual(['http://127.0.0.1:3100', '/loki/api/v1/push', URL]);
    expect([o.maxBatchBytes, o.lingerMs, o.timeoutMs, o.retries]).toEqual([1024 * 1024, 1000, 10_000, 10]);
    expect([o.retryMinMs, o.retryMaxMs, o.tls]).toEqual([undefined, undefined, undefined]);
    expect([o.authorization.reveal(), o.tenantId.reveal()]).toEqual([undefined, undefined]);
  });

  it('label the streams as the driver does: container_name, labels and env with _ for - and ., compose and swarm labels, host, filename', () => {
    expect(labels({})).toEqual({ compose_project: 'shop', compose_service: 'api', container_name: 'f1', filename: LOG_PATH, host: 'vm', swarm_stack: 'st' });
    expect(labels({ labels: 'team,com.example.tier', env: 'APP_ENV,my-var,EMPTY' })).toEqual({
      com_example_tier: 'web', team: 'a', APP_ENV: 'prod', my_var: '1',
      compose_project: 'shop', compose_service: 'api', container_name: 'f1', filename: LOG_PATH, host: 'vm', swarm_stack: 'st',
    });
    expect(labels({ 'env-regex': '^APP', 'labels-regex': '^te' })).toMatchObject({ APP_ENV: 'prod', team: 'a' });
    // Sorted by name: the order of the label string.
    expect(Object.keys(labels({ labels: 'team' }))).toEqual(['compose_project', 'compose_service', 'container_name', 'filename', 'host', 'swarm_stack', 'team']);
  });

  it('leave out a label whose value is empty (filename when dockerd gave no LogPath)', () => {
    expect(labels({}, containerInfo({ ContainerName: '/x' }))).toEqual({ container_name: 'x', host: 'vm' });
  });
});

describe('loki options: values', () => {
  it('loki-url: path and query kept, userinfo becomes basic auth, shown nowhere', () => {
    const o = parse({ 'loki-url': 'https://us%40er:p%3Ass@logs.example:443/api/prom/push?x=1' });
    expect([o.origin, o.path, o.shownUrl]).toEqual(['https://logs.example', '/api/prom/push?x=1', 'https://logs.example/api/prom/push?x=1']);
    expect(o.authorization.reveal()).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    expect(inspect(o)).not.toMatch(/p%3Ass|p:ss|cDpzcw|dXNAZXI/);
    expect(JSON.stringify(o)).not.toContain('p%3Ass');
    expect(parse({ 'loki-url': 'http://user@h/p' }).authorization.reveal()).toBe(`Basic ${Buffer.from('user:').toString('base64')}`);
  });

  it('loki-tenant-id is a secret header value', () => {
    const o = parse({ 'loki-url': URL, 'loki-tenant-id': 'team-a' });
    expect(o.tenantId.reveal()).toBe('team-a');
    expect(inspect(o)).not.toContain('team-a');
  });

  it('loki-external-labels: name=value entries, Docker templates expanded, replacing the default container_name', () => {
    expect(labels({ 'loki-external-labels': 'job=docker,cid={{.ID}},img={{.ImageName}}' })).toMatchObject({ job: 'docker', cid: ID.slice(0, 12), img: 'bb:latest' });
    expect(labels({ 'loki-external-labels': 'job=docker' }).container_name).toBeUndefined();
    expect(labels({ 'loki-external-labels': '' }).container_name).toBe('f1');
    // A later source replaces an earlier one: attributes after external labels, host and filename last.
    expect(labels({ 'loki-external-labels': 'team=x,host=y', labels: 'team' })).toMatchObject({ team: 'a', host: 'vm' });
    expect(labels({ 'loki-external-labels': 'odd=tab\there "q"' }).odd).toBe('tab\there "q"');
  });

  it('loki-batch-size, -batch-wait, -timeout, -min-backoff, -max-backoff, -retries', () => {
    const o = parse({ 'loki-url': URL, 'loki-batch-size': '4096', 'loki-batch-wait': '250ms', 'loki-timeout': '3s', 'loki-min-backoff': '1s', 'loki-max-backoff': '1m', 'loki-retries': '0' });
    expect([o.maxBatchBytes, o.lingerMs, o.timeoutMs, o.retryMinMs, o.retryMaxMs, o.retries]).toEqual([4096, 250, 3000, 1000, 60_000, 0]);
    const sink = new LokiSink(o, sinkContext(INFO));
    expect([sink.maxBatchBytes, sink.lingerMs, sink.retryMinMs, sink.retryMaxMs, sink.maxInFlight]).toEqual([4096, 250, 1000, 60_000, 1]);
  });

  it('TLS: CA, client pair, server name, skip-verify', () => {
    const p = pki();
    const o = parse({ 'loki-url': HTTPS, 'loki-tls-ca-file': p.caFile, 'loki-tls-cert-file': p.clientCert, 'loki-tls-key-file': p.clientKey, 'loki-tls-server-name': 'loki.example' });
    expect(o.tls?.ca).toHaveLength(1);
    expect([o.tls?.cert, o.tls?.key]).toEqual([expect.stringContaining('BEGIN CERTIFICATE'), expect.stringContaining('PRIVATE KEY')]);
    expect([o.tls?.servername, o.tls?.rejectUnauthorized]).toEqual(['loki.example', true]);
    expect(parse({ 'loki-url': HTTPS }).tls).toEqual({ ca: undefined, cert: undefined, key: undefined, servername: undefined, rejectUnauthorized: true });
    expect(parse({ 'loki-url': HTTPS, 'loki-tls-insecure-skip-verify': 'true' }).tls?.rejectUnauthorized).toBe(false);
    expect(parse({ 'loki-url': URL, 'loki-tls-insecure-skip-verify': 'false' }).tls).toBeUndefined();
  });
});

describe('loki options: errors', () => {
  it.each([
    [{}, "log opt 'loki-url' is required by the loki sink (the Loki driver has no default push URL either)"],
    [{ 'loki-url': 'loki:3100/loki/api/v1/push' }, "log opt 'loki-url': cannot parse 'loki:3100/loki/api/v1/push' (expected the push URL, http[s]://[user:password@]host[:port]/loki/api/v1/push)"],
    [{ 'loki-url': 'http://u:secret@h:99999/x' }, "log opt 'loki-url': cannot parse 'http://<redacted>@h:99999/x' (expected the push URL, http[s]://[user:password@]host[:port]/loki/api/v1/push)"],
    [{ 'loki-url': 'http://u:%zz@h/x' }, "log opt 'loki-url': cannot parse 'http://<redacted>@h/x' (expected the push URL, http[s]://[user:password@]host[:port]/loki/api/v1/push)"],
    [{ 'loki-url': 'ftp://h/x' }, "log opt 'loki-url': unsupported scheme 'ftp://' (use http:// or https://)"],
    [{ 'loki-url': 'http://h/x#top' }, "log opt 'loki-url': 'http://h/x#top' has a #fragment, which is never sent; remove it"],
    [{ 'loki-url': 'http://h/x\n' }, "log opt 'loki-url': the URL holds a control character (tab, newline, NUL...), a space or a {{ template, which tslogs does not expand; give the push URL as plain text (the value is not shown)"],
    [{ 'loki-url': 'http://{{.Name}}/x' }, "log opt 'loki-url': the URL holds a control character (tab, newline, NUL...), a space or a {{ template, which tslogs does not expand; give the push URL as plain text (the value is not shown)"],
    [{ 'loki-url': URL, 'loki-tenant-id': 'sec\r\nX-Evil: 1' }, "log opt 'loki-tenant-id': the tenant ID holds a control character or a character an HTTP header cannot carry (the value is not shown)"],
    [{ 'loki-url': URL, 'loki-tenant-id': 'é€' }, "log opt 'loki-tenant-id': the tenant ID holds a control character or a character an HTTP header cannot carry (the value is not shown)"],
    [{ 'loki-url': HTTPS, 'loki-tls-server-name': 'a b' }, "log opt 'loki-tls-server-name': not a host name (it holds a control character, a space or a '/')"],
    [{ 'loki-url': URL, 'loki-external-labels': 'job' }, "log opt 'loki-external-labels': 'job' is not name=value (expected name=value,name=value)"],
    [{ 'loki-url': URL, 'loki-external-labels': 'a=1=2' }, "log opt 'loki-external-labels': 'a=1=2' is not name=value (expected name=value,name=value)"],
    [{ 'loki-url': URL, 'loki-external-labels': 'a=1,' }, "log opt 'loki-external-labels': '' is not name=value (expected name=value,name=value)"],
    [{ 'loki-url': URL, 'loki-external-labels': 'my.label=1' }, `log opt 'loki-external-labels': "my.label" is not a Loki label name (letters, digits and _, not starting with a digit; the Loki driver turns - and . of Docker label and variable names into _)`],
    [{ 'loki-url': URL, 'loki-external-labels': '1a=x' }, `log opt 'loki-external-labels': "1a" is not a Loki label name (letters, digits and _, not starting with a digit; the Loki driver turns - and . of Docker label and variable names into _)`],
    [{ 'loki-url': URL, 'loki-external-labels': 'a={{.Nope}}' }, "log opt 'loki-external-labels': could not expand the value of 'a={{.Nope}}': template: log-tag:1:2: executing \"log-tag\" at <.Nope>: can't evaluate field Nope in type *logger.Info"],
    [{ 'loki-url': URL, 'loki-external-labels': 'a={{' }, "log opt 'loki-external-labels': could not expand the value of 'a={{': template: log-tag:1: unclosed action"],
    [{ 'loki-url': URL, 'loki-batch-size': '0' }, "log opt 'loki-batch-size': '0' is not a whole number from 1 to 67108864 (bytes of log lines per push)"],
    [{ 'loki-url': URL, 'loki-batch-size': '1m' }, "log opt 'loki-batch-size': '1m' is not a whole number from 1 to 67108864 (bytes of log lines per push)"],
    [{ 'loki-url': URL, 'loki-batch-size': '67108865' }, "log opt 'loki-batch-size': '67108865' is not a whole number from 1 to 67108864 (bytes of log lines per push)"],
    [{ 'loki-url': URL, 'loki-retries': '-1' }, "log opt 'loki-retries': '-1' is not a whole number from 0 to 1000000 (failed pushes of one batch before tslogs warns that the Loki driver would drop it)"],
    [{ 'loki-url': URL, 'loki-batch-wait': '1' }, "log opt 'loki-batch-wait': '1' must be a positive Go duration such as 1s or 500ms"],
    [{ 'loki-url': URL, 'loki-timeout': '0s' }, "log opt 'loki-timeout': '0s' must be a positive Go duration such as 1s or 500ms"],
    [{ 'loki-url': URL, 'loki-min-backoff': '-1s' }, "log opt 'loki-min-backoff': '-1s' must be a positive Go duration such as 1s or 500ms"],
    [{ 'loki-url': URL, 'loki-max-backoff': 'soon' }, "log opt 'loki-max-backoff': 'soon' must be a positive Go duration such as 1s or 500ms"],
    [{ 'loki-url': URL, 'loki-min-backoff': '2s', 'loki-max-backoff': '1s' }, "log opt 'loki-max-backoff': '1s' is less than loki-min-backoff '2s'"],
    [{ 'loki-url': URL, 'loki-tls-ca-file': '/x.pem' }, "log opt 'loki-tls-ca-file' needs an https:// loki-url (the scheme decides whether TLS is used)"],
    [{ 'loki-url': URL, 'loki-tls-server-name': 'h' }, "log opt 'loki-tls-server-name' needs an https:// loki-url (the scheme decides whether TLS is used)"],
    [{ 'loki-url': URL, 'loki-tls-insecure-skip-verify': 'true' }, "log opt 'loki-tls-insecure-skip-verify' needs an https:// loki-url (the scheme decides whether TLS is used)"],
    [{ 'loki-url': HTTPS, 'loki-tls-insecure-skip-verify': 'maybe' }, `log opt 'loki-tls-insecure-skip-verify': strconv.ParseBool: parsing "maybe": invalid syntax`],
    [{ 'loki-url': HTTPS, 'loki-tls-ca-file': '/nonexistent/ca.pem' }, "log opt 'loki-tls-ca-file': open /nonexistent/ca.pem: no such file or directory"],
  ])('%j: %s', (config, text) => {
    expect(message(config)).toBe(text);
  });

  it('TLS pair errors name both options', () => {
    const p = pki();
    expect(message({ 'loki-url': HTTPS, 'loki-tls-cert-file': p.clientCert })).toBe("log opts 'loki-tls-cert-file' and 'loki-tls-key-file' go together: set both or neither");
    expect(message({ 'loki-url': HTTPS, 'loki-tls-cert-file': p.clientCert, 'loki-tls-key-file': p.otherKey })).toBe("log opts 'loki-tls-cert-file' and 'loki-tls-key-file': the private key does not match the certificate's public key");
  });

  it('a label or variable name that stays no label name after - and . became _ names its option', () => {
    const info = containerInfo({ ContainerEnv: ['APP ENV=x'], ContainerLabels: { 'a/b': 'y' } });
    expect(errorOf(() => parse({ 'loki-url': URL, env: 'APP ENV' }, info)).message).toBe(`log opt 'env': "APP ENV" is not a Loki label name (letters, digits and _, not starting with a digit; the Loki driver turns - and . of Docker label and variable names into _)`);
    expect(errorOf(() => parse({ 'loki-url': URL, labels: 'a/b' }, info)).message).toBe(`log opt 'labels': "a/b" is not a Loki label name (letters, digits and _, not starting with a digit; the Loki driver turns - and . of Docker label and variable names into _)`);
  });

  it('a label value from the container that is not UTF-8 names the option', () => {
    const info = containerInfo({ ContainerLabels: { bad: 'x\ud800' } });
    expect(errorOf(() => parse({ 'loki-url': URL, labels: 'bad' }, info)).message).toBe(`log opt 'labels': the value of label "bad" is not valid UTF-8`);
  });

  it.each(Object.entries(UNSUPPORTED))('the Loki driver option %s is refused, saying why', (key, why) => {
    expect(message({ 'loki-url': URL, [key]: 'x' })).toBe(`log opt '${key}': not supported by tslogs: ${why}`);
    // Through the container's options as dockerd hands them over.
    expect(() => parseContainerOptions(containerInfo({ Config: { 'loki-url': URL, [key]: 'true' } }), BUILTIN_SINKS, silentLogger, 'vm')).toThrow(`log opt '${key}': not supported by tslogs`);
  });

  it('no error text holds the password of loki-url or the tenant ID', () => {
    for (const config of <Record<string, string>[]>[
      { 'loki-url': 'http://u:hunter22@h:99999/x' },
      { 'loki-url': 'http://u:hunter22@h/x#f' },
      { 'loki-url': 'gopher://u:hunter22@h/x' },
      { 'loki-url': 'http://u:hunter22@h/x\t' },
      { 'loki-url': 'http://h/x', 'loki-tenant-id': 'hunter22\n' },
    ]) expect(message(config)).not.toContain('hunter22');
  });
});
