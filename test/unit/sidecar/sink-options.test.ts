import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SINKS } from '../../../src/sinks/registry.js';
import { parseSidecarArgs } from '../../../src/sidecar/settings.js';
import { envNameOf, isOptionName, loadSinkOptions, optionOfEnv } from '../../../src/sidecar/sink-options.js';
import { tmpDir } from '../../helpers/tmp.js';

const registry = BUILTIN_SINKS;
const load = (env: NodeJS.ProcessEnv, configFile?: string) => loadSinkOptions({ configFile, env, registry });

function configFile(content: unknown): string {
  const file = path.join(tmpDir(), 'sidecar.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('sink options from the environment and a config file', () => {
  it('maps TSLOGS_ + upper snake case to option names and back', () => {
    expect(envNameOf('splunk-url')).toBe('TSLOGS_SPLUNK_URL');
    expect(envNameOf('labels-regex')).toBe('TSLOGS_LABELS_REGEX');
    expect(optionOfEnv('TSLOGS_SPLUNK_INSECURESKIPVERIFY')).toBe('splunk-insecureskipverify');
    expect(optionOfEnv('TSLOGS_SINK_RETRY_MAX')).toBe('sink-retry-max');
  });

  it('knows every option name the option parser knows (sink, router, attribute and store options)', () => {
    for (const key of ['splunk-url', 'splunk-index', 'splunk-format', 'sinks', 'partial-reassembly', 'sink-retry-min', 'tag', 'labels', 'env-regex', 'max-size']) {
      expect(isOptionName(key, registry), key).toBe(true);
    }
    expect(isOptionName('splunk-uri', registry)).toBe(false);
    expect(isOptionName('hostname', registry)).toBe(false);
  });

  it('takes options from both, the environment winning; other TSLOGS_ variables are settings or reported', () => {
    const file = configFile({ 'splunk-url': 'https://file:8088', 'splunk-index': 'main', 'splunk-gzip': true, 'splunk-gzip-level': 6 });
    const r = load({
      TSLOGS_SPLUNK_URL: 'https://env:8088',
      TSLOGS_SPLUNK_SOURCETYPE: 'docker',
      TSLOGS_TAG: '{{.Name}}',
      TSLOGS_HOSTNAME: 'host1',
      TSLOGS_SIDECAR_STATE_DIR: '/state',
      TSLOGS_SPLUNK_UR: 'typo',
      TSLOGS_SPLUNK_INDEX: '',
      PATH: '/bin',
    }, file);
    expect(r.options).toEqual({
      'splunk-url': 'https://env:8088',
      'splunk-index': 'main',
      'splunk-gzip': 'true',
      'splunk-gzip-level': '6',
      'splunk-sourcetype': 'docker',
      tag: '{{.Name}}',
    });
    expect(r.origin['splunk-url']).toBe('TSLOGS_SPLUNK_URL');
    expect(r.origin['splunk-index']).toBe(`config file ${file}`);
    expect(r.ignoredEnv).toEqual(['TSLOGS_SPLUNK_UR']);
  });

  it('reads the token from TSLOGS_SPLUNK_TOKEN, or from a file (trailing newline dropped)', () => {
    expect(load({ TSLOGS_SPLUNK_TOKEN: 'tok-env' }).options['splunk-token']).toBe('tok-env');
    const tokenFile = path.join(tmpDir(), 'token');
    fs.writeFileSync(tokenFile, 'tok-file\n');
    expect(load({ TSLOGS_SPLUNK_TOKEN_FILE: tokenFile }).options['splunk-token']).toBe('tok-file');
    const r = load({}, configFile({ 'splunk-url': 'https://s:8088', 'splunk-token-file': tokenFile }));
    expect(r.options).toEqual({ 'splunk-url': 'https://s:8088', 'splunk-token': 'tok-file' });
    expect(r.origin['splunk-token']).toBe(`splunk-token-file (${tokenFile})`);
  });

  it('refuses the token in the config file, twice, or from an unreadable or empty file, without showing it', () => {
    expect(() => load({}, configFile({ 'splunk-token': 'secret-1' }))).toThrow(/^splunk-token is refused in config file .*: config files get copied and shared/);
    const tokenFile = path.join(tmpDir(), 'token');
    fs.writeFileSync(tokenFile, 'secret-2');
    expect(() => load({ TSLOGS_SPLUNK_TOKEN: 'secret-3', TSLOGS_SPLUNK_TOKEN_FILE: tokenFile })).toThrow('splunk-token is given twice: set either TSLOGS_SPLUNK_TOKEN or a file (TSLOGS_SPLUNK_TOKEN_FILE / "splunk-token-file"), not both');
    expect(() => load({ TSLOGS_SPLUNK_TOKEN_FILE: '/nonexistent/token' })).toThrow('cannot read the splunk-token file /nonexistent/token: ENOENT');
    fs.writeFileSync(tokenFile, '\n');
    expect(() => load({ TSLOGS_SPLUNK_TOKEN_FILE: tokenFile })).toThrow(`cannot read the splunk-token file ${tokenFile}: the file is empty`);
    // TSLOGS_SPLUNK_TOKEN is not mapped as an ordinary option either way
    expect(load({ TSLOGS_SPLUNK_TOKEN: 'x' }).ignoredEnv).toEqual([]);
  });

  it('takes otlp-headers as it takes the token: its variable or a file, never the config file or a flag', () => {
    expect(load({ TSLOGS_OTLP_HEADERS: 'authorization=Bearer e1' }).options['otlp-headers']).toBe('authorization=Bearer e1');
    const headersFile = path.join(tmpDir(), 'headers');
    fs.writeFileSync(headersFile, 'authorization=Bearer f2\n');
    expect(load({ TSLOGS_OTLP_HEADERS_FILE: headersFile })).toMatchObject({ options: { 'otlp-headers': 'authorization=Bearer f2' }, origin: { 'otlp-headers': `TSLOGS_OTLP_HEADERS_FILE (${headersFile})` }, ignoredEnv: [] });
    const r = load({}, configFile({ 'otlp-endpoint': 'http://c:4318', 'otlp-headers-file': headersFile }));
    expect(r.options).toEqual({ 'otlp-endpoint': 'http://c:4318', 'otlp-headers': 'authorization=Bearer f2' });
    expect(() => load({}, configFile({ 'otlp-headers': 'authorization=Bearer g3' }))).toThrow(/^otlp-headers is refused in config file .*set TSLOGS_OTLP_HEADERS or TSLOGS_OTLP_HEADERS_FILE, or "otlp-headers-file"$/);
    expect(() => load({ TSLOGS_OTLP_HEADERS: 'a=b', TSLOGS_OTLP_HEADERS_FILE: headersFile })).toThrow(/^otlp-headers is given twice/);
    expect(() => parseSidecarArgs(['--otlp-headers=a=b'], {})).toThrow(/^--otlp-headers is refused: a secret on the command line/);
  });

  it("refuses the json-file rotation options (they are Docker's, on the containers) and bad config files", () => {
    expect(() => load({ TSLOGS_MAX_SIZE: '10m' })).toThrow("option 'max-size' (from TSLOGS_MAX_SIZE) is not for the sidecar");
    expect(() => load({ TSLOGS_REDACT: 'x', TSLOGS_REDACT_STORE: 'true' })).toThrow("option 'redact-store' (from TSLOGS_REDACT_STORE) is not for the sidecar");
    expect(() => load({}, configFile('{"splunk-url": '))).toThrow(/^cannot use the config file .*: /);
    expect(() => load({}, configFile(['splunk-url']))).toThrow(/expected a JSON object of option names and values/);
    expect(() => load({}, configFile({ 'splunk-url': { a: 1 } }))).toThrow('the value of "splunk-url" must be a string, number or boolean');
    expect(() => load({}, '/nonexistent/sidecar.json')).toThrow(/^cannot use the config file \/nonexistent\/sidecar.json: ENOENT/);
  });
});

