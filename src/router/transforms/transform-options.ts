import { TslogsError, tslogsError } from '../../errors.js';
import { parseGoDuration } from '../../go/duration.js';
import { compileGoMasker } from '../../go/regexp.js';
import { parseBinarySize } from '../../go/size.js';
import { parseGoBool } from '../../go/strconv.js';
import type { MultilineOptions } from './multiline.js';
import { type GrammarFactory, PRESET_NAMES, PRESETS, type PresetName, startGrammar } from './multiline-rules.js';
import type { RateLimit, RateUnit } from './rate-limiter.js';
import { Redactor, type RedactRule } from './redactor.js';

/** What a container's transform options ask for; undefined when none is set (no stage at all). */
export interface TransformOptions {
  /** Joining the lines of stack traces into events; undefined without multiline or multiline-start. */
  multiline: MultilineOptions | undefined;
  rateLimit: RateLimit | undefined;
  /** The `redact` rules for sinks; undefined when there are none. */
  redactor: Redactor | undefined;
  /** Whether the store is redacted too (at ingest). */
  redactStore: boolean;
}

export const DEFAULT_REDACT_REPLACEMENT = '[REDACTED]';

/** Keys besides the numbered `redact-N`. */
export const TRANSFORM_KEYS: ReadonlySet<string> = new Set([
  'multiline',
  'multiline-start',
  'multiline-flush',
  'multiline-max-lines',
  'multiline-max-bytes',
  'rate-limit',
  'rate-limit-burst',
  'redact',
  'redact-replacement',
  'redact-store',
]);
/**
 * Docker's log-opts are a flat map of strings, and any separator could be part of a
 * regular expression (`;`, `,`, `|` all are RE2 syntax): several rules are several
 * keys, `redact`, `redact-1` … `redact-99`, applied in that order.
 */
const NUMBERED = /^redact-([1-9][0-9]?)$/;

export function isNumberedRedactKey(key: string): boolean {
  return NUMBERED.test(key);
}

/** Highest accepted rate-limit and rate-limit-burst: beyond it a limit limits nothing a daemon can ingest. */
export const MAX_RATE = 1_000_000_000;

/**
 * multiline-flush: runtimes write a trace at once, so a second apart means it is over;
 * short, since with `java` every line waits for the next one (or for this).
 */
export const DEFAULT_MULTILINE_FLUSH_MS = 1_000;
/** multiline-max-lines: Logstash's multiline codec's max_lines. */
export const DEFAULT_MULTILINE_MAX_LINES = 500;
/** multiline-max-bytes: as partial-max-size's default, the longest line. */
export const DEFAULT_MULTILINE_MAX_BYTES = 1024 * 1024;
const MAX_MULTILINE_LINES = 1_000_000;

/** Validates the transform options of a container; throws TslogsError naming the option. */
export function parseTransformOptions(config: Record<string, string>): TransformOptions | undefined {
  const multiline = parseMultiline(config);
  const rateLimit = parseRateLimit(config);
  const rules = redactRules(config);
  const replacement = config['redact-replacement'];
  const store = config['redact-store'];
  if (rules.length === 0) {
    if (replacement !== undefined) throw tslogsError('TSLOGS_OPTION_NEEDS', 'redact-replacement', 'redact');
    if (store !== undefined) throw tslogsError('TSLOGS_OPTION_NEEDS', 'redact-store', 'redact');
  }
  let redactStore = false;
  if (store !== undefined) {
    try {
      redactStore = parseGoBool(store);
    } catch (err) {
      throw tslogsError('TSLOGS_OPTION_VALUE', 'redact-store', (err as Error).message);
    }
  }
  const redactor = rules.length === 0 ? undefined : new Redactor(rules, replacement ?? DEFAULT_REDACT_REPLACEMENT);
  if (multiline === undefined && rateLimit === undefined && redactor === undefined) return undefined;
  return { multiline, rateLimit, redactor, redactStore };
}

function parseRateLimit(config: Record<string, string>): RateLimit | undefined {
  const raw = config['rate-limit'];
  const rawBurst = config['rate-limit-burst'];
  if (raw === undefined) {
    if (rawBurst !== undefined) throw tslogsError('TSLOGS_OPTION_NEEDS', 'rate-limit-burst', 'rate-limit');
    return undefined;
  }
  const m = /^([0-9]+)\/([smh])$/.exec(raw);
  if (m === null) throw tslogsError('TSLOGS_OPTION_VALUE', 'rate-limit', `expected lines per second, minute or hour such as '1000/s', '600/m' or '100/h', got '${raw}'`);
  const count = lineCount('rate-limit', m[1]!, raw);
  const burst = rawBurst === undefined ? count : lineCount('rate-limit-burst', rawBurst, rawBurst);
  return { count, unit: m[2] as RateUnit, burst };
}

