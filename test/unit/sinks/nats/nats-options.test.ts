import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import { parseNatsUrl } from '../../../../src/sinks/nats/address.js';
import { NATS_DEFAULT_TIMEOUT_MS, NATS_MAX_IN_FLIGHT_DEFAULT, parseNatsOptions } from '../../../../src/sinks/nats/options.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { containerInfo, sinkContext } from '../../../helpers/container-info.js';
import { errorOf } from '../../../helpers/errors.js';
import { makeTestCa } from '../../../helpers/hec-receiver.js';
import { tmpDir } from '../../../helpers/tmp.js';
import { silentLogger } from '../../../../src/util/log.js';

const ID = '1aa59976c493' + 'a'.repeat(48) + '4db6';
const INFO = containerInfo({ ContainerID: ID, ContainerName: '/f1', ContainerLabels: { lab1: 'v1' } });
const parse = (config: Record<string, string>) => parseNatsOptions(config, sinkContext(INFO));
const message = (config: Record<string, string>) => errorOf(() => parse(config)).message;

/** A credentials file of the shape `nsc generate creds` writes (the values need not verify here). */
export const CREDS_TEXT = [
  '-----BEGIN NATS USER JWT-----',
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJ4In0.c2lnbmF0dXJl',
  '------END NATS USER JWT------',
  '',
  '************************* IMPORTANT *************************',
  'NKEY Seed printed below can be used to sign and prove identity.',
  '',
  '-----BEGIN USER NKEY SEED-----',
  'SUAM' + 'A'.repeat(54),
  '------END USER NKEY SEED------',
  '',
].join('\n');

describe('nats options', () => {
  it('default to nats://127.0.0.1:4222, subject docker.<ID>, no stream, no credentials, no TLS, 5 s, 4 batches in flight', () => {
    const o = parse({});
    expect(o.servers).toEqual([{ hostPort: '127.0.0.1:4222', tls: false }]);
    // {{.ID}} is the short ID in Docker's tag templates.
    expect(o.subject).toBe('docker.1aa59976c493');
    expect([o.stream, o.credentials, o.tls]).toEqual([undefined, undefined, undefined]);
    expect([o.timeoutMs, o.maxInFlight]).toEqual([NATS_DEFAULT_TIMEOUT_MS, NATS_MAX_IN_FLIGHT_DEFAULT]);
    expect([o.timeoutMs, o.maxInFlight]).toEqual([5000, 4]);
    expect(o.messages).toEqual({ containerId: ID, containerName: '/f1', imageName: 'bb:latest', host: 'vm', tag: undefined, attrs: {} });
  });

  it('take the subject from a tag template, and the tag and labels for the messages', () => {
    const o = parse({ 'nats-subject': 'logs.{{.Name}}.{{.ImageName}}', tag: '{{.ID}}', labels: 'lab1' });
    expect(o.subject).toBe('logs.f1.bb:latest');
    expect(o.messages.tag).toBe('1aa59976c493');
    expect(o.messages.attrs).toEqual({ lab1: 'v1' });
  });

  it('refuse a subject that is not a literal NATS subject, naming the option and the reason', () => {
    expect(message({ 'nats-subject': 'logs.*' })).toBe("log opt 'nats-subject': the rendered subject 'logs.*' is not a NATS subject to publish to: it has a wildcard token ('*' or '>'); messages go to a literal subject");
    expect(message({ 'nats-subject': 'logs.>' })).toContain('wildcard');
    expect(message({ 'nats-subject': 'logs..x' })).toContain("an empty token (a leading, trailing or doubled '.')");
    expect(message({ 'nats-subject': '.{{.Name}}' })).toContain('empty token');
    expect(message({ 'nats-subject': 'logs {{.Name}}' })).toContain("'logs f1'");
    expect(message({ 'nats-subject': 'a\tb' })).toContain('white space or a control character');
    expect(message({ 'nats-subject': 'x'.repeat(3000) })).toContain('longer than 2048 bytes');
    expect(message({ 'nats-subject': '{{.Nope}}' })).toMatch(/^log opt 'nats-subject': template: log-tag:1:/);
  });

  it('refuse a stream name JetStream would refuse', () => {
    expect(parse({ 'nats-stream': 'LOGS_1-a' }).stream).toBe('LOGS_1-a');
    for (const bad of ['a.b', 'a b', 'a*', 'a>', 'a/b', 'a\\b']) expect(message({ 'nats-stream': bad })).toMatch(/^log opt 'nats-stream': /);
  });

  it('take nats-timeout as a positive Go duration and nats-max-in-flight as 1 to 16', () => {
    expect(parse({ 'nats-timeout': '1m30s' }).timeoutMs).toBe(90_000);
    expect(parse({ 'nats-timeout': '1.5ms' }).timeoutMs).toBe(2);
    for (const bad of ['0', '-1s', '5', 'soon']) expect(message({ 'nats-timeout': bad })).toBe(`log opt 'nats-timeout': '${bad}' must be a positive Go duration such as 5s or 500ms`);
    expect(parse({ 'nats-max-in-flight': '16' }).maxInFlight).toBe(16);
    for (const bad of ['0', '17', '1.5', 'x', '-1']) expect(message({ 'nats-max-in-flight': bad })).toMatch(/^log opt 'nats-max-in-flight': /);
  });

  it('read the credentials file at start, refusing a missing file or one of another kind, and never print it', () => {
    const dir = tmpDir();
    const creds = path.join(dir, 'user.creds');
    fs.writeFileSync(creds, CREDS_TEXT);
    const o = parse({ 'nats-creds': creds });
    expect(Buffer.from(o.credentials!.reveal()).toString()).toBe(CREDS_TEXT);
    expect(JSON.stringify(o)).not.toContain('SUAM');
    expect(inspect(o, { depth: 5 })).not.toContain('SUAM');
    expect(message({ 'nats-creds': path.join(dir, 'none') })).toBe(`log opt 'nats-creds': open ${path.join(dir, 'none')}: no such file or directory`);
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, CREDS_TEXT.replace('SUAM', 'SAAM'));
    expect(message({ 'nats-creds': other })).toBe(`log opt 'nats-creds': ${other} is not a NATS credentials file (expected a user JWT block followed by a user NKEY seed block, as 'nsc generate creds' writes)`);
    expect(message({ 'nats-creds': other })).not.toContain('SAAM');
  });

  it('require TLS for tls:// servers and for any nats-tls-* option; the CA is added to the system roots', () => {
    expect(parse({ 'nats-url': 'tls://h:4443' }).tls).toEqual({ ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true });
    expect(parse({ 'nats-tls-skip-verify': 'true' }).tls?.rejectUnauthorized).toBe(false);
    expect(parse({ 'nats-tls-skip-verify': 'false' }).tls?.rejectUnauthorized).toBe(true);
    expect(message({ 'nats-tls-skip-verify': 'yes' })).toBe(`log opt 'nats-tls-skip-verify': strconv.ParseBool: parsing "yes": invalid syntax`);
    const ca = makeTestCa(tmpDir());
    const o = parse({ 'nats-tls-ca-cert': ca.caFile });
    expect(o.tls?.ca).toHaveLength(1);
    expect(message({ 'nats-tls-ca-cert': '/nonexistent/ca.pem' })).toBe("log opt 'nats-tls-ca-cert': open /nonexistent/ca.pem: no such file or directory");
    const cert = path.join(ca.dir, 'server.pem');
    const key = path.join(ca.dir, 'server.key');
    expect(parse({ 'nats-tls-cert': cert, 'nats-tls-key': key }).tls).toMatchObject({ cert: ca.cert, key: ca.key });
    expect(message({ 'nats-tls-cert': cert })).toBe("log opts 'nats-tls-cert' and 'nats-tls-key' go together: set both or neither");
    expect(message({ 'nats-tls-cert': key, 'nats-tls-key': key })).toBe(`log opt 'nats-tls-cert': ${key}: no PEM certificate that parses`);
    expect(message({ 'nats-tls-cert': cert, 'nats-tls-key': cert })).toBe(`log opt 'nats-tls-key': ${cert}: no PEM private key that parses`);
    const other = makeTestCa(tmpDir());
    expect(message({ 'nats-tls-cert': cert, 'nats-tls-key': path.join(other.dir, 'server.key') })).toContain('does not match');
  });

  it('are owned by the nats sink: a nats option without nats-url or sinks=nats is refused', () => {
    const info = containerInfo({ Config: { 'nats-subject': 'x' } });
    expect(errorOf(() => parseContainerOptions(info, BUILTIN_SINKS, silentLogger, 'vm')).message).toBe(
      "log opt 'nats-subject' belongs to the nats sink, which is not enabled: set nats-url or add nats to log opt 'sinks'",
    );
    const enabled = containerInfo({ Config: { sinks: 'nats', 'nats-subject': 'x' } });
    expect(parseContainerOptions(enabled, BUILTIN_SINKS, silentLogger, 'vm').sinks.map((s) => s.definition.name)).toEqual(['nats']);
  });
});

