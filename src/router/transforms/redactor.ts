import { compileGoMasker, type GoMasker } from '../../go/regexp.js';

export interface RedactRule {
  /** The option that set it (`redact`, `redact-2`…), for error texts. */
  option: string;
  pattern: string;
}

/**
 * Masks a container's `redact` rules in a line. A line is first tested against all
 * rules at once (one alternation, RE2's DFA, no match positions): most lines match no
 * rule, and cost that one test. A line that matches is masked rule by rule, in the
 * order of the options, each rule seeing what the ones before it left.
 */
export class Redactor {
  private readonly any: Pick<GoMasker, 'test'>;
  private readonly rules: GoMasker[];
  private readonly replacement: Buffer;

  constructor(rules: readonly RedactRule[], replacement: string) {
    // Compiled one by one first, so an error names the option that has it.
    this.rules = rules.map((r) => compileGoMasker(r.pattern, r.option));
    this.any = rules.length === 1 ? this.rules[0]! : anyOf(rules, this.rules);
    this.replacement = Buffer.from(replacement, 'utf8');
  }

  /** `line` masked, or undefined when no rule matches it (the line is then used as it is). */
  redact(line: Buffer): Buffer | undefined {
    if (!this.any.test(line)) return undefined;
    let out: Buffer | undefined;
    for (const rule of this.rules) out = rule.mask(out ?? line, this.replacement) ?? out;
    return out;
  }
}

/** One test for all rules; rules that cannot be joined (the same group name twice) are tested in turn. */
function anyOf(rules: readonly RedactRule[], compiled: readonly GoMasker[]): Pick<GoMasker, 'test'> {
  try {
    return compileGoMasker(rules.map((r) => `(?:${r.pattern})`).join('|'), rules[0]!.option);
  } catch {
    return { test: (line) => compiled.some((r) => r.test(line)) };
  }
}