function lineCount(key: string, digits: string, raw: string): number {
  const n = /^[0-9]+$/.test(digits) ? Number(digits) : Number.NaN;
  if (!(n >= 1 && n <= MAX_RATE)) throw tslogsError('TSLOGS_OPTION_VALUE', key, `expected a whole number of lines from 1 to ${MAX_RATE}, got '${raw}'`);
  return n;
}

function redactRules(config: Record<string, string>): RedactRule[] {
  const rules: { n: number; rule: RedactRule }[] = [];
  for (const [key, pattern] of Object.entries(config)) {
    const n = key === 'redact' ? 0 : Number(NUMBERED.exec(key)?.[1] ?? Number.NaN);
    if (Number.isNaN(n)) continue;
    if (pattern === '') throw tslogsError('TSLOGS_OPTION_VALUE', key, 'expected a regular expression (RE2 syntax), got an empty value');
    rules.push({ n, rule: { option: key, pattern } });
  }
  return rules.sort((a, b) => a.n - b.n).map((r) => r.rule);
}

function parseMultiline(config: Record<string, string>): MultilineOptions | undefined {
  const presets = config.multiline;
  const start = config['multiline-start'];
  if (presets !== undefined && start !== undefined) throw tslogsError('TSLOGS_OPTION_PAIR', 'multiline', 'multiline-start', 'set one or the other (a start pattern stands for the presets)');
  if (presets === undefined && start === undefined) {
    for (const key of ['multiline-flush', 'multiline-max-lines', 'multiline-max-bytes']) {
      if (config[key] !== undefined) throw tslogsError('TSLOGS_OPTION_NEEDS', key, 'multiline');
    }
    return undefined;
  }
  let grammars: GrammarFactory[];
  if (start !== undefined) {
    if (start === '') throw tslogsError('TSLOGS_OPTION_VALUE', 'multiline-start', 'expected a regular expression (RE2 syntax), got an empty value');
    const re = compileGoMasker(start, 'multiline-start');
    grammars = [startGrammar((line) => re.test(line))];
  } else grammars = presetList(presets!).map((name) => PRESETS[name]);
  return {
    option: start !== undefined ? 'multiline-start' : 'multiline',
    grammars,
    flushMs: flushMs(config) ?? DEFAULT_MULTILINE_FLUSH_MS,
    maxLines: maxLines(config['multiline-max-lines']) ?? DEFAULT_MULTILINE_MAX_LINES,
    maxBytes: maxBytes(config) ?? DEFAULT_MULTILINE_MAX_BYTES,
  };
}

function presetList(raw: string): PresetName[] {
  const names = raw.split(',');
  const known = (n: string): n is PresetName => (PRESET_NAMES as readonly string[]).includes(n);
  const bad = names.find((n) => !known(n));
  if (bad !== undefined) throw tslogsError('TSLOGS_OPTION_VALUE', 'multiline', `expected ${PRESET_NAMES.join(', ')}, or several of them separated by commas, got '${raw}'`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw tslogsError('TSLOGS_OPTION_VALUE', 'multiline', `'${twice}' is listed twice in '${raw}'`);
  if (names.includes('java') && names.at(-1) !== 'java') {
    throw tslogsError('TSLOGS_OPTION_VALUE', 'multiline', `list java last: it begins an event at every unindented line, so no preset after it would see one, got '${raw}'`);
  }
  return names as PresetName[];
}

/**
 * A router option's value through `parse` (Go's strconv, time, size), its errors named
 * after the option (`invalid value for log opt 'k': time: …`); undefined when it is not set.
 */
export function routerOption<T>(config: Record<string, string>, key: string, parse: (raw: string) => T): T | undefined {
  const raw = config[key];
  if (raw === undefined) return undefined;
  try {
    return parse(raw);
  } catch (err) {
    if (err instanceof TslogsError) throw tslogsError('TSLOGS_OPTION_VALUE', key, err.message);
    throw err;
  }
}

function flushMs(config: Record<string, string>): number | undefined {
  const ms = routerOption(config, 'multiline-flush', parseGoDuration);
  if (ms !== undefined && !(ms >= 1)) throw tslogsError('TSLOGS_OPTION_VALUE', 'multiline-flush', `expected a duration of at least 1ms such as '500ms' or '2s', got '${config['multiline-flush']}'`);
  return ms;
}

function maxLines(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 2 && n <= MAX_MULTILINE_LINES)) throw tslogsError('TSLOGS_OPTION_VALUE', 'multiline-max-lines', `expected a whole number of lines from 2 to ${MAX_MULTILINE_LINES}, got '${raw}'`);
  return n;
}

function maxBytes(config: Record<string, string>): number | undefined {
  const n = routerOption(config, 'multiline-max-bytes', parseBinarySize);
  if (n !== undefined && !(n > 0)) throw tslogsError('TSLOGS_OPTION_POSITIVE', 'multiline-max-bytes', config['multiline-max-bytes']!);
  return n;
}
