import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call, Fifo } from '../helpers/fake-dockerd.js';
import { cliEnv, frame, info, runCli } from '../helpers/cli-harness.js';
import { FluentdReceiver } from '../helpers/fluentd-receiver.js';
import { GelfTcpReceiver } from '../helpers/gelf-receiver.js';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { LokiReceiver } from '../helpers/loki-receiver.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { spawnForTest } from '../helpers/processes.js';
import { CaptureServer } from '../helpers/syslog-servers.js';
import { makeSyslogPki } from '../helpers/syslog-tls.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

// Every sink at once with its secrets set (the Splunk token, the syslog client key), the
// daemon at debug level, deliveries failing and then succeeding: the secrets appear in
// no daemon log line, no error the plugin API returns, no /metrics, no `tslogs ls` or
// `stats` output and nothing a crash writes (Node's diagnostic report). The store's
// tslogs-info.json holds them on purpose (0600, as Docker's config.v2.json).

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function metrics(socket: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: socket, path: '/metrics' }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

async function startLogging(socket: string, fifo: Fifo, id: string, config: Record<string, string>): Promise<string | undefined> {
  const res = await call(socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, 'vault', config) });
  return (JSON.parse(res.body.toString()) as { Err?: string }).Err;
}

describe('secrets', () => {
  it('reach no log, API error, metric, CLI output or crash report of a daemon running every sink', { timeout: 90_000 }, async () => {
    const dir = tmpDir();
    const pki = makeSyslogPki(dir);
    const token = `tok-${randomBytes(12).toString('hex')}`;
    // Two pieces of the client key's base64 (PEM wraps it at 64 characters).
    const keyBody = fs.readFileSync(pki.clientKey, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
    const notAKey = path.join(dir, 'not-a-key.pem');
    const notAKeySecret = `file-secret-${randomBytes(12).toString('hex')}`;
    fs.writeFileSync(notAKey, `password = ${notAKeySecret}\n`);
    const otlpSecret = `hdr-${randomBytes(12).toString('hex')}`;
    // The password of a loki-url's userinfo, and the tenant ID, which gateways may treat as a credential.
    const lokiSecret = `pw-${randomBytes(12).toString('hex')}`;
    const lokiTenant = `tenant-${randomBytes(12).toString('hex')}`;
    const secrets = [token, keyBody.slice(0, 40), keyBody.slice(-40), notAKeySecret, otlpSecret, lokiSecret, lokiTenant, Buffer.from(`u:${lokiSecret}`).toString('base64')];
    const serverTls = { key: fs.readFileSync(pki.serverKey, 'utf8'), cert: fs.readFileSync(pki.serverCert, 'utf8') };

    // Receivers that first fail: HEC answers 503 with the token echoed back, syslog and GELF are
    // not listening yet, fluentd presents a certificate for another host.
    const hec = await HecReceiver.start({ tls: serverTls });
    closers.push(() => hec.close());
    hec.failNext(3, 503, (req) => JSON.stringify({ text: 'Invalid token', code: 4, seen: req.headers.authorization }));
    // The OTLP receiver echoes the header value in its 503s and in a partial success.
    const otlp = await OtlpReceiver.start();
    closers.push(() => otlp.close());
    otlp.failNext(3, 503, `throttled: Bearer ${otlpSecret}`);
    otlp.partialNext(0, `quota of Bearer ${otlpSecret} nearly used`);
    // The Loki receiver echoes the password and the tenant in its 503s.
    const loki = await LokiReceiver.start();
    closers.push(() => loki.close());
    loki.failNext(3, 503, `no ingester for ${lokiTenant} with u:${lokiSecret}`);
    const syslogPort = await closedPort();
    const gelfPort = await closedPort();
    const wrongName = await FluentdReceiver.start({ kind: 'tls', tls: { key: fs.readFileSync(pki.wrongNameKey, 'utf8'), cert: fs.readFileSync(pki.wrongNameCert, 'utf8') } });
    const fluentdPort = wrongName.port;

    const root = path.join(dir, 'store');
    const socket = path.join(dir, 'plugin.sock');
    const reports = path.join(dir, 'reports');
    fs.mkdirSync(reports);
    const daemon = spawnForTest(process.execPath, ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`, '--import', 'tsx', 'src/cli/main.ts', 'plugin'], {
      env: { ...process.env, TSLOGS_ROOT: root, TSLOGS_SOCKET: socket, LOG_LEVEL: 'debug', SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY: '100ms' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    daemon.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    daemon.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await waitUntil(() => fs.existsSync(socket), 'the plugin socket', 30_000);

    const config = {
      'splunk-url': hec.url, 'splunk-token': token, 'splunk-capath': pki.caFile, 'splunk-caname': 'localhost', 'splunk-gzip': 'true',
      'syslog-address': `tcp+tls://127.0.0.1:${syslogPort}`, 'syslog-tls-ca-cert': pki.caFile, 'syslog-tls-cert': pki.clientCert, 'syslog-tls-key': pki.clientKey,
      'fluentd-address': `tls://127.0.0.1:${fluentdPort}`, 'fluentd-tls-ca': pki.caFile, 'fluentd-request-ack': 'true',
      'gelf-address': `tcp://127.0.0.1:${gelfPort}`,
      'otlp-endpoint': otlp.url, 'otlp-headers': `Authorization=Bearer%20${otlpSecret}`,
      'loki-url': loki.url.replace('//', `//u:${lokiSecret}@`), 'loki-tenant-id': lokiTenant, 'loki-batch-wait': '50ms',
      'sink-retry-min': '10ms', 'sink-retry-max': '200ms',
    };
    // Refused option sets: the errors dockerd would show in `docker run`.
    const errors: string[] = [];
    const refused: Record<string, string>[] = [
      { 'splunk-gzip-level': '99' },
      { 'splunk-token': `${token}\r\n` },
      { 'syslog-tls-key': notAKey },
      { 'syslog-tls-key': pki.otherKey },
      { 'syslog-tls-cert': pki.clientKey },
      { 'fluentd-tls-ca': pki.clientKey },
      { 'fluentd-tls-ca': notAKey },
      { 'splunk-url': `https://${token}@127.0.0.1:1/x` },
      { 'otlp-headers': otlpSecret },
      { 'otlp-headers': `a=1,${otlpSecret}` },
      { 'otlp-headers': `Authorization=${otlpSecret}%0A` },
      { 'otlp-endpoint': `http://u:${otlpSecret}@127.0.0.1:1` },
      { 'loki-url': `ftp://u:${lokiSecret}@127.0.0.1:1/x` },
      { 'loki-url': `http://u:${lokiSecret}@127.0.0.1:99999/x` },
      { 'loki-url': `http://u:${lokiSecret}@127.0.0.1:1/x\n` },
      { 'loki-tenant-id': `${lokiTenant}\r\n` },
    ];
    for (const [i, change] of refused.entries()) {
      const err = await startLogging(socket, new Fifo(dir, `refused${i}`), `${i}`.repeat(64), { ...config, ...change });
      expect(err, JSON.stringify(change)).toBeTruthy();
      errors.push(err!);
    }

    const id = 'e'.repeat(64);
    const fifo = new Fifo(dir, 'fifo');
    expect(await startLogging(socket, fifo, id, config)).toBeUndefined();
    await fifo.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(i, `line ${i}\n`))));
    // Failures first: each sink has retried at least once before its receiver is fixed.
    const retried = (sink: string) => new RegExp(`sink ${sink}: \\w+ failed, retrying`).test(output);
    await waitUntil(() => hec.requests.length >= 3 && ['splunk', 'syslog', 'fluentd', 'gelf', 'otlp', 'loki'].every(retried), 'failed deliveries', 30_000);
    const syslog = await CaptureServer.tls({ ...serverTls, ca: fs.readFileSync(pki.caFile), requestCert: true, rejectUnauthorized: true }, syslogPort);
    closers.push(() => syslog.close());
    const gelf = await GelfTcpReceiver.start('127.0.0.1', gelfPort);
    closers.push(() => gelf.close());
    await wrongName.close();
    const fluentd = await FluentdReceiver.start({ kind: 'tls', port: fluentdPort, tls: serverTls });
    closers.push(() => fluentd.close());
    await waitUntil(() => hec.accepted.length >= 20 && syslog.bytes().toString().split('\n').length > 20 && gelf.messages.length >= 20 && fluentd.messages.length >= 20 && otlp.accepted.length >= 20 && loki.accepted.length >= 20, 'every sink delivered', 60_000);

    const env = cliEnv({ TSLOGS_SOCKET: socket, TSLOGS_ROOT: root });
    const cli = await Promise.all([['ls'], ['ls', '--json'], ['stats'], ['stats', '--json'], ['vault']].map((args) => runCli(args, env)));
    const metricsText = await metrics(socket);
    // The crash: a diagnostic report as Node writes one on a fatal error, then the process dies.
    daemon.kill('SIGUSR2');
    let report = '';
    const complete = (text: string) => {
      try {
        return JSON.parse(text) !== null;
      } catch {
        return false;
      }
    };
    await waitUntil(() => {
      const [file] = fs.readdirSync(reports);
      report = file === undefined ? '' : fs.readFileSync(path.join(reports, file), 'utf8');
      return complete(report);
    }, 'the diagnostic report', 20_000);
    daemon.kill('SIGABRT');
    await new Promise((resolve) => daemon.once('exit', resolve));

    // What was searched holds what it should: a search of empty texts proves nothing.
    expect(output).toMatch(/"level":20/);
    expect(output).toContain('503 Service Unavailable');
    expect(errors.join('\n')).toContain('splunk-gzip-level');
    expect(cli.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect(cli[4]!.stdout.toString()).toContain('line 19');
    expect(metricsText).toMatch(/tslogs_sink_sent_entries_total\{[^}]*sink="splunk"\} 20/);
    expect(metricsText).toMatch(/tslogs_sink_sent_entries_total\{[^}]*sink="otlp"\} 20/);
    expect(metricsText).toMatch(/tslogs_sink_sent_entries_total\{[^}]*sink="loki"\} 20/);
    expect(output).toContain('nearly used');
    expect(output).toContain('no ingester for <redacted>');
    expect(loki.requests[0]!.headers['x-scope-orgid']).toBe(lokiTenant);
    expect(loki.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`u:${lokiSecret}`).toString('base64')}`);
    expect(otlp.requests[0]!.headers.authorization).toBe(`Bearer ${otlpSecret}`);
    expect(report).toContain('"javascriptStack"');
    const texts: Record<string, string> = {
      'daemon output': output, 'API errors': errors.join('\n'), '/metrics': metricsText, 'diagnostic report': report,
      ...Object.fromEntries(cli.map((r, i) => [`tslogs ${['ls', 'ls --json', 'stats', 'stats --json', 'vault'][i]}`, r.stdout.toString() + r.stderr.toString()])),
    };
    const found = Object.entries(texts).flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map((s) => `${where}: ${s}`));
    expect(found).toEqual([]);
    await fifo.close();
  });
});
