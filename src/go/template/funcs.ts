// Values and functions of Docker's tag templates: the Go types a template can
// see, how fmt prints them, and the functions Docker registers
// (daemon/logger/templates) plus the text/template builtins tslogs implements.

import type { ContainerInfo } from '../../container-info.js';
import { compareGoStrings, goJsonNoHtml, goJsonStringMap } from '../json.js';
import { goQuote } from '../strconv.js';
import { bareName } from '../../util/docker-names.js';

/** A Go value. `undefined` is text/template's invalid value ("<no value>"), `null` a nil interface. */
export type Val = string | number | boolean | null | undefined | GoSlice | GoMap | GoTime | GoInfo;
export interface GoSlice { kind: 'slice'; items: string[] | null }
export interface GoMap { kind: 'map'; entries: Record<string, string> | null }
export interface GoTime { kind: 'time'; rfc3339: string }
export interface GoInfo { kind: 'info'; info: ContainerInfo; hostname: string }

/** Go parameter types: `value` is reflect.Value (index, len), `any` is interface{}. */
export type ParamType = 'string' | 'int' | '[]string' | 'any' | 'value';
/** Errors thrown by `call` are Go errors or panics, reported as "error calling <name>: …". */
export interface GoFunc { params: ParamType[]; variadic?: ParamType; call: (args: Val[]) => Val }

const KIND_TYPES = { slice: '[]string', map: 'map[string]string', time: 'time.Time', info: '*logger.Info' };

export function typeName(v: Val): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return KIND_TYPES[v.kind];
  return typeof v === 'number' ? 'int' : typeof v === 'boolean' ? 'bool' : 'string';
}

// Struct field order of logger.Info, which fmt and encoding/json follow.
export const INFO_FIELDS = [
  'Config', 'ContainerID', 'ContainerName', 'ContainerEntrypoint', 'ContainerArgs', 'ContainerImageID',
  'ContainerImageName', 'ContainerCreated', 'ContainerEnv', 'ContainerLabels', 'LogPath', 'DaemonName',
] as const;
export type InfoField = (typeof INFO_FIELDS)[number];

export function infoField(info: ContainerInfo, name: InfoField): Val {
  switch (name) {
    case 'Config':
    case 'ContainerLabels':
      return { kind: 'map', entries: info[name] ?? null };
    case 'ContainerArgs':
    case 'ContainerEnv':
      return { kind: 'slice', items: info[name] ?? null };
    case 'ContainerCreated':
      return { kind: 'time', rfc3339: info.ContainerCreated };
    default:
      return info[name];
  }
}

// Go slices strings by byte and panics past the end; IDs are ASCII.
function first12(s: string): string {
  if (s.length < 12) throw new Error(`runtime error: slice bounds out of range [:12] with length ${s.length}`);
  return s.slice(0, 12);
}

/** The methods Docker defines on *logger.Info. */
export const INFO_METHODS = new Map<string, (i: GoInfo) => string>([
  ['ID', (i) => first12(i.info.ContainerID)],
  ['FullID', (i) => i.info.ContainerID],
  ['Name', (i) => bareName(i.info.ContainerName)],
  ['ImageID', (i) => first12(i.info.ContainerImageID)],
  ['ImageFullID', (i) => i.info.ContainerImageID],
  ['ImageName', (i) => i.info.ContainerImageName],
  ['Command', (i) => [i.info.ContainerEntrypoint, ...(i.info.ContainerArgs ?? [])].join(' ')],
  ['Hostname', (i) => i.hostname],
]);

