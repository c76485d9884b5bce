/**
 * Python values as PyYAML's safe loader builds them, so benchmark metrics written in Python
 * (CloudEval-YAML) can be reproduced bit for bit: ints and floats stay distinct (DeepDiff cares),
 * dates are their own type, and dicts keep insertion order and Python key equality.
 */

export class PyInt {
  constructor(readonly value: bigint) {}
}

export class PyFloat {
  constructor(readonly value: number) {}
}

/** `datetime.date` or `datetime.datetime`; `key` is a canonical text that is equal iff the values are. */
export class PyDate {
  constructor(readonly kind: 'date' | 'datetime', readonly key: string) {}
}

export class PyBytes {
  constructor(readonly hex: string) {}
}

export class PyDict {
  readonly entries: [PyValue, PyValue][] = [];

  /** Python `d[k] = v`: an equal key keeps its first spelling and takes the new value. */
  set(key: PyValue, value: PyValue): void {
    for (const e of this.entries) {
      if (pyEquals(e[0], key)) {
        e[1] = value;
        return;
      }
    }
    this.entries.push([key, value]);
  }

  get(key: PyValue): PyValue | undefined {
    for (const [k, v] of this.entries) if (pyEquals(k, key)) return v;
    return undefined;
  }

  has(key: PyValue): boolean {
    return this.entries.some(([k]) => pyEquals(k, key));
  }

  get size(): number {
    return this.entries.length;
  }
}

/** `set` values (`!!set`) are rare enough to be kept as their members' list. */
export type PyValue = null | boolean | string | PyInt | PyFloat | PyDate | PyBytes | PyValue[] | PyDict;

/** The number behind bool/int/float, for Python's cross-type numeric equality (`1 == 1.0 == True`). */
function numeric(v: PyValue): { big?: bigint; num: number } | undefined {
  if (typeof v === 'boolean') return { big: v ? 1n : 0n, num: v ? 1 : 0 };
  if (v instanceof PyInt) return { big: v.value, num: Number(v.value) };
  if (v instanceof PyFloat) return { num: v.value };
  return undefined;
}

/** Python `==` on the values PyYAML produces. */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (a === b) return typeof a !== 'number';
  const na = numeric(a);
  const nb = numeric(b);
  if (na || nb) {
    if (!na || !nb) return false;
    if (na.big !== undefined && nb.big !== undefined) return na.big === nb.big;
    // int vs float: Python compares exactly; a float with a fractional part never equals an int.
    const f = na.big === undefined ? na.num : nb.num;
    const i = na.big === undefined ? nb.big : na.big;
    if (i === undefined) return na.num === nb.num;
    return Number.isInteger(f) && BigInt(f) === i;
  }
  if (a === null || b === null) return false;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (a instanceof PyDate && b instanceof PyDate) return a.kind === b.kind && a.key === b.key;
  if (a instanceof PyBytes && b instanceof PyBytes) return a.hex === b.hex;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.size !== b.size) return false;
    return a.entries.every(([k, v]) => {
      const other = b.get(k);
      return other !== undefined && pyEquals(v, other);
    });
  }
  return false;
}

/** Type-strict equality, as DeepDiff at default options reports "no difference" (3 ≠ 3.0, 1 ≠ True). */
export function pyStrictEquals(a: PyValue, b: PyValue): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  if (a instanceof PyInt || b instanceof PyInt) return a instanceof PyInt && b instanceof PyInt && a.value === b.value;
  if (a instanceof PyFloat || b instanceof PyFloat) {
    return a instanceof PyFloat && b instanceof PyFloat && (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value)));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyStrictEquals(x, b[i]));
  }
  if (a instanceof PyDict || b instanceof PyDict) {
    if (!(a instanceof PyDict && b instanceof PyDict) || a.size !== b.size) return false;
    return a.entries.every(([k, v]) => {
      const other = b.get(k);
      return other !== undefined && pyStrictEquals(v, other);
    });
  }
  return pyEquals(a, b);
}

/** Plain JSON-ish view (for debugging and for feeding parsed candidates to other checks). */
export function pyToJs(v: PyValue): unknown {
  if (v instanceof PyInt) return Number(v.value);
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyDate) return v.key;
  if (v instanceof PyBytes) return v.hex;
  if (Array.isArray(v)) return v.map(pyToJs);
  if (v instanceof PyDict) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v.entries) o[typeof k === 'string' ? k : String(pyToJs(k))] = pyToJs(x);
    return o;
  }
  return v;
}
