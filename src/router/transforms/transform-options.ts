import { tslogsError } from '../../errors.js';
import { parseGoBool } from '../../go/strconv.js';
import type { RateLimit, RateUnit } from './rate-limiter.js';
import { Redactor, type RedactRule } from './redactor.js';

/** What a container's transform options ask for; undefined when none is set (no stage at all). */
export interface TransformOptions {
  rateLimit: RateLimit | undefined;
  /** The `redact` rules for sinks; undefined when there are none. */
  redactor: Redactor | undefined;
  /** Whether the store is redacted too (at ingest). */
  redactStore: boolean;
}

export const DEFAULT_REDACT_REPLACEMENT = '[REDACTED]';

/** Keys besides the numbered `redact-N`. */
export const TRANSFORM_KEYS: ReadonlySet<string> = new Set(['rate-limit', 'rate-limit-burst', 'redact', 'redact-replacement', 'redact-store']);
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

/** Validates the transform options of a container; throws TslogsError naming the option. */
export function parseTransformOptions(config: Record<string, string>): TransformOptions | undefined {
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
  if (rateLimit === undefined && redactor === undefined) return undefined;
  return { rateLimit, redactor, redactStore };
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
