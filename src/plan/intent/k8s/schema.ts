/**
 * Kubernetes schema validation with `kubernetes-models` (4.x: its OpenAPI-derived validators run on
 * Node ≥ 14; 5.x needs Node 22, so 4.x is pinned). The model modules are loaded on first use, one
 * API group at a time, to keep start-up fast. Unknown kinds are reported, not guessed at.
 */
import type { Finding } from '../findings.js';
import { arr, kindOf, nameOf, obj, type Manifest } from './manifest.js';

interface ModelCtor {
  new (data: unknown): { validate(): void };
}

type ModelModule = Record<string, unknown>;

// Static specifiers so the module graph stays analysable; only the groups we can emit or receive.
const GROUPS: Record<string, () => Promise<ModelModule>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
  'autoscaling/v1': () => import('kubernetes-models/autoscaling/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
  'rbac.authorization.k8s.io/v1': () => import('kubernetes-models/rbac.authorization.k8s.io/v1'),
  'storage.k8s.io/v1': () => import('kubernetes-models/storage.k8s.io/v1'),
  'scheduling.k8s.io/v1': () => import('kubernetes-models/scheduling.k8s.io/v1'),
};

const loaded = new Map<string, ModelModule>();

async function modelFor(apiVersion: string, kind: string): Promise<ModelCtor | undefined> {
  const load = GROUPS[apiVersion];
  if (!load) return undefined;
  let mod = loaded.get(apiVersion);
  if (!mod) {
    mod = await load();
    loaded.set(apiVersion, mod);
  }
  const ctor = mod[kind];
  return typeof ctor === 'function' ? (ctor as ModelCtor) : undefined;
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function ajvErrors(e: unknown): AjvError[] {
  const list = typeof e === 'object' && e !== null ? (e as { errors?: unknown }).errors : undefined;
  if (Array.isArray(list)) return list.filter((x): x is AjvError => typeof x === 'object' && x !== null);
  return [{ message: e instanceof Error ? e.message : String(e) }];
}

/** Fields ObjectMeta accepts: the API server rejects (strict decoding) or drops anything else. */
const META_FIELDS = new Set(['name', 'namespace', 'labels', 'annotations', 'generateName', 'finalizers', 'ownerReferences', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

function unknownMetadata(m: Manifest, object: string, index: number): Finding[] {
  const meta = obj(m.metadata);
  if (!meta) return [];
  return Object.keys(meta)
    .filter((k) => !META_FIELDS.has(k))
    .map((k) => ({ ruleId: 'SCHEMA-META', severity: 'error' as const, source: 'schema' as const, object, index, path: `/metadata/${k}`, message: `metadata has no field "${k}" (kubectl --validate=strict rejects it)` }));
}

/** Secret `data` values must be base64 strings (the API decodes them into bytes). */
function secretData(m: Manifest, object: string, index: number): Finding[] {
  if (kindOf(m) !== 'Secret') return [];
  const data = obj(m.data);
  if (!data) return [];
  return Object.entries(data)
    .filter(([, v]) => typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
    .map(([k]) => ({ ruleId: 'SCHEMA-SECRET-DATA', severity: 'error' as const, source: 'schema' as const, object, index, path: `/data/${k}`, message: `Secret data "${k}" is not a base64 string` }));
}

export async function validateSchema(manifests: readonly Manifest[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (let index = 0; index < manifests.length; index++) {
    const m = manifests[index];
    const kind = kindOf(m);
    const apiVersion = typeof m.apiVersion === 'string' ? m.apiVersion : '';
    const object = `${kind || '?'}/${nameOf(m) || '?'}`;
    if (!kind || !apiVersion) {
      out.push({ ruleId: 'SCHEMA', severity: 'error', source: 'schema', object, index, message: 'apiVersion and kind are required' });
      continue;
    }
    const Model = await modelFor(apiVersion, kind);
    if (!Model) {
      out.push({ ruleId: 'SCHEMA-UNKNOWN-KIND', severity: 'warning', source: 'schema', object, index, message: `no schema for ${apiVersion} ${kind} (unknown or removed API version)` });
      continue;
    }
    try {
      new Model(m).validate();
    } catch (e) {
      for (const err of ajvErrors(e).slice(0, 20)) {
        out.push({ ruleId: 'SCHEMA', severity: 'error', source: 'schema', object, index, path: err.instancePath ?? '', message: `${err.instancePath || '/'} ${err.message ?? 'is invalid'}` });
      }
    }
    out.push(...unknownMetadata(m, object, index), ...secretData(m, object, index));
    if (arr(m.items).length > 0) out.push({ ruleId: 'SCHEMA', severity: 'warning', source: 'schema', object, index, message: 'List objects are not expected here' });
  }
  return out;
}
