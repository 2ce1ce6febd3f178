// Go's regexp (RE2 syntax) for labels-regex, env-regex and --grep, through re2js, a port
// of RE2/Go's regexp: the same grammar, matching (linear time, no backtracking) and
// regexp/syntax error texts, which Docker shows as `regexp.Compile` returned them.

import { RE2JS, RE2JSSyntaxException } from 're2js';
import { tslogsError } from '../errors.js';

export interface GoRegexp {
  /** regexp.MatchString: an unanchored match anywhere in `s`. */
  test(s: string): boolean;
}

/**
 * Compiles a Go regular expression. Errors name the option and carry Go's message,
 * e.g. `error parsing regexp for labels-regex: missing closing ): \`(a\``.
 */
export function compileGoRegexp(pattern: string, option: string): GoRegexp {
  const re = compileRe2(pattern, option);
  return { test: (s) => re.test(s) };
}

/** A Go regular expression that masks what it matches in a line of bytes (the `redact` option). */
export interface GoMasker {
  /** An unanchored match anywhere in `line` (RE2's DFA: no match positions, the fast path). */
  test(line: Uint8Array): boolean;
  /**
   * `line` with every non-empty match replaced by `replacement` (literal: no `$1`
   * expansion), or undefined when nothing matched. Matching runs on the bytes, so
   * what is not matched stays byte for byte, invalid UTF-8 included.
   */
  mask(line: Buffer, replacement: Buffer): Buffer | undefined;
}

/** Compiles a Go regular expression for masking; errors as compileGoRegexp's. */
export function compileGoMasker(pattern: string, option: string): GoMasker {
  const re = compileRe2(pattern, option);
  return {
    test: (line) => re.test(line),
    mask: (line, replacement) => {
      const m = re.matcher(line);
      const parts: Buffer[] = [];
      let at = 0;
      while (m.find()) {
        const start = m.start();
        const end = m.end();
        // An empty match masks nothing (Go's ReplaceAll would insert the text there).
        if (end === start) continue;
        parts.push(line.subarray(at, start), replacement);
        at = end;
      }
      if (parts.length === 0) return undefined;
      parts.push(line.subarray(at));
      return Buffer.concat(parts);
    },
  };
}

function compileRe2(pattern: string, option: string): RE2JS {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    if (!(e instanceof RE2JSSyntaxException)) throw e;
    if (e.error === 'invalid named capture' && e.input?.startsWith('(?<')) throw go119NamedGroup(option);
    // Go prints the expression even when it is empty: "trailing backslash at end of expression: ``".
    throw tslogsError('TSLOGS_REGEX', option, `${e.error}: \`${e.input ?? ''}\``);
  }
  // Every group written (?P<name>…) names itself in the pattern; the others were (?<name>…).
  if (Object.keys(re.namedGroups()).some((name) => !pattern.includes(`(?P<${name}>`))) throw go119NamedGroup(option);
  return re;
}

/**
 * re2js follows Go 1.22, which added (?<name>…); Docker 20.10 is built with Go 1.19,
 * which refuses every `(?<` (lookbehind too) with this text. Where a pattern has
 * another error too, re2js's first error is reported, which may lie after the `(?<`.
 */
function go119NamedGroup(option: string): Error {
  return tslogsError('TSLOGS_REGEX', option, 'invalid or unsupported Perl syntax: `(?<`');
}
