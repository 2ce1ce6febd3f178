// Go regexp (RE2 syntax, Perl flags, Go 1.19) translated to a JS RegExp for
// `tslogs logs --grep` (unanchored matching), whose worker thread rebuilds the
// RegExp from its source (protocol/grep-worker.ts). labels-regex and env-regex use
// re2js instead (regexp.ts).
// Patterns are parsed with RE2's grammar and error texts, so what RE2 rejects
// is rejected with Go's message, including JS-only constructs: lookaround,
// backreferences (\1, \k<n>), (?<name>…) (Go 1.22+), \cX, \uXXXX. Output uses
// the `v` flag with literals written as \u{…}, so nothing takes on a JS meaning.
// Emulated because JS lacks them: \A \z, (?m) (?s) (no inline flags before
// Node 23), POSIX classes, \Q…\E, ASCII-only \s, `.` matching \r and U+2028.
// Non-greedy and (?U) are dropped: greediness cannot change whether a match exists.
// Unsupported (TSLOGS_REGEX_UNSUPPORTED): (?i) over only part of an expression,
// as JS folds case for a whole RegExp only.
// Remaining differences: RE2's limits on nested repetition (1000 copies) and
// program size are not enforced; JS's \p{C} includes unassigned code points,
// and it accepts script aliases (\p{Grek}) and newer Unicode data; with (?i),
// JS's \b counts ſ and K (Kelvin) as word characters; JS backtracks, so a
// pathological pattern can be slow where RE2 is linear.

import { tslogsError } from '../errors.js';

class Re2Error extends Error {
  constructor(readonly code: string, readonly expr: string) {
    super(`${code}: \`${expr}\``);
  }
}

class Unsupported extends Error {}

interface Flags { i: boolean; m: boolean; s: boolean }

const u = (cp: number): string => `\\u{${cp.toString(16)}}`;
const range = (pairs: [number, number][]): string =>
  pairs.map(([lo, hi]) => (lo === hi ? u(lo) : `${u(lo)}-${u(hi)}`)).join('');