/** time.Time.String() of the RFC 3339 value Docker sends (always UTC in practice). */
function timeString(rfc: string): string {
  const m = /^(\d{4,}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(?:Z|([+-]\d\d):(\d\d))$/.exec(rfc);
  if (!m) return rfc;
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[4] === undefined ? '+0000 UTC' : `${m[4]}${m[5]} ${m[4]}${m[5]}`;
  return `${m[1]} ${m[2]}${frac ? '.' + frac : ''} ${zone}`;
}

interface Spec { minus: boolean; zero: boolean; width?: number; prec?: number }
const PLAIN: Spec = { minus: false, zero: false };

function pad(s: string, spec: Spec, fill = spec.zero && !spec.minus ? '0' : ' '): string {
  const n = (spec.width ?? 0) - [...s].length;
  if (n <= 0) return s;
  return spec.minus ? s + ' '.repeat(n) : fill.repeat(n) + s;
}

function fmtInt(n: number, spec: Spec): string {
  const digits = Math.abs(n).toString().padStart(spec.prec ?? 0, '0');
  const sign = n < 0 ? '-' : '';
  if (spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    return sign + digits.padStart(spec.width - sign.length, '0');
  }
  return pad(sign + digits, spec, ' ');
}

function badVerb(verb: string, v: Val): string {
  return v === null || v === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(v)}=${fmtValue(v, 'v', PLAIN, 1)})`;
}

/** fmt's printing of one operand with verb v, s, d or q (depth > 0 inside containers). */
function fmtValue(v: Val, verb: string, spec: Spec, depth: number): string {
  if (v === null || v === undefined) return verb === 'v' ? pad('<nil>', spec) : badVerb(verb, v);
  if (typeof v === 'string') {
    const s = spec.prec === undefined ? v : [...v].slice(0, spec.prec).join('');
    if (verb === 'q') return pad(goQuote(s), spec);
    return verb === 'v' || verb === 's' ? pad(s, spec) : badVerb(verb, v);
  }
  if (typeof v === 'number') {
    if (verb === 'v' || verb === 'd') return fmtInt(v, spec);
    if (verb === 'q') return pad(goQuote(v >= 0 && v <= 0x10ffff ? String.fromCodePoint(v) : '\ufffd', "'"), spec);
    return badVerb(verb, v);
  }
  if (typeof v === 'boolean') return verb === 'v' ? pad(String(v), spec) : badVerb(verb, v);
  const inner = (x: Val) => fmtValue(x, verb, spec, depth + 1);
  switch (v.kind) {
    case 'slice':
      return `[${(v.items ?? []).map(inner).join(' ')}]`;
    case 'map': {
      const entries = v.entries ?? {};
      const keys = Object.keys(entries).sort(compareGoStrings);
      return `map[${keys.map((k) => `${inner(k)}:${inner(entries[k])}`).join(' ')}]`;
    }
    case 'time':
      // fmt uses the Stringer for v, s and q; other verbs would dump time.Time internals.
      if (verb === 'd') throw new Error('%d of a time.Time is not supported in tslogs tag templates');
      return fmtValue(timeString(v.rfc3339), verb, spec, depth);
    case 'info':
      return `${depth === 0 ? '&' : ''}{${INFO_FIELDS.map((f) => inner(infoField(v.info, f))).join(' ')}}`;
  }
}

/** What an action prints: fmt.Fprint after text/template dereferences pointers. */
export function printValue(v: Val): string {
  return v === undefined ? '<no value>' : fmtValue(v, 'v', PLAIN, typeof v === 'object' && v?.kind === 'info' ? 1 : 0);
}

function sprintf(format: string, args: Val[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    const m = /^%([-+# 0]*)(\d*)(?:\.(\d*))?(.?)/su.exec(format.slice(pct))!;
    const [text, flags, width, prec, verb] = [m[0], m[1]!, m[2]!, m[3], m[4]!];
    i = pct + text.length;
    if (verb === '') out += '%!(NOVERB)';
    else if (verb === '%') out += '%';
    else if (/[+# ]/.test(flags) || !'vsdq'.includes(verb)) {
      throw new Error(`${text} is not supported in tslogs tag templates (use %v %s %d %q with -, 0, width, precision)`);
    } else if (next >= args.length) out += `%!${verb}(MISSING)`;
    else {
      const spec: Spec = {
        minus: flags.includes('-'),
        zero: flags.includes('0'),
        width: width === '' ? undefined : Number(width),
        prec: prec === undefined ? undefined : Number(prec),
      };
      out += fmtValue(args[next++], verb, spec, 0);
    }
  }
  if (next < args.length) {
    const extra = args.slice(next).map((a) => (a == null ? '<nil>' : `${typeName(a)}=${fmtValue(a, 'v', PLAIN, 0)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: a space goes between operands when neither is a string. */
function sprint(args: Val[]): string {
  return args
    .map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + fmtValue(a, 'v', PLAIN, 0))
    .join('');
}

function toJson(v: Val): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonNoHtml(v);
  if (typeof v !== 'object') return String(v);
  switch (v.kind) {
    case 'slice':
      return v.items ? `[${v.items.map(goJsonNoHtml).join(',')}]` : 'null';
    case 'map':
      return v.entries ? goJsonStringMap(v.entries, false) : 'null';
    case 'time':
      return goJsonNoHtml(v.rfc3339);
    case 'info':
      return `{${INFO_FIELDS.map((f) => `"${f}":${toJson(infoField(v.info, f))}`).join(',')}}`;
  }
}

