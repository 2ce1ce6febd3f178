// The routes file (README "Routes"): its shape and permissions (config/routes-file.ts),
// and each route checked by its sink's own parser (router/routes.ts). Every error text.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoutesText, readRoutesFile } from '../../../src/config/routes-file.js';
import { sameRoute, shownOptions, validateRoutes } from '../../../src/router/routes.js';
import { BUILTIN_SINKS, secretOptionKeys } from '../../../src/sinks/registry.js';
import { tmpDir } from '../../helpers/tmp.js';

const F = '/etc/tslogs/routes.json';
const SECRETS = secretOptionKeys(BUILTIN_SINKS);
const SHAPE = 'expected {"routes": {"NAME": {"OPTION": "VALUE", …}, …}}, e.g. {"routes": {"prod-splunk": {"splunk-url": "https://splunk:8088", "splunk-token-file": "/etc/tslogs/splunk.token"}}}';

const parseError = (text: string) => {
  try {
    parseRoutesText(text, F);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('parsed');
};

describe('parseRoutesText', () => {
  it('reads each route as --log-opt values: numbers and booleans as their text', () => {
    const routes = parseRoutesText(JSON.stringify({ routes: { 'prod-splunk': { 'splunk-url': 'https://s:8088', 'splunk-gzip-level': 5, 'splunk-gzip': true }, 'a.b_c': { 'syslog-address': 'udp://127.0.0.1:514' } } }), F);
    expect([...routes]).toEqual([
      ['prod-splunk', { 'splunk-url': 'https://s:8088', 'splunk-gzip-level': '5', 'splunk-gzip': 'true' }],
      ['a.b_c', { 'syslog-address': 'udp://127.0.0.1:514' }],
    ]);
    expect(parseRoutesText('{"routes": {}}', F).size).toBe(0);
  });

  it.each([
    ['{"routes": ', `routes file ${F}: not valid JSON: ${(() => { try { JSON.parse('{"routes": '); } catch (e) { return (e as Error).message; } return ''; })()}`],
    ['[]', `routes file ${F}: the file must hold one JSON object: ${SHAPE}`],
    ['"x"', `routes file ${F}: the file must hold one JSON object: ${SHAPE}`],
    ['{"routes": {}, "route": {}}', `routes file ${F}: unknown key "route" at the top level (the only one is "routes")`],
    ['{}', `routes file ${F}: no "routes" key: ${SHAPE} (an empty file of routes is {"routes": {}})`],
    ['{"routes": []}', `routes file ${F}: "routes" must be an object of route names: ${SHAPE}`],
    ['{"routes": {"a,b": {}}}', `routes file ${F}: route name "a,b" is not valid: up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit`],
    ['{"routes": {"-a": {}}}', `routes file ${F}: route name "-a" is not valid: up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit`],
    [`{"routes": {"${'a'.repeat(65)}": {}}}`, `routes file ${F}: route name "${'a'.repeat(65)}" is not valid: up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit`],
    ['{"routes": {"r1": "splunk"}}', `routes file ${F}: route "r1" must be an object of sink options, e.g. {"splunk-url": "https://splunk:8088"}`],
    ['{"routes": {"r1": {"splunk-url": null}}}', `routes file ${F}: route "r1": the value of "splunk-url" must be a string, number or boolean`],
    ['{"routes": {"r1": {"splunk-url": ["a"]}}}', `routes file ${F}: route "r1": the value of "splunk-url" must be a string, number or boolean`],
    ['{"routes": {"r1": {}}}', `routes file ${F}: route "r1" has no options: give at least its sink's address option (such as splunk-url or syslog-address)`],
  ])('refuses %s', (text, message) => {
    expect(parseError(text)).toBe(message);
  });
});

describe('readRoutesFile', () => {
  const write = (text: string, mode = 0o600) => {
    const file = path.join(tmpDir(), 'routes.json');
    fs.writeFileSync(file, text);
    fs.chmodSync(file, mode);
    return file;
  };
  const readError = (file: string) => {
    try {
      readRoutesFile(file, SECRETS);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('read');
  };

  it('takes a missing file as no routes', () => {
    expect(readRoutesFile(path.join(tmpDir(), 'none.json'), SECRETS)).toEqual({ routes: new Map(), present: false });
  });

  it('says why a file cannot be read', () => {
    const dir = tmpDir();
    expect(readError(dir)).toBe(`routes file ${dir}: cannot read it: EISDIR`);
  });

  it('refuses a file group or others can write: they would choose where the logs go', () => {
    const file = write('{"routes": {}}', 0o664);
    expect(readError(file)).toBe(`routes file ${file}: it is writable by group or others (mode 0664), who could send every container's logs elsewhere: chmod 600 ${file} (or 644 when it holds no token)`);
    expect(readRoutesFile(write('{"routes": {}}', 0o644), SECRETS).present).toBe(true);
  });

  it('refuses a token in a file every user can read, and reads splunk-token-file instead', () => {
    const file = write('{"routes": {"s": {"splunk-url": "http://127.0.0.1:1", "splunk-token": "t0k"}}}', 0o644);
    expect(readError(file)).toBe(`routes file ${file}: route "s" holds splunk-token, and the file is readable by every user (mode 0644): chmod 600 ${file}, or name a file holding it with splunk-token-file`);
    fs.chmodSync(file, 0o600);
    expect(readRoutesFile(file, SECRETS).routes.get('s')).toEqual({ 'splunk-url': 'http://127.0.0.1:1', 'splunk-token': 't0k' });

    const tokenFile = path.join(tmpDir(), 'token');
    fs.writeFileSync(tokenFile, 'from-file\n', { mode: 0o600 });
    const withFile = write(JSON.stringify({ routes: { s: { 'splunk-url': 'http://127.0.0.1:1', 'splunk-token-file': tokenFile } } }), 0o644);
    expect(readRoutesFile(withFile, SECRETS).routes.get('s')).toEqual({ 'splunk-url': 'http://127.0.0.1:1', 'splunk-token': 'from-file' });
  });

  it('says chmod alone for a secret that has no file option (otlp-headers)', () => {
    const file = write('{"routes": {"o": {"otlp-endpoint": "http://127.0.0.1:4318", "otlp-headers": "authorization=Bearer x"}}}', 0o644);
    expect(readError(file)).toBe(`routes file ${file}: route "o" holds otlp-headers, and the file is readable by every user (mode 0644): chmod 600 ${file}`);
  });

  it.each([
    ['relative', () => 'token', () => 'must be an absolute path'],
    ['missing', (dir: string) => path.join(dir, 'none'), () => 'cannot read it: ENOENT'],
    ['empty', (dir: string) => { const f = path.join(dir, 't'); fs.writeFileSync(f, '\n', { mode: 0o600 }); return f; }, () => 'the file is empty'],
    ['world-readable', (dir: string) => { const f = path.join(dir, 't'); fs.writeFileSync(f, 'x'); fs.chmodSync(f, 0o644); return f; }, (f: string) => `is readable by every user (mode 0644): chmod 600 ${f}`],
  ])('refuses a %s splunk-token-file', (_what, make, detail) => {
    const tokenFile = make(tmpDir());
    const file = write(JSON.stringify({ routes: { s: { 'splunk-url': 'http://127.0.0.1:1', 'splunk-token-file': tokenFile } } }));
    expect(readError(file)).toBe(`routes file ${file}: route "s": splunk-token-file ${tokenFile}: ${detail(tokenFile)}`);
  });

  it('refuses both splunk-token and splunk-token-file', () => {
    const file = write(JSON.stringify({ routes: { s: { 'splunk-url': 'http://127.0.0.1:1', 'splunk-token': 'a', 'splunk-token-file': '/x' } } }));
    expect(readError(file)).toBe(`routes file ${file}: route "s" sets both splunk-token and splunk-token-file: keep one`);
  });
});

describe('validateRoutes', () => {
  const routes = (r: Record<string, Record<string, string>>) => new Map(Object.entries(r));
  const error = (r: Record<string, Record<string, string>>) => {
    try {
      validateRoutes(routes(r), BUILTIN_SINKS, F);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('valid');
  };

  it('finds each route\'s one sink', () => {
    const table = validateRoutes(routes({ s: { 'splunk-url': 'https://127.0.0.1:8088', 'splunk-token': 't', 'splunk-format': 'raw' }, g: { 'gelf-address': 'udp://127.0.0.1:12201' } }), BUILTIN_SINKS, F);
    expect([...table.values()].map((r) => [r.name, r.sink.name])).toEqual([['s', 'splunk'], ['g', 'gelf']]);
    expect(shownOptions(table.get('s')!, BUILTIN_SINKS)).toEqual({ 'splunk-url': 'https://127.0.0.1:8088', 'splunk-token': '<redacted>', 'splunk-format': 'raw' });
  });

  it.each([
    [{ splunk: { 'splunk-url': 'http://a' } }, `routes file ${F}: route "splunk" has the name of a sink: name it otherwise (e.g. "splunk-main")`],
    [{ r: { 'splunk-url': 'http://a', 'max-size': '1m' } }, `routes file ${F}: route "r": "max-size" is not an option of any sink (splunk, fluentd, gelf, syslog, nats, otlp, loki); a route holds one sink's options only`],
    [{ r: { 'splunk-url': 'http://a', 'syslog-address': 'udp://127.0.0.1:514' } }, `routes file ${F}: route "r" mixes options of the splunk and syslog sinks: a route holds exactly one sink, make one route per sink`],
    [{ r: { 'splunk-token': 't' } }, `routes file ${F}: route "r" has splunk options but no splunk-url, which names the receiver`],
    [{ r: { 'splunk-url': 'http://127.0.0.1:8088' } }, `routes file ${F}: route "r": splunk: splunk-token is expected`],
    [{ r: { 'syslog-address': 'tcp://127.0.0.1:514', 'syslog-format': 'rfc9999' } }, `routes file ${F}: route "r": log opt 'syslog-format': Invalid syslog format`],
  ])('refuses %j', (r, message) => {
    expect(error(r)).toBe(message);
  });

  it('tells a changed route from an unchanged one', () => {
    const a = validateRoutes(routes({ s: { 'syslog-address': 'udp://127.0.0.1:514', 'syslog-format': 'rfc5424' } }), BUILTIN_SINKS, F).get('s')!;
    const same = validateRoutes(routes({ s: { 'syslog-format': 'rfc5424', 'syslog-address': 'udp://127.0.0.1:514' } }), BUILTIN_SINKS, F).get('s')!;
    const other = validateRoutes(routes({ s: { 'syslog-address': 'udp://127.0.0.1:515', 'syslog-format': 'rfc5424' } }), BUILTIN_SINKS, F).get('s')!;
    const fewer = validateRoutes(routes({ s: { 'syslog-address': 'udp://127.0.0.1:514' } }), BUILTIN_SINKS, F).get('s')!;
    expect([sameRoute(a, same), sameRoute(a, other), sameRoute(a, fewer), sameRoute(fewer, a)]).toEqual([true, false, false, false]);
  });
});
