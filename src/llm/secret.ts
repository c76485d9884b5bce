import { inspect } from 'node:util';

const MASK = '[redacted]';

/**
 * A credential (an API key) that cannot leak by accident: printing, logging, `JSON.stringify` or
 * `util.inspect` of it, or of any config object holding it, shows `[redacted]`. Only `reveal()` gives the
 * value, and only the code that puts it in an Authorization header calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}