// Go maps case per code point (unicode.ToUpper/ToTitle/ToLower); JS's
// multi-character expansions such as ß → SS have no Go equivalent and are skipped.
function mapCase(s: string, upper: boolean): string {
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  return Array.from(s, (ch) => mapCase1(ch, upper)).join('');
}
function mapCase1(ch: string, upper: boolean): string {
  const m = upper ? ch.toUpperCase() : ch.toLowerCase();
  return [...m].length === 1 ? m : ch;
}

// strings.Title's word boundaries.
function isSeparator(ch: string): boolean {
  if (ch < '\x80') return !/[0-9A-Za-z_]/.test(ch);
  return /\p{White_Space}/u.test(ch);
}

function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? mapCase1(ch, true) : ch;
    prev = ch;
  }
  return out;
}

function index(item: Val, indexes: Val[]): Val {
  if (item === undefined) throw new Error('index of untyped nil');
  for (const ix of indexes) {
    if (typeof item === 'string' || (typeof item === 'object' && item?.kind === 'slice')) {
      const bytes: Buffer | null = typeof item === 'string' ? Buffer.from(item, 'utf8') : null;
      const len: number = bytes ? bytes.length : ((item as GoSlice).items?.length ?? 0);
      if (ix == null) throw new Error('cannot index slice/array with nil');
      if (typeof ix !== 'number') throw new Error(`cannot index slice/array with type ${typeName(ix)}`);
      if (ix < 0 || ix > len) throw new Error(`index out of range: ${ix}`);
      if (ix === len) throw new Error(`reflect: ${bytes ? 'string' : 'slice'} index out of range`);
      item = bytes ? bytes[ix]! : (item as GoSlice).items![ix]!;
    } else if (typeof item === 'object' && item?.kind === 'map') {
      if (ix == null) throw new Error('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new Error(`value has type ${typeName(ix)}; should be string`);
      item = item.entries && Object.hasOwn(item.entries, ix) ? item.entries[ix]! : '';
    } else {
      throw new Error(`can't index item of type ${typeName(item).replace(/^\*/, '')}`);
    }
  }
  return item;
}

function length(v: Val): number {
  if (v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'object' && v?.kind === 'slice') return v.items?.length ?? 0;
  if (typeof v === 'object' && v?.kind === 'map') return Object.keys(v.entries ?? {}).length;
  throw new Error(`len of type ${typeName(v).replace(/^\*/, '')}`);
}

const s = (v: Val): string => v as string;
const n = (v: Val): number => v as number;

export const FUNCS = new Map<string, GoFunc>([
  ['json', { params: ['any'], call: ([v]) => toJson(v) }],
  ['split', {
    params: ['string', 'string'],
    call: ([str, sep]) => ({ kind: 'slice', items: s(sep) === '' ? Array.from(s(str)) : s(str).split(s(sep)) }),
  }],
  ['join', { params: ['[]string', 'string'], call: ([a, sep]) => ((a as GoSlice).items ?? []).join(s(sep)) }],
  ['title', { params: ['string'], call: ([str]) => title(s(str)) }],
  ['lower', { params: ['string'], call: ([str]) => mapCase(s(str), false) }],
  ['upper', { params: ['string'], call: ([str]) => mapCase(s(str), true) }],
  ['pad', {
    params: ['string', 'int', 'int'],
    call: ([str, pre, post]) => {
      if (s(str) === '') return '';
      if (n(pre) < 0 || n(post) < 0) throw new Error('strings: negative Repeat count');
      return ' '.repeat(n(pre)) + s(str) + ' '.repeat(n(post));
    },
  }],
  ['truncate', {
    params: ['string', 'int'],
    call: ([str, len]) => {
      const bytes = Buffer.from(s(str), 'utf8');
      if (bytes.length < n(len)) return s(str);
      if (n(len) < 0) throw new Error(`runtime error: slice bounds out of range [:${n(len)}]`);
      return bytes.subarray(0, n(len)).toString('utf8');
    },
  }],
  ['index', { params: ['value'], variadic: 'value', call: ([item, ...ix]) => index(item, ix) }],
  ['len', { params: ['value'], call: ([v]) => length(v) }],
  ['printf', { params: ['string'], variadic: 'any', call: ([f, ...a]) => sprintf(s(f), a) }],
  ['print', { params: [], variadic: 'any', call: (a) => sprint(a) }],
  ['println', { params: [], variadic: 'any', call: (a) => a.map((x) => fmtValue(x, 'v', PLAIN, 0)).join(' ') + '\n' }],
]);

/** Go builtins tslogs does not implement: named in a clear compile error instead of "not defined". */
export const UNSUPPORTED_FUNCS = new Set(['and', 'call', 'eq', 'ge', 'gt', 'html', 'js', 'le', 'lt', 'ne', 'not', 'or', 'slice', 'urlquery']);
