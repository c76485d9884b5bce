/**
 * Deep copy of a twin's state for TwinCluster.fork(). The cluster is plain data in class instances (typed arrays,
 * arrays, maps, a seeded Rng with its state in a field), so a structural copy that keeps each object's prototype
 * is an exact, independent twin: same future under the same actions, and no effect on the original.
 * Functions are shared: the twin's load functions are pure in their output (a trace lookup's search hint only
 * speeds it up). Objects in `shared` (the immutable config and the instance catalogue) are kept by identity, and
 * aliasing inside the copied graph is preserved.
 */
export function deepFork<T extends object>(root: T, shared: Iterable<object> = []): T {
  const memo = new Map<object, unknown>();
  for (const s of shared) memo.set(s, s);
  return copy(root, memo) as T;
}

function copy(v: unknown, memo: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) throw new Error('deepFork: DataView is not supported');
    const c = (v as unknown as { slice(): unknown }).slice();
    memo.set(v, c);
    return c;
  }
  if (Array.isArray(v)) {
    const c: unknown[] = new Array<unknown>(v.length);
    memo.set(v, c);
    for (let i = 0; i < v.length; i++) c[i] = copy(v[i], memo);
    return c;
  }
  if (v instanceof Map) {
    const c = new Map<unknown, unknown>();
    memo.set(v, c);
    for (const [k, x] of v) c.set(copy(k, memo), copy(x, memo));
    return c;
  }
  if (v instanceof Set) {
    const c = new Set<unknown>();
    memo.set(v, c);
    for (const x of v) c.add(copy(x, memo));
    return c;
  }
  if (v instanceof Date) return new Date(v.getTime());
  const proto: unknown = Object.getPrototypeOf(v);
  const c = Object.create(proto as object | null) as Record<string | symbol, unknown>;
  memo.set(v, c);
  for (const key of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (!d) continue;
    if ('value' in d) d.value = copy(d.value, memo);
    Object.defineProperty(c, key, d);
  }
  return c;
}