const SPACE = '\\t\\n\\f\\r ';
const PERL: Record<string, string> = { d: '\\d', D: '\\D', w: '\\w', W: '\\W', s: `[${SPACE}]`, S: `[^${SPACE}]` };
// POSIX classes in a mini range notation: "a-z" is a range, other characters stand alone.
const POSIX = new Map(
  Object.entries({
    alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\0-\x7f', blank: '\t ', cntrl: '\0-\x1f\x7f', digit: '0-9',
    graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-/:-@[-`{-~', space: '\t-\r ', upper: 'A-Z',
    word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
  }).map(([name, spec]) => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < spec.length; i += spec[i + 1] === '-' ? 3 : 1) {
      pairs.push([spec.charCodeAt(i), spec.charCodeAt(spec[i + 1] === '-' ? i + 2 : i)]);
    }
    return [name, range(pairs)];
  }),
);
// Go 1.19's unicode.Categories; anything else must be a script name.
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

// Asks the JS engine whether it knows the script.
function isScript(name: string): boolean {
  try {
    return /^[A-Z][A-Za-z_]*$/.test(name) && new RegExp(`\\p{sc=${name}}`, 'u').unicode;
  } catch {
    return false;
  }
}

const hasCase = (ch: string): boolean => ch.toLowerCase() !== ch || ch.toUpperCase() !== ch;
const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9A-Fa-f]$/.test(ch);
const isOctal = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '7';
const C_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

function translate(p: string): { source: string; fold: boolean } {
  let out = '';
  let flags: Flags = { i: false, m: false, s: false };
  const groups: { flags: Flags; start: number }[] = [];
  let atom = -1; // where in `out` the operand of a following repetition starts
  let lastRepeat = -1; // pattern index of the previous token if it was a repetition
  let fold: boolean | undefined;

  const push = (src: string, foldable: boolean): void => {
    if (foldable) {
      fold ??= flags.i;
      if (fold !== flags.i) throw new Unsupported('(?i) covering only part of the expression');
    }
    atom = out.length;
    out += src;
  };
  const open = (src: string, saved: Flags): void => {
    groups.push({ flags: saved, start: out.length });
    out += src;
    atom = -1;
  };
  const charAt = (j: number): string => (j < p.length ? String.fromCodePoint(p.codePointAt(j)!) : '');
  const literal = (ch: string): void => push(/^[0-9A-Za-z]$/.test(ch) ? ch : u(ch.codePointAt(0)!), hasCase(ch));

  function parseEscape(start: number): [number, number] {
    let j = start + 1;
    if (j >= p.length) throw new Re2Error('trailing backslash at end of expression', '');
    const c = charAt(j);
    j += c.length;
    const bad = () => new Re2Error('invalid escape sequence', p.slice(start, j));
    if (c < '\x80' && !/[0-9A-Za-z]/.test(c)) return [c.charCodeAt(0), j];
    if (isOctal(c) && (c === '0' || isOctal(p[j]))) {
      let r = Number(c);
      for (let k = 1; k < 3 && isOctal(p[j]); k++) r = r * 8 + Number(p[j++]);
      return [r, j];
    }
    if (c === 'x' && p[j] === '{') {
      let r = 0;
      for (j++; ; ) {
        if (j >= p.length) throw bad();
        const h = charAt(j);
        j += h.length;
        if (h === '}') break;
        if (!isHex(h) || (r = r * 16 + parseInt(h, 16)) > 0x10ffff) throw bad();
      }
      if (p[j - 2] === '{') throw bad();
      return [r, j];
    }
    if (c === 'x') {
      j = Math.min(j + 2, p.length);
      if (!/^[0-9A-Fa-f]{2}$/.test(p.slice(j - 2, j))) throw bad();
      return [parseInt(p.slice(j - 2, j), 16), j];
    }
    if (C_ESCAPES[c] !== undefined) return [C_ESCAPES[c], j];
    throw bad();
  }

  function unicodeClass(start: number): [string, number] {
    const braced = p[start + 2] === '{';
    const close = braced ? p.indexOf('}', start) : -1;
    if (braced && close < 0) throw new Re2Error('invalid character class range', p.slice(start));
    const end = braced ? close + 1 : start + 2 + charAt(start + 2).length;
    let name = p.slice(start + (braced ? 3 : 2), braced ? close : end);
    const negate = (p[start + 1] === 'P') !== name.startsWith('^');
    if (name.startsWith('^')) name = name.slice(1);
    const prop = name === 'Any' ? name : CATEGORIES.has(name) ? `gc=${name}` : isScript(name) ? `sc=${name}` : undefined;
    if (prop === undefined) throw new Re2Error('invalid character class range', p.slice(start, end));
    return [`\\${negate ? 'P' : 'p'}{${prop}}`, end];
  }

  function parseClass(start: number): number {
    const missing = () => new Re2Error('missing closing ]', p.slice(start));
    const classChar = (j: number): [number, number] => {
      if (j >= p.length) throw missing();
      if (p[j] === '\\') return parseEscape(j);
      const ch = charAt(j);
      return [ch.codePointAt(0)!, j + ch.length];
    };
    let j = start + 1;
    const negated = p[j] === '^';
    if (negated) j++;
    let body = '';
    for (let first = true; j >= p.length || p[j] !== ']' || first; first = false) {
      if (j >= p.length) throw missing();
      const posixEnd = p.startsWith('[:', j) ? p.indexOf(':]', j + 2) : -1;
      if (posixEnd >= 0) {
        const name = p.slice(j, posixEnd + 2);
        const set = POSIX.get(name.slice(name[2] === '^' ? 3 : 2, -2));
        if (set === undefined) throw new Re2Error('invalid character class range', name);
        body += `[${name[2] === '^' ? '^' : ''}${set}]`;
        j = posixEnd + 2;
      } else if (p[j] === '\\' && (p[j + 1] === 'p' || p[j + 1] === 'P')) {
        const [src, end] = unicodeClass(j);
        body += src;
        j = end;
      } else if (p[j] === '\\' && PERL[p[j + 1] ?? ''] !== undefined) {
        body += PERL[p[j + 1]!];
        j += 2;
      } else {
        const rangeStart = j;
        const [lo, loEnd] = classChar(j);
        let hi = lo;
        j = loEnd;
        if (p[j] === '-' && j + 1 < p.length && p[j + 1] !== ']') {
          [hi, j] = classChar(j + 1);
          if (hi < lo) throw new Re2Error('invalid character class range', p.slice(rangeStart, j));
        }
        body += range([[lo, hi]]);
      }
    }
    push(`[${negated ? '^' : ''}${body}]`, true);
    return j + 1;
  }

  // A trailing `?` (non-greedy) is checked but dropped.
  function repeat(start: number, opEnd: number): number {
    const end = p[opEnd] === '?' ? opEnd + 1 : opEnd;
    if (lastRepeat >= 0) throw new Re2Error('invalid nested repetition operator', p.slice(lastRepeat, end));
    if (atom < 0) throw new Re2Error('missing argument to repetition operator', p.slice(start, end));
    // Wrapping makes anchors and the lookaround emulations quantifiable, as they are in RE2.
    out = out.slice(0, atom) + '(?:' + out.slice(atom) + ')' + p.slice(start, opEnd);
    return end;
  }

  function perlGroup(start: number): number {
    const t = p.slice(start);
    if (t.length > 4 && t.startsWith('(?P<')) {
      const end = t.indexOf('>');
      if (end < 0) throw new Re2Error('invalid named capture', t);
      if (!/^[A-Za-z0-9_]+$/.test(t.slice(4, end))) throw new Re2Error('invalid named capture', t.slice(0, end + 1));
      open('(?:', flags);
      return start + end + 1;
    }
    const next = { ...flags };
    let sign = 1;
    let sawFlag = false;
    let j = start + 2;
    while (j < p.length) {
      const c = charAt(j);
      j += c.length;
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        if (c !== 'U') next[c] = sign > 0;
        sawFlag = true;
      } else if (c === '-' && sign > 0) {
        sign = -1;
        sawFlag = false;
      } else if ((c === ':' || c === ')') && (sign > 0 || sawFlag)) {
        if (c === ':') open('(?:', flags);
        flags = next;
        return j;
      } else break;
    }
    throw new Re2Error('invalid or unsupported Perl syntax', p.slice(start, j));
  }

  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    // Go treats a `{` that does not form a valid {n}, {n,} or {n,m} as a literal.
    const counted = c === '{' ? /^\{(0|[1-9]\d*)(,(0|[1-9]\d*)?)?\}/.exec(p.slice(i)) : null;
    let repeatStart = -1;
    if (c === '(' && p[i + 1] === '?') i = perlGroup(i);
    else if (c === '(') {
      open('(?:', flags);
      i++;
    } else if (c === '|') [out, atom, i] = [out + '|', -1, i + 1]; else if (c === ')') {
      const g = groups.pop();
      if (!g) throw new Re2Error('unexpected )', p);
      [out, flags, atom, i] = [out + ')', g.flags, g.start, i + 1];
    } else if (c === '^' || c === '$' || c === '.') {
      if (c === '.') push(flags.s ? '[\\s\\S]' : '[^\\n]', false);
      else if (flags.m) push(c === '^' ? '(?<![^\\n])' : '(?![^\\n])', false);
      else push(c, false);
      i++;
    } else if (c === '[') i = parseClass(i);
    else if (c === '*' || c === '+' || c === '?' || counted) {
      if (counted) {
        const [min, max] = [Number(counted[1]), counted[2] === undefined ? Number(counted[1]) : Number(counted[3] ?? -1)];
        if (min > 1000 || max > 1000 || (max >= 0 && min > max)) throw new Re2Error('invalid repeat count', counted[0]);
      }
      repeatStart = i;
      i = repeat(i, i + (counted ? counted[0].length : 1));
    } else if (c === '\\') i = backslash(i);
    else {
      const ch = charAt(i);
      literal(ch);
      i += ch.length;
    }
    lastRepeat = repeatStart;
  }
  if (groups.length > 0) throw new Re2Error('missing closing )', p);
  return { source: out, fold: fold ?? false };

  function backslash(start: number): number {
    const c = p[start + 1];
    if (c === 'A' || c === 'z') push(c === 'A' ? '^' : '$', false);
    else if (c === 'b' || c === 'B') push('\\' + c, false);
    else if (c === 'C') throw new Re2Error('invalid escape sequence', '\\C');
    else if (c === 'Q') {
      const end = p.indexOf('\\E', start + 2);
      for (const ch of p.slice(start + 2, end < 0 ? p.length : end)) literal(ch);
      return end < 0 ? p.length : end + 2;
    } else if (c === 'p' || c === 'P') {
      const [src, end] = unicodeClass(start);
      push(src, true);
      return end;
    } else if (c !== undefined && PERL[c] !== undefined) push(PERL[c], c === 'w' || c === 'W');
    else {
      const [cp, end] = parseEscape(start);
      literal(String.fromCodePoint(cp));
      return end;
    }
    return start + 2;
  }
}

/**
 * Compiles a Go regular expression for an unanchored match test. Errors name the option and carry
 * RE2's message, e.g. `error parsing regexp for labels-regex: missing closing ): \`(a\``.
 */
export function compileRe2(pattern: string, option: string): RegExp {
  try {
    const { source, fold } = translate(pattern);
    return new RegExp(source, fold ? 'iv' : 'v');
  } catch (e) {
    if (e instanceof Re2Error) throw tslogsError('TSLOGS_REGEX', option, e.message);
    if (e instanceof Unsupported) throw tslogsError('TSLOGS_REGEX_UNSUPPORTED', option, e.message, pattern);
    throw e;
  }
}