describe('nats-url', () => {
  it('is a comma list of nats://, tls:// or bare host[:port] servers, port 4222 by default', () => {
    expect(parseNatsUrl('nats://a:1, tls://b , c:3,[::1]:5,d.example.com')).toEqual([
      { hostPort: 'a:1', tls: false },
      { hostPort: 'b:4222', tls: true },
      { hostPort: 'c:3', tls: false },
      { hostPort: '[::1]:5', tls: false },
      { hostPort: 'd.example.com:4222', tls: false },
    ]);
  });

  it('refuses what no client can dial, naming the server, and never shows userinfo', () => {
    const err = (v: string) => errorOf(() => parseNatsUrl(v)).message;
    expect(err('nats://a:1,')).toBe("log opt 'nats-url': an empty server in the list (servers are separated by commas)");
    expect(err('http://a:1')).toBe("log opt 'nats-url': unsupported scheme 'http://' (use nats:// or tls://)");
    expect(err('tls://h\n:9')).toBe("log opt 'nats-url': cannot parse 'tls://h\\n:9' (expected nats://host[:port] or tls://host[:port], port 4222 by default)");
    expect(err('nats://a:99999')).toBe("log opt 'nats-url': cannot parse 'nats://a:99999' (expected nats://host[:port] or tls://host[:port], port 4222 by default)");
    expect(err('nats://a:0')).toContain("cannot parse 'nats://a:0'");
    expect(err('nats://a b:1')).toContain('cannot parse');
    expect(err('nats://a:1/path')).toBe("log opt 'nats-url': 'nats://a:1/path' has a path, query or fragment; a NATS server is host[:port]");
    const secret = err('nats://user:hunter2@a:1');
    expect(secret).toBe("log opt 'nats-url': the server a:1 carries a user or password; put credentials in a file named by nats-creds (the value is not shown)");
    expect(secret).not.toContain('hunter2');
    expect(err('nats://tok3n@a')).not.toContain('tok3n');
  });
});
