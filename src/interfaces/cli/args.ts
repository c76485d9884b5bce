import { UserError } from '../../core/errors.js';
import { parseDuration } from '../../execute/twin/faults.js';

/** Commander option parsers that turn bad numbers into located UserErrors (exit 2) instead of NaN. */
export function positiveNumber(flag: string, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UserError(`expected a positive number, got '${v}'`, flag);
    if (n > max) throw new UserError(`${n} is more than the maximum of ${max}`, flag);
    return n;
  };
}

export function integer(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) throw new UserError(`expected an integer in ${min}..${max}, got '${v}'`, flag);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(allowed as readonly string[]).includes(v)) throw new UserError(`unknown value '${v}' (known: ${allowed.join(', ')})`, flag);
    return v as T;
  };
}

/** `90s`, `10m`, `2h`, `1d12h` or plain seconds. */
export function duration(flag: string): (v: string) => number {
  return (v) => {
    const n = parseDuration(v);
    if (!Number.isFinite(n) || n < 0) throw new UserError(`expected a duration such as 90s, 10m, 2h, got '${v}'`, flag);
    return n;
  };
}
