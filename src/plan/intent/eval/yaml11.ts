/**
 * `yaml.safe_load_all` as PyYAML 6 does it (YAML 1.1 implicit typing), on top of the `yaml`
 * package's parser. The parser gives the syntax tree with every scalar as source text; this file
 * resolves plain scalars with PyYAML's own implicit resolvers (copied from resolver.py) and builds
 * Python-like values, because the CloudEval-YAML metric's scores depend on exactly those types
 * (`yes` is True, `010` is 8, `1:30` is 90, `1e3` is a string, dates are dates).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { PyBytes, PyDate, PyDict, PyFloat, PyInt, type PyValue } from './pyvalue.js';

export class Yaml11Error extends Error {
  override name = 'Yaml11Error';
}

const T = 'tag:yaml.org,2002:';

// PyYAML's implicit resolvers, keyed by first character in the same order it adds them (resolver.py).
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const MERGE = /^(?:<<)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const VALUE = /^(?:=)$/;
const YAMLTAG = /^(?:!|&|\*)$/;

type Resolver = [string, RegExp];
const RESOLVERS = new Map<string, Resolver[]>();
function add(tag: string, re: RegExp, first: string): void {
  for (const ch of first.length === 0 ? [''] : [...first]) {
    const list = RESOLVERS.get(ch) ?? [];
    list.push([T + tag, re]);
    RESOLVERS.set(ch, list);
  }
}
add('bool', BOOL, 'yYnNtTfFoO');
add('float', FLOAT, '-+0123456789.');
add('int', INT, '-+0123456789');
add('merge', MERGE, '<');
add('null', NULL, '~nN');
add('null', NULL, '');
add('timestamp', TIMESTAMP, '0123456789');
add('value', VALUE, '=');
add('yaml', YAMLTAG, '!&*');

/** PyYAML's Resolver.resolve for a plain scalar. */
export function resolvePlain(value: string): string {
  const list = RESOLVERS.get(value === '' ? '' : value[0]) ?? [];
  for (const [tag, re] of list) if (re.test(value)) return tag;
  return T + 'str';
}

function sexagesimal(digits: string, parse: (s: string) => number | bigint): number | bigint {
  let base = 1n;
  let total = 0n;
  let ftotal = 0;
  let fbase = 1;
  const parts = digits.split(':').map(parse).reverse();
  if (typeof parts[0] === 'bigint') {
    for (const p of parts as bigint[]) {
      total += p * base;
      base *= 60n;
    }
    return total;
  }
  for (const p of parts as number[]) {
    ftotal += p * fbase;
    fbase *= 60;
  }
  return ftotal;
}

function constructInt(raw: string): PyInt {
  let v = raw.replaceAll('_', '');
  let sign = 1n;
  if (v[0] === '-') sign = -1n;
  if ('+-'.includes(v[0])) v = v.slice(1);
  if (v === '0') return new PyInt(0n);
  if (v.startsWith('0b')) return new PyInt(sign * BigInt(v));
  if (v.startsWith('0x')) return new PyInt(sign * BigInt(v));
  if (v[0] === '0') return new PyInt(sign * BigInt('0o' + v.slice(1)));
  if (v.includes(':')) return new PyInt(sign * (sexagesimal(v, (s) => BigInt(s)) as bigint));
  if (!/^[0-9]+$/.test(v)) throw new Yaml11Error(`invalid int ${JSON.stringify(raw)}`);
  return new PyInt(sign * BigInt(v));
}

function constructFloat(raw: string): PyFloat {
  let v = raw.replaceAll('_', '').toLowerCase();
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if ('+-'.includes(v[0])) v = v.slice(1);
  if (v === '.inf') return new PyFloat(sign * Infinity);
  if (v === '.nan') return new PyFloat(NaN);
  if (v.includes(':')) return new PyFloat(sign * (sexagesimal(v, (s) => Number(s)) as number));
  // Python's float() accepts "1." and ".5", as does Number(); the resolver already fixed the shape.
  const n = Number(v);
  if (Number.isNaN(n)) throw new Yaml11Error(`invalid float ${JSON.stringify(raw)}`);
  return new PyFloat(sign * n);
}

const BOOL_VALUES: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

function constructBool(raw: string): boolean {
  const b = BOOL_VALUES[raw.toLowerCase()];
  if (b === undefined) throw new Yaml11Error(`invalid bool ${JSON.stringify(raw)}`);
  return b;
}

const TS = /^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?$/;

