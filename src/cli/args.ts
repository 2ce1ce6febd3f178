// Command line parsing (node:util parseArgs), with docker's flag syntax for `logs`:
// `-n 5`, `-n5`, `--tail=5`, `-ft`, and values that start with a dash (`--since -1h`,
// which parseArgs alone would refuse as ambiguous).
import { parseArgs } from 'node:util';
import { checkGrep, type StreamName } from '../protocol/logs-query.js';
import { parseTimeArg, TimeArgError } from './time-arg.js';
import type { Instant } from '../store/reader.js';

/**
 * A command line `docker logs` would refuse, with Docker's exit code: 125 for a flag
 * it cannot parse or a flag value it refuses while parsing (pflag), 1 for what its
 * command refuses after parsing (a missing container, a bad --since/--until).
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 125 = 125,
  ) {
    super(message);
  }
}

/** Docker's code for a command line that parsed but cannot be run (`"docker logs" requires exactly 1 argument`). */
const REFUSED = 1;

export interface LogsOptions {
  containers: string[];
  follow: boolean;
  /** undefined = no bound. */
  since: Instant | undefined;
  until: Instant | undefined;
  /** -1 = all. */
  tail: number;
  timestamps: boolean;
  details: boolean;
  stream: StreamName | undefined;
  grep: string | undefined;
  json: boolean;
  labels: string[];
  all: boolean;
  noPrefix: boolean;
  noColor: boolean;
}

export type Command =
  | { kind: 'logs'; options: LogsOptions }
  | { kind: 'ls'; json: boolean }
  | { kind: 'stats'; json: boolean; containers: string[] }
  | { kind: 'health'; socket: string | undefined; sidecar: boolean }
  | { kind: 'prune'; force: boolean; json: boolean }
  | { kind: 'reload'; socket: string | undefined }
  | { kind: 'routes'; socket: string | undefined; json: boolean }
  | { kind: 'plugin' }
  | { kind: 'help'; topic?: string | undefined }
  | { kind: 'version' };

const LOGS_OPTIONS = {
  follow: { type: 'boolean', short: 'f' },
  since: { type: 'string' },
  until: { type: 'string' },
  tail: { type: 'string', short: 'n' },
  timestamps: { type: 'boolean', short: 't' },
  details: { type: 'boolean' },
  stream: { type: 'string' },
  grep: { type: 'string' },
  json: { type: 'boolean' },
  label: { type: 'string', multiple: true },
  all: { type: 'boolean', short: 'a' },
  'no-prefix': { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

// `sidecar` is dispatched by main.ts before this parser (its own flags).
const SUBCOMMANDS = new Set(['ls', 'stats', 'health', 'prune', 'reload', 'routes', 'plugin', 'help', 'logs']);

/** Joins `--opt value` into `--opt=value` (and `-n value` into `-nvalue`) for options taking a value. */
export function joinValues(args: readonly string[], options: Record<string, { type: string; short?: string }>): string[] {
  const long = new Set(Object.entries(options).filter(([, o]) => o.type === 'string').map(([k]) => `--${k}`));
  const shortValue = new Set(Object.values(options).filter((o) => o.type === 'string' && o.short).map((o) => o.short!));
  const shortBool = new Set(Object.values(options).filter((o) => o.type === 'boolean' && o.short).map((o) => o.short!));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (long.has(a) && next !== undefined) {
      out.push(`${a}=${next}`);
      i++;
    } else if (/^-[a-zA-Z]+$/.test(a) && shortValue.has(a[a.length - 1]!) && [...a.slice(1, -1)].every((c) => shortBool.has(c)) && next !== undefined) {
      out.push(a + next);
      i++;
    } else out.push(a);
  }
  return out;
}

function parse<O extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: joinValues(args, options), options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message.split('\n')[0]!);
    throw err;
  }
}

