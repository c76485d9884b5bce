import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Finding a service's manifests in a GitOps repository: its workload (Deployment or StatefulSet named like the
 * service), the HorizontalPodAutoscaler that targets it, if any, and a kustomize `replicas:` override, if any.
 */

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** One document of one file. */
export interface ManifestRef {
  /** Repository-relative, `/`-separated. */
  file: string;
  docIndex: number;
  kind: string;
  name: string;
  namespace?: string;
  data: Record<string, unknown>;
}

export interface WorkloadManifests {
  workload: ManifestRef;
  /** The HPA whose scaleTargetRef is the workload: it owns the replica count. */
  hpa?: ManifestRef;
  /** A kustomization whose `replicas:` list names the workload: it overrides spec.replicas at build time. */
  kustomizeReplicas?: { ref: ManifestRef; index: number; count: number | undefined };
}

export class ManifestLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestLookupError';
  }
}

interface Scan {
  docs: ManifestRef[];
  unreadable: string[];
}

/** Every YAML document under `dir` (recursively; `.git` and dot-folders skipped). */
export function scanManifests(repoRoot: string, dir: string): Scan {
  const out: Scan = { docs: [], unreadable: [] };
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      throw new ManifestLookupError(`manifest folder ${relative(repoRoot, d) || '.'} does not exist in the repository`);
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.')) walk(p);
      } else if (e.isFile() && (/\.ya?ml$/.test(e.name) || KUSTOMIZATION_FILES.has(e.name))) {
        const file = relative(repoRoot, p).split(sep).join('/');
        const docs = parseAllDocuments(readFileSync(p, 'utf8'));
        if (!Array.isArray(docs) || docs.some((x) => x.errors.length > 0)) {
          out.unreadable.push(file);
          continue;
        }
        docs.forEach((doc, docIndex) => {
          const data: unknown = doc.toJS();
          if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
          const rec = data as Record<string, unknown>;
          const meta = (rec.metadata ?? {}) as Record<string, unknown>;
          const kind = typeof rec.kind === 'string' ? rec.kind : KUSTOMIZATION_FILES.has(e.name) ? 'Kustomization' : '';
          if (!kind) return;
          const ref: ManifestRef = { file, docIndex, kind, name: typeof meta.name === 'string' ? meta.name : '', data: rec };
          if (typeof meta.namespace === 'string') ref.namespace = meta.namespace;
          out.docs.push(ref);
        });
      }
    }
  };
  walk(join(repoRoot, dir));
  return out;
}

/** The service's workload and whatever else decides its replicas. Throws ManifestLookupError naming the problem. */
export function findWorkload(repoRoot: string, dir: string, service: string, namespace?: string): WorkloadManifests {
  const scan = scanManifests(repoRoot, dir);
  const inNs = (r: ManifestRef): boolean => namespace === undefined || (r.namespace ?? 'default') === namespace;
  const workloads = scan.docs.filter((r) => WORKLOAD_KINDS.has(r.kind) && r.name === service && inNs(r));
  const where = `${dir === '.' ? 'the repository' : dir}${namespace ? ` (namespace ${namespace})` : ''}`;
  if (workloads.length === 0) {
    const unread = scan.unreadable.length > 0 ? `; ${scan.unreadable.length} file(s) could not be parsed: ${scan.unreadable.slice(0, 5).join(', ')}` : '';
    throw new ManifestLookupError(`no Deployment or StatefulSet named ${service} in ${where}${unread}`);
  }
  if (workloads.length > 1) {
    throw new ManifestLookupError(`${workloads.length} workloads named ${service} in ${where} (${workloads.map((w) => `${w.file}#${w.docIndex}`).join(', ')}): set the namespace or a narrower path`);
  }
  const workload = workloads[0];
  const found: WorkloadManifests = { workload };

  const hpas = scan.docs.filter((r) => {
    if (r.kind !== 'HorizontalPodAutoscaler' || (r.namespace ?? 'default') !== (workload.namespace ?? 'default')) return false;
    const ref = ((r.data.spec ?? {}) as Record<string, unknown>).scaleTargetRef as Record<string, unknown> | undefined;
    return ref?.kind === workload.kind && ref.name === service;
  });
  if (hpas.length > 1) throw new ManifestLookupError(`${hpas.length} HorizontalPodAutoscalers target ${service} (${hpas.map((h) => h.file).join(', ')}): fix the repository first`);
  if (hpas[0]) found.hpa = hpas[0];

  for (const k of scan.docs.filter((r) => r.kind === 'Kustomization')) {
    const list = k.data.replicas;
    if (!Array.isArray(list)) continue;
    const index = list.findIndex((x: unknown) => typeof x === 'object' && x !== null && (x as Record<string, unknown>).name === service);
    if (index < 0) continue;
    if (found.kustomizeReplicas) throw new ManifestLookupError(`two kustomizations set replicas of ${service} (${found.kustomizeReplicas.ref.file}, ${k.file}): set a narrower path`);
    const count = (list[index] as Record<string, unknown>).count;
    found.kustomizeReplicas = { ref: k, index, count: typeof count === 'number' ? count : undefined };
  }
  return found;
}
