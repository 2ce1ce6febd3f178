import { describe, expect, it } from 'vitest';
import { joinValues, parseCommand, parseTail, UsageError } from '../../../src/cli/args.js';

const logs = (argv: string[]) => {
  const c = parseCommand(argv);
  if (c.kind !== 'logs') throw new Error(`not logs: ${c.kind}`);
  return c.options;
};

describe('tslogs command line', () => {
  it('takes docker logs flags in every docker spelling', () => {
    expect(logs(['web', '-f', '-t', '-n', '5', '--details'])).toMatchObject({ containers: ['web'], follow: true, timestamps: true, tail: 5, details: true });
    expect(logs(['-ft', 'web', '-n5'])).toMatchObject({ follow: true, timestamps: true, tail: 5 });
    expect(logs(['web', '--tail=7'])).toMatchObject({ tail: 7 });
    expect(logs(['web', '-fn', '3'])).toMatchObject({ follow: true, tail: 3 });
    expect(logs(['web', '--tail', '-1'])).toMatchObject({ tail: -1 });
    expect(logs(['web', '--since', '-10m'], ).since).toBeDefined();
    expect(logs(['web', '--', '-odd-name']).containers).toEqual(['web', '-odd-name']);
  });

  it('keeps the defaults of docker logs', () => {
    expect(logs(['web'])).toEqual({
      containers: ['web'], follow: false, since: undefined, until: undefined, tail: -1, timestamps: false, details: false,
      stream: undefined, grep: undefined, json: false, labels: [], all: false, noPrefix: false, noColor: false,
    });
  });

  it('parses --since/--until to instants; --until 0 is no bound, as in dockerd', () => {
    expect(logs(['web', '--since', '2023-01-02T15:04:05Z']).since).toEqual({ sec: 1672671845, nsec: 0 });
    expect(logs(['web', '--until', '1700000000.25']).until).toEqual({ sec: 1700000000, nsec: 250_000_000 });
    expect(logs(['web', '--until', '0']).until).toBeUndefined();
    expect(logs(['web', '--since', '']).since).toBeUndefined();
  });

  it('takes the extras', () => {
    expect(logs(['a', 'b', '--stream', 'stderr', '--grep', 'x|y', '--json', '--no-prefix', '--no-color'])).toMatchObject({
      containers: ['a', 'b'], stream: 'stderr', grep: 'x|y', json: true, noPrefix: true, noColor: true,
    });
    expect(logs(['--label', 'a=b', '--label', 'c'])).toMatchObject({ containers: [], labels: ['a=b', 'c'] });
    expect(logs(['--all'])).toMatchObject({ all: true });
    expect(logs(['-a'])).toMatchObject({ all: true });
  });

  it('routes command words, and `logs` for containers named like them', () => {
    expect(parseCommand(['ls'])).toEqual({ kind: 'ls', json: false });
    expect(parseCommand(['ls', '--json'])).toEqual({ kind: 'ls', json: true });
    expect(parseCommand(['stats', 'web'])).toEqual({ kind: 'stats', json: false, containers: ['web'] });
    expect(parseCommand(['plugin'])).toEqual({ kind: 'plugin' });
    expect(parseCommand(['help'])).toEqual({ kind: 'help', topic: undefined });
    expect(parseCommand(['--help'])).toEqual({ kind: 'help', topic: 'logs' });
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
    expect(logs(['logs', 'ls']).containers).toEqual(['ls']);
    expect(logs(['web', 'ls']).containers).toEqual(['web', 'ls']);
  });

  it.each([
    [['web', '--tail', 'x'], 'invalid value for "tail": "x" (a number of lines, or all)'],
    [['web', '--tail', '5.0'], 'invalid value for "tail": "5.0" (a number of lines, or all)'],
    [['web', '--since', 'soon'], 'invalid value for "since": failed to parse value as time or duration: "soon"'],
    [['web', '--stream', 'out'], 'invalid value for "stream": "out" (stdout or stderr)'],
    [['web', '--grep', '(?<n>x)'], 'error parsing regexp for --grep: invalid or unsupported Perl syntax: `(?<`'],
    [['web', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['web', '--tail'], "Option '-n, --tail <value>' argument missing"],
    [['--all', 'web'], '--all cannot be combined with container names'],
    [['-f'], 'name at least one container (or use --label KEY=VALUE or --all)'],
    [['plugin', 'x'], "'tslogs plugin' takes no arguments (settings come from the environment)"],
    [['ls', 'web'], "'tslogs ls' takes no container names"],
    [['--label', '=x'], 'invalid value for "label": "=x" (KEY or KEY=VALUE)'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it('gives Docker\'s exit codes: 125 for what the flag parser refuses, 1 for what the command refuses', () => {
    const code = (argv: string[]) => {
      try {
        parseCommand(argv);
      } catch (err) {
        return (err as UsageError).exitCode;
      }
      return 0;
    };
    expect([['web', '--frobnicate'], ['web', '--tail'], ['web', '--tail', 'x'], ['--all', 'web'], ['health', '--sidecar', '--socket', 's']].map(code)).toEqual([125, 125, 125, 125, 125]);
    expect([['-f'], ['web', '--since', 'soon'], ['ls', 'web'], ['plugin', 'x'], ['health', 'x']].map(code)).toEqual([1, 1, 1, 1, 1]);
  });

  it('parses tslogs reload and tslogs routes', () => {
    expect(parseCommand(['reload'])).toEqual({ kind: 'reload', socket: undefined });
    expect(parseCommand(['reload', '--socket', '/s.sock'])).toEqual({ kind: 'reload', socket: '/s.sock' });
    expect(parseCommand(['routes', '--json'])).toEqual({ kind: 'routes', socket: undefined, json: true });
    expect(() => parseCommand(['reload', 'x'])).toThrow("'tslogs reload' takes no arguments (it re-reads the daemon's routes file)");
    expect(() => parseCommand(['routes', '--all'])).toThrow(UsageError);
  });

  it('parses tslogs health', () => {
    expect(parseCommand(['health'])).toEqual({ kind: 'health', socket: undefined, sidecar: false });
    expect(parseCommand(['health', '--socket', '/s.sock'])).toEqual({ kind: 'health', socket: '/s.sock', sidecar: false });
    expect(parseCommand(['health', '--sidecar'])).toEqual({ kind: 'health', socket: undefined, sidecar: true });
  });

  it('reads --tail as dockerd does (Atoi: sign allowed, negative = all)', () => {
    expect([parseTail(undefined), parseTail('all'), parseTail('0'), parseTail('+3'), parseTail('-5'), parseTail('007')]).toEqual([-1, -1, 0, 3, -1, 7]);
  });

  it('joins option values that start with a dash', () => {
    const opts = { since: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, tail: { type: 'string', short: 'n' } };
    expect(joinValues(['--since', '-1h', '-fn', '-2', 'x'], opts)).toEqual(['--since=-1h', '-fn-2', 'x']);
    expect(joinValues(['--', '--since', 'x'], opts)).toEqual(['--', '--since', 'x']);
  });
});
