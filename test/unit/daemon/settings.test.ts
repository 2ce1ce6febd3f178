// The daemon's settings are one list (src/daemon/settings.ts): the README's table and
// plugin/config.json must say the same, so no setting is documented but unsettable on
// the managed plugin, or settable but undocumented.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_SETTINGS, settingsFromEnv } from '../../../src/daemon/settings.js';
import { parseListenAddress } from '../../../src/daemon/listen-address.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'plugin/config.json'), 'utf8')) as {
  env: { name: string; settable: string[]; value: string }[];
  mounts: { destination: string }[];
  interface: { socket: string };
};

/** Rows of the README's "Daemon settings" table: name → [default, managed-plugin column]. */
function readmeTable(): Map<string, [string, string]> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Daemon settings'), readme.indexOf('\n## ', readme.indexOf('## Daemon settings') + 3));
  const rows = new Map<string, [string, string]>();
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z_]+)` \| (.*?) \| .* \| (.*) \|$/.exec(line);
    if (m !== null) rows.set(m[1]!, [m[2]!, m[3]!]);
  }
  return rows;
}

describe('daemon settings', () => {
  it('are all in the README table, with their defaults, and nothing else is', () => {
    const rows = readmeTable();
    expect([...rows.keys()]).toEqual(DAEMON_SETTINGS.map((s) => s.name));
    for (const s of DAEMON_SETTINGS) {
      const [shown, managed] = rows.get(s.name)!;
      expect(shown, s.name).toBe(s.default === '' ? shown : `\`${s.default}\``);
      if (s.default === '') expect(shown, s.name).toMatch(/^– \(/);
      expect(managed, s.name).toBe(s.managed === 'value' ? '`docker plugin set`' : managed);
    }
  });

  it('are settable on the managed plugin (plugin/config.json env), with the default or empty', () => {
    const env = new Map(config.env.map((e) => [e.name, e]));
    expect([...env.keys()].sort()).toEqual(DAEMON_SETTINGS.map((s) => s.name).sort());
    for (const s of DAEMON_SETTINGS) {
      const e = env.get(s.name)!;
      if (s.managed === 'value') {
        expect(e.settable, s.name).toEqual(['value']);
        expect([s.default, ''], s.name).toContain(e.value);
      } else {
        expect(e.settable, s.name).toEqual([]);
      }
    }
    // The fixed ones must match what the plugin's mounts and socket make of them.
    expect(config.mounts.map((m) => m.destination)).toContain(env.get('TSLOGS_ROOT')!.value);
    expect(config.mounts.map((m) => m.destination)).toContain(env.get('TSLOGS_DOCKER_CONTAINERS')!.value);
    expect(path.basename(env.get('TSLOGS_SOCKET')!.value)).toBe(config.interface.socket);
  });

  it('are in config/tslogs.env, the host daemon\'s defaults', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'config/tslogs.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l));
    expect(lines.map((l) => l.split('=')[0]).sort()).toEqual(DAEMON_SETTINGS.map((s) => s.name).sort());
  });

  it('are read from the environment, empty meaning the default', () => {
    const s = settingsFromEnv({ TSLOGS_ROOT: '/r', LOG_LEVEL: 'debug', TSLOGS_HOSTNAME: 'h1', TSLOGS_METRICS_ADDRESS: '[::1]:9411', SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: '7', SPLUNK_LOGGING_DRIVER_BUFFER_MAX: '' });
    expect(s).toMatchObject({ root: '/r', logLevel: 'debug', hostname: 'h1', metricsAddress: { host: '::1', port: 9411, display: '[::1]:9411' } });
    expect(s.splunk).toEqual({ SPLUNK_LOGGING_DRIVER_POST_MESSAGES_BATCH_SIZE: '7' });
    expect(settingsFromEnv({ TSLOGS_METRICS_ADDRESS: '' }).metricsAddress).toBeUndefined();
  });

  it('take TSLOGS_ROUTES_FILE as an absolute path, /etc/tslogs/routes.json by default (the managed plugin\'s certs mount)', () => {
    expect(settingsFromEnv({}).routesFile).toBe('/etc/tslogs/routes.json');
    expect(settingsFromEnv({ TSLOGS_ROUTES_FILE: '/srv/r.json' }).routesFile).toBe('/srv/r.json');
    expect(() => settingsFromEnv({ TSLOGS_ROUTES_FILE: 'routes.json' })).toThrow('invalid daemon setting TSLOGS_ROUTES_FILE="routes.json": expected an absolute path, such as /etc/tslogs/routes.json (see "Daemon settings" in the README)');
    expect(config.mounts.map((m) => m.destination)).toContain(path.dirname(settingsFromEnv({}).routesFile));
  });

  it('refuse a bad LOG_LEVEL or TSLOGS_METRICS_ADDRESS, naming it', () => {
    expect(() => settingsFromEnv({ LOG_LEVEL: 'loud' })).toThrow('invalid daemon setting LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent');
    expect(() => settingsFromEnv({ TSLOGS_METRICS_ADDRESS: '::1:9400' })).toThrow('invalid daemon setting TSLOGS_METRICS_ADDRESS="::1:9400": address ::1:9400: too many colons in address');
    expect(() => settingsFromEnv({ TSLOGS_METRICS_ADDRESS: '127.0.0.1:99999' })).toThrow('port "99999" is not a number from 0 to 65535');
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9400', '127.0.0.1', 9400],
    ['[::1]:9400', '::1', 9400],
    ['[::]:9401', '::', 9401],
    [':9402', '127.0.0.1', 9402],
    ['localhost', 'localhost', 9400],
    ['[::1]', '::1', 9400],
    ['0.0.0.0:0', '0.0.0.0', 0],
  ])('%s', (text, host, port) => {
    expect(parseListenAddress(text)).toMatchObject({ host, port });
  });

  it.each([['[::1'], ['host:port'], ['[::1]x'], ['a:b:c']])('refuses %s', (text) => {
    expect(typeof parseListenAddress(text)).toBe('string');
  });
});
