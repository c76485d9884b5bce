/**
 * CloudEval-YAML's two YAML-aware metrics, reproduced from the upstream code
 * (alibaba/CloudEval-YAML @78b22ff: metrics/kv_wildcard.py and metrics/kv_match.py) so our scores
 * are the benchmark's own: the wildcard score is a leaf-level intersection-over-union, not 0/1.
 */
import { PyDict, pyEquals, pyStrictEquals, type PyValue } from './pyvalue.js';
import { safeLoadAll } from './yaml11.js';

/** `append_labels_to_keys`: a line ending in `*` that has a `#` marks its key as a wildcard. */
export function labelWildcards(reference: string): string {
  const lines = splitlines(reference);
  const out: string[] = [];
  for (const line of lines) {
    if (line.includes('#') && line.trimEnd().endsWith('*')) {
      const at = line.indexOf(':');
      // Python's `split[1]` on a line without ':' raises IndexError, and the case scores 0.
      if (at < 0) throw new Error('wildcard line without a key');
      out.push(line.slice(0, at).trimEnd() + '*:' + line.slice(at + 1));
    } else out.push(line);
  }
  if (reference.endsWith('\n')) out.push('');
  return out.join('\n');
}

/** Python's str.splitlines (the line boundaries it knows, no trailing empty line). */
function splitlines(s: string): string[] {
  const parts = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

interface Leaf {
  path: string[];
  value: PyValue;
  wildcard: boolean;
}

/** Python `str.rstrip('*')`. */
function stripStars(k: string): string {
  return k.replace(/\*+$/, '');
}

function leaves(doc: PyValue): Leaf[] {
  // `target_dict.items()` on None, a list or a scalar raises.
  if (!(doc instanceof PyDict)) throw new Error('document is not a mapping');
  const out: Leaf[] = [];
  for (const [key, value] of doc.entries) {
    if (typeof key !== 'string') throw new Error('non-string key');
    const k = stripStars(key);
    if (value instanceof PyDict) {
      for (const l of leaves(value)) out.push({ path: [k, ...l.path], value: l.value, wildcard: l.wildcard });
    } else if (Array.isArray(value) && value.length > 0 && value[0] instanceof PyDict) {
      for (const item of value) for (const l of leaves(item)) out.push({ path: [k, ...l.path], value: l.value, wildcard: l.wildcard });
    } else out.push({ path: [k], value, wildcard: key.endsWith('*') });
  }
  return out;
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function intersection(candidate: Leaf[], reference: Leaf[]): number {
  let n = 0;
  for (const r of reference) {
    for (const c of candidate) {
      if (samePath(c.path, r.path) && (r.wildcard || pyEquals(c.value, r.value))) {
        n++;
        break;
      }
    }
  }
  return n;
}

// A benchmark scores many candidates against one reference: parse each reference once.
const refCache = new Map<string, readonly PyValue[]>();

function labelledReference(reference: string): readonly PyValue[] {
  let docs = refCache.get(reference);
  if (!docs) {
    docs = safeLoadAll(labelWildcards(reference));
    if (refCache.size >= 512) refCache.clear();
    refCache.set(reference, docs);
  }
  return docs;
}

/** kv-wildcard score in [0, ~1]: the exact double upstream returns, 0 where upstream raises. */
export function kvWildcard(candidate: string, reference: string): number {
  try {
    let cand: PyValue[];
    try {
      cand = safeLoadAll(candidate);
    } catch {
      return 0;
    }
    const ref = [...labelledReference(reference)];
    if (ref.length === 0) return 0;
    while (cand.length < ref.length) cand.push(new PyDict());
    while (ref.length < cand.length) ref.push(new PyDict());
    let i = 0;
    let u = 0;
    for (let d = 0; d < ref.length; d++) {
      const cl = leaves(cand[d]);
      const rl = leaves(ref[d]);
      const inter = intersection(cl, rl);
      i += inter;
      u += cl.length + rl.length - inter;
    }
    // Python's ZeroDivisionError is caught by evaluate.py's try/except and scored 0.
    if (u === 0) return 0;
    return i / u;
  } catch {
    return 0;
  }
}

/** kv-exact (`kv_match`): same document count and DeepDiff finds no difference in any pair. 0 or 1. */
export function kvExact(candidate: string, reference: string): 0 | 1 {
  let cand: PyValue[];
  let ref: PyValue[];
  try {
    cand = safeLoadAll(candidate);
    ref = safeLoadAll(reference);
  } catch {
    return 0;
  }
  if (ref.length === 0 || cand.length !== ref.length) return 0;
  return cand.every((c, i) => pyStrictEquals(c, ref[i])) ? 1 : 0;
}
