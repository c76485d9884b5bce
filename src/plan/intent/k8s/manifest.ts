/**
 * Manifests as plain JSON values, with the few helpers every builder, rule and fixer needs:
 * typed access to nested maps/lists and the pod spec of any workload kind.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Manifest = JsonObject;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: Json | undefined): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function arr(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Get or create a nested map. */
export function ensure(o: JsonObject, key: string): JsonObject {
  const cur = o[key];
  if (isObject(cur)) return cur;
  const fresh: JsonObject = {};
  o[key] = fresh;
  return fresh;
}

/** Get or create a nested list. */
export function ensureList(o: JsonObject, key: string): Json[] {
  const cur = o[key];
  if (Array.isArray(cur)) return cur;
  const fresh: Json[] = [];
  o[key] = fresh;
  return fresh;
}

/** Drop undefined fields so they never reach YAML (`key: null` would add a leaf). */
export function compact(o: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

/** Copy plain data (e.g. parsed YAML) into Json, dropping functions/undefined. */
export function toJson(v: unknown): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined && typeof x !== 'function') out[k] = toJson(x);
    return out;
  }
  return String(v);
}

export function kindOf(m: Manifest): string {
  return str(m.kind) ?? '';
}

export function nameOf(m: Manifest): string {
  return str(obj(m.metadata)?.name) ?? '';
}

/** The pod template's spec of a workload (or the Pod's own spec); undefined for other kinds. */
export function podSpecOf(m: Manifest): JsonObject | undefined {
  const spec = obj(m.spec);
  if (!spec) return undefined;
  switch (kindOf(m)) {
    case 'Pod':
      return spec;
    case 'CronJob':
      return obj(obj(obj(obj(spec.jobTemplate)?.spec)?.template)?.spec);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return obj(obj(spec.template)?.spec);
    default:
      return undefined;
  }
}

export function containersOf(podSpec: JsonObject, includeInit = true): JsonObject[] {
  const list = [...arr(podSpec.containers)];
  if (includeInit) list.push(...arr(podSpec.initContainers));
  return list.filter(isObject);
}