export function parseCommand(argv: readonly string[]): Command {
  // A command word comes first; anything else is `logs` (`tslogs logs ls` reads a container named ls).
  const sub = argv[0] !== undefined && SUBCOMMANDS.has(argv[0]) ? argv[0] : undefined;
  const rest = sub === undefined ? argv : argv.slice(1);
  switch (sub) {
    case 'plugin':
      if (rest.length > 0) throw new UsageError(`'tslogs plugin' takes no arguments (settings come from the environment)`, REFUSED);
      return { kind: 'plugin' };
    case 'help':
      return { kind: 'help', topic: rest[0] };
    case 'ls': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`'tslogs ls' takes no container names`, REFUSED);
      return { kind: 'ls', json: values.json === true };
    }
    case 'health': {
      const { values, positionals } = parse(rest, { socket: { type: 'string' }, sidecar: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`'tslogs health' takes no arguments`, REFUSED);
      if (values.socket !== undefined && values.sidecar) throw new UsageError('--socket and --sidecar cannot be combined');
      return { kind: 'health', socket: values.socket, sidecar: values.sidecar === true };
    }
    case 'prune': {
      const { values, positionals } = parse(rest, { force: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`'tslogs prune' takes no container names (it prunes every container the engine no longer has)`, REFUSED);
      return { kind: 'prune', force: values.force === true, json: values.json === true };
    }
    case 'reload': {
      const { values, positionals } = parse(rest, { socket: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError(`'tslogs reload' takes no arguments (it re-reads the daemon's routes file)`, REFUSED);
      return { kind: 'reload', socket: values.socket };
    }
    case 'routes': {
      const { values, positionals } = parse(rest, { socket: { type: 'string' }, json: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`'tslogs routes' takes no arguments`, REFUSED);
      return { kind: 'routes', socket: values.socket, json: values.json === true };
    }
    case 'stats': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
      return { kind: 'stats', json: values.json === true, containers: positionals };
    }
  }
  const { values, positionals } = parse(rest, LOGS_OPTIONS);
  if (values.help) return { kind: 'help', topic: 'logs' };
  if (values.version && positionals.length === 0) return { kind: 'version' };
  return { kind: 'logs', options: logsOptions(values, positionals) };
}

type LogsValues = ReturnType<typeof parse<typeof LOGS_OPTIONS>>['values'];

function logsOptions(values: LogsValues, containers: string[], nowMs = Date.now()): LogsOptions {
  if (values.version) throw new UsageError('--version takes no other arguments');
  const all = values.all === true;
  const labels = values.label ?? [];
  if (containers.length === 0 && !all && labels.length === 0) {
    throw new UsageError('name at least one container (or use --label KEY=VALUE or --all)', REFUSED);
  }
  if (all && containers.length > 0) throw new UsageError('--all cannot be combined with container names');
  const stream = values.stream;
  if (stream !== undefined && stream !== 'stdout' && stream !== 'stderr') {
    throw new UsageError(`invalid value for "stream": "${stream}" (stdout or stderr)`);
  }
  for (const l of labels) if (l === '' || l.startsWith('=')) throw new UsageError(`invalid value for "label": "${l}" (KEY or KEY=VALUE)`);
  if (values.grep !== undefined && values.grep !== '') {
    try {
      checkGrep(values.grep);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return {
    containers,
    follow: values.follow === true,
    since: timeOption('since', values.since, nowMs),
    until: values.until === '0' ? undefined : timeOption('until', values.until, nowMs),
    tail: parseTail(values.tail),
    timestamps: values.timestamps === true,
    details: values.details === true,
    stream,
    grep: values.grep === '' ? undefined : values.grep,
    json: values.json === true,
    labels,
    all,
    noPrefix: values['no-prefix'] === true,
    noColor: values['no-color'] === true,
  };
}

function timeOption(flag: 'since' | 'until', value: string | undefined, nowMs: number): Instant | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return parseTimeArg(flag, value, nowMs);
  } catch (err) {
    // Docker parses --since/--until after the flags (client-side), failing with 1.
    if (err instanceof TimeArgError) throw new UsageError(err.message, REFUSED);
    throw err;
  }
}

/**
 * `all`, or a number (Go's strconv.Atoi syntax: an optional sign, digits); negative means
 * all, as in dockerd. Docker silently shows everything for any other text; tslogs refuses it.
 */
export function parseTail(value: string | undefined): number {
  if (value === undefined || value === 'all') return -1;
  if (!/^[+-]?\d+$/.test(value)) throw new UsageError(`invalid value for "tail": "${value}" (a number of lines, or all)`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`invalid value for "tail": "${value}" is out of range`);
  return n < 0 ? -1 : n;
}
