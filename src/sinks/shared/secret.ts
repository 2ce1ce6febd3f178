import { inspect } from 'node:util';

/**
 * A secret option's value (a token, a credentials file's bytes), kept out of anything
 * that logs, serialises or inspects the options: only reveal() gives it, at the one
 * place that puts it on the wire.
 */
export class Secret<T = string> {
  readonly #value: T;
  constructor(
    value: T,
    /** What inspect() calls it, e.g. `Credentials`. */
    private readonly kind = 'Secret',
  ) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return '<redacted>';
  }
  toJSON(): string {
    return '<redacted>';
  }
  [inspect.custom](): string {
    return `${this.kind}(<redacted>)`;
  }
}
