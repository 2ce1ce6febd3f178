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
  return { test: (s) => re.test(s) };
}

/**
 * re2js follows Go 1.22, which added (?<name>…); Docker 20.10 is built with Go 1.19,
 * which refuses every `(?<` (lookbehind too) with this text. Where a pattern has
 * another error too, re2js's first error is reported, which may lie after the `(?<`.
 */
function go119NamedGroup(option: string): Error {
  return tslogsError('TSLOGS_REGEX', option, 'invalid or unsupported Perl syntax: `(?<`');
}