function constructTimestamp(raw: string): PyDate {
  const m = TS.exec(raw);
  if (!m) throw new Yaml11Error(`invalid timestamp ${JSON.stringify(raw)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || d < 1 || probe.getUTCDate() !== d) throw new Yaml11Error(`day is out of range for month: ${raw}`);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  if (m[4] === undefined) return new PyDate('date', `${pad(y, 4)}-${pad(mo)}-${pad(d)}`);
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (h > 23 || mi > 59 || s > 59) throw new Yaml11Error(`time out of range: ${raw}`);
  const micro = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  let ms = Date.UTC(y, mo - 1, d, h, mi, s);
  let zone = 'naive';
  if (m[8] !== undefined) {
    zone = 'aware';
    if (m[9] !== undefined) {
      const off = (Number(m[10]) * 60 + Number(m[11] ?? '0')) * 60_000;
      ms -= m[9] === '-' ? -off : off;
    }
  }
  return new PyDate('datetime', `${zone}:${ms}.${micro}`);
}

function constructBinary(raw: string): PyBytes {
  const clean = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new Yaml11Error('failed to decode base64 data');
  return new PyBytes(Buffer.from(clean, 'base64').toString('hex'));
}

function constructScalar(tag: string, raw: string): PyValue {
  switch (tag) {
    case T + 'str':
      return raw;
    case T + 'null':
      return null;
    case T + 'bool':
      return constructBool(raw);
    case T + 'int':
      return constructInt(raw);
    case T + 'float':
      return constructFloat(raw);
    case T + 'timestamp':
      return constructTimestamp(raw);
    case T + 'binary':
      return constructBinary(raw);
    default:
      // SafeConstructor.construct_undefined: `=` (tag:yaml.org,2002:value), `<<` outside a mapping key, custom tags.
      throw new Yaml11Error(`could not determine a constructor for the tag ${tag}`);
  }
}

/** Python's `hash()` fails on lists and dicts: PyYAML refuses them as mapping keys. */
function hashable(v: PyValue): boolean {
  return !(Array.isArray(v) || v instanceof PyDict);
}

class Constructor {
  private readonly memo = new Map<YamlNode, PyValue>();

  constructor(
    private readonly doc: Document,
    private readonly text: string,
  ) {}

  node(n: unknown): PyValue {
    if (n === null || n === undefined) return null;
    if (isAlias(n)) {
      const target = n.resolve(this.doc);
      if (!target) throw new Yaml11Error(`found undefined alias ${n.source}`);
      return this.node(target);
    }
    const cached = this.memo.get(n as YamlNode);
    if (cached !== undefined) return cached;
    if (isScalar(n)) return this.scalar(n);
    if (isSeq(n)) {
      const tag = n.tag;
      if (tag && tag !== T + 'seq' && tag !== T + 'omap' && tag !== T + 'pairs' && tag !== '!') throw new Yaml11Error(`could not determine a constructor for the tag ${tag}`);
      const out: PyValue[] = [];
      this.memo.set(n, out);
      for (const item of n.items) out.push(this.node(item));
      return out;
    }
    if (isMap(n)) {
      const tag = n.tag;
      if (tag && tag !== T + 'map' && tag !== T + 'set' && tag !== '!') throw new Yaml11Error(`could not determine a constructor for the tag ${tag}`);
      const out = new PyDict();
      this.memo.set(n, out);
      this.mapping(n.items, out);
      return out;
    }
    throw new Yaml11Error('unexpected node');
  }

  private scalar(n: Scalar): PyValue {
    const source = typeof n.source === 'string' ? n.source : String(n.value ?? '');
    const raw = n.type === Scalar.BLOCK_LITERAL || n.type === Scalar.BLOCK_FOLDED ? this.blockEnd(n, source) : source;
    const explicit = n.tag;
    if (explicit && explicit !== '!') return constructScalar(explicit, raw);
    if (explicit === '!' || n.type !== Scalar.PLAIN) return raw;
    return constructScalar(resolvePlain(raw), raw);
  }

  /** A block scalar whose last line has no line break (end of stream) ends without one in PyYAML; the parser adds it. */
  private blockEnd(n: Scalar, raw: string): string {
    if (!raw.endsWith('\n') || !n.range) return raw;
    const body = this.text.slice(n.range[0], n.range[1]).replace(/[ \t]+$/, '');
    return /[\r\n]$/.test(body) ? raw : raw.slice(0, -1);
  }

  /** SafeConstructor.flatten_mapping + construct_mapping: merged pairs first, own pairs override. */
  private mapping(items: readonly unknown[], out: PyDict): void {
    const merged: [PyValue, PyValue][] = [];
    const own: [PyValue, PyValue][] = [];
    for (const item of items) {
      if (!isPair(item)) throw new Yaml11Error('unexpected mapping item');
      const keyNode = item.key;
      const isMerge = isScalar(keyNode) && !keyNode.tag && keyNode.type === Scalar.PLAIN && keyNode.source === '<<';
      if (isMerge) {
        const v = this.node(item.value);
        const sources = v instanceof PyDict ? [v] : Array.isArray(v) ? [...v].reverse() : null;
        if (!sources) throw new Yaml11Error('expected a mapping or list of mappings for merging');
        const acc: [PyValue, PyValue][] = [];
        for (const s of sources) {
          if (!(s instanceof PyDict)) throw new Yaml11Error('expected a mapping for merging');
          acc.unshift(...s.entries.map((e): [PyValue, PyValue] => [e[0], e[1]]));
        }
        merged.push(...acc);
        continue;
      }
      const key = this.node(keyNode);
      if (!hashable(key)) throw new Yaml11Error('found unhashable key');
      own.push([key, this.node(item.value)]);
    }
    for (const [k, v] of [...merged, ...own]) out.set(k, v);
  }
}

/**
 * Parse a YAML stream like `list(yaml.safe_load_all(text))`; throws Yaml11Error where PyYAML raises.
 * Parsing is the `yaml` package's (YAML 1.1 mode); known syntax it accepts but PyYAML rejects is refused here too.
 */
export function safeLoadAll(text: string): PyValue[] {
  const docs = parseAllDocuments(text, { version: '1.1', schema: 'failsafe', uniqueKeys: false, strict: true, prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  const out: PyValue[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Yaml11Error(doc.errors[0].message.split('\n')[0]);
    out.push(new Constructor(doc, text).node(doc.contents));
  }
  return out;
}

/** Whether the text parses as PyYAML would parse it. */
export function parsesAsYaml11(text: string): boolean {
  try {
    safeLoadAll(text);
    return true;
  } catch {
    return false;
  }
}