describe('sidecar flags', () => {
  it('defaults', () => {
    const s = parseSidecarArgs([], {});
    expect(s).toMatchObject({
      dockerDir: '/var/lib/docker/containers', stateDir: '/var/lib/tslogs-sidecar', configFile: undefined, startAt: 'end',
      rescanMs: 500, pollMs: 250, shutdownTimeoutMs: 8000, metricsAddress: undefined, logLevel: 'info', help: false,
    });
  });

  it('flags in both spellings, repeatable filters, environment fallbacks (flags win)', () => {
    const s = parseSidecarArgs(
      ['--docker-dir', '/d', '--state-dir=/s', '--start-at', 'beginning', '--include-label', 'team', '--include-label=env=prod', '--exclude-name', '*-debug', '--poll-interval', '100ms'],
      { TSLOGS_SIDECAR_STATE_DIR: '/env-state', TSLOGS_SIDECAR_CONFIG: '/c.json', TSLOGS_SIDECAR_EXCLUDE_IMAGE: 'redis, memcached', TSLOGS_HOSTNAME: 'h1' },
    );
    expect(s.dockerDir).toBe('/d');
    expect(s.stateDir).toBe('/s');
    expect(s.configFile).toBe('/c.json');
    expect(s.startAt).toBe('beginning');
    expect(s.rules.includeLabels).toEqual([{ key: 'team', value: undefined }, { key: 'env', value: 'prod' }]);
    expect(s.rules.excludeNames).toEqual(['*-debug']);
    expect(s.rules.excludeImages).toEqual(['redis', 'memcached']);
    expect(s.pollMs).toBe(100);
    expect(s.hostname).toBe('h1');
  });

  it('never takes the token on the command line, and names where sink options go', () => {
    expect(() => parseSidecarArgs(['--splunk-token', 'abc'], {})).toThrow(/^--splunk-token is refused: a secret on the command line is visible to every user of the host .*set TSLOGS_SPLUNK_TOKEN or TSLOGS_SPLUNK_TOKEN_FILE/);
    expect(() => parseSidecarArgs(['--splunk-token=abc'], {})).toThrow(/^--splunk-token is refused/);
    expect(() => parseSidecarArgs(['--splunk-url', 'https://x'], {})).toThrow('unknown flag --splunk-url (sink options such as --splunk-url go in --config or the environment, e.g. TSLOGS_SPLUNK_URL)');
  });

  it('usage errors', () => {
    expect(() => parseSidecarArgs(['--start-at', 'middle'], {})).toThrow("--start-at must be end or beginning, got 'middle'");
    expect(() => parseSidecarArgs(['--config'], {})).toThrow('--config needs a value');
    expect(() => parseSidecarArgs(['--config', 'a', '--config', 'b'], {})).toThrow('--config given twice');
    expect(() => parseSidecarArgs(['extra'], {})).toThrow("unexpected argument 'extra'");
    expect(() => parseSidecarArgs(['--poll-interval', '5'], {})).toThrow('--poll-interval: time: missing unit in duration "5"');
    expect(parseSidecarArgs(['--help'], {}).help).toBe(true);
  });
});
