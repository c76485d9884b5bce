/**
 * Facts from Kubernetes manifests already in the repository (k8s/, deploy/, manifests/): the first
 * workload's name, and its first container's image, ports, env, HTTP probe and runAsUser. Security
 * settings beyond the user are not carried over: the planner hardens the workload itself.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { isImageReference } from './image-ref.js';
import type { Fact, ReaderResult } from './facts.js';

const ProbeSchema = z.object({ httpGet: z.object({ path: z.string().optional(), port: z.union([z.number(), z.string()]).optional() }).optional() });
const ContainerSchema = z.object({
  name: z.string().optional(),
  image: z.string().optional(),
  ports: z.array(z.object({ containerPort: z.number().int(), protocol: z.string().optional() })).optional(),
  env: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).optional(), valueFrom: z.object({ secretKeyRef: z.unknown().optional() }).loose().optional() })).optional(),
  readinessProbe: ProbeSchema.optional(),
  livenessProbe: ProbeSchema.optional(),
  startupProbe: ProbeSchema.optional(),
  securityContext: z.object({ runAsUser: z.number().int().optional() }).loose().optional(),
});
const PodSpecSchema = z.object({ containers: z.array(ContainerSchema).min(1), securityContext: z.object({ runAsUser: z.number().int().optional() }).loose().optional() });
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod', 'CronJob']);

export const MANIFEST_DIRS = ['k8s', 'kubernetes', 'deploy', 'manifests'];

/** `files`: manifest files in a stable order; the first workload found wins. */
export function readK8sManifests(files: readonly { file: string; text: string }[]): ReaderResult {
  const warnings: string[] = [];
  for (const { file, text } of files) {
    let docs;
    try {
      docs = parseAllDocuments(text);
    } catch (e) {
      warnings.push(`${file}: not valid YAML (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
      continue;
    }
    const list = Array.isArray(docs) ? docs : [docs];
    for (const doc of list) {
      if (doc.errors.length > 0) {
        warnings.push(`${file}: not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
        break;
      }
      const obj = doc.toJS({ maxAliasCount: 50 }) as unknown;
      const found = workload(obj, file, warnings);
      if (found) return { facts: found, warnings };
    }
  }
  return { facts: [], warnings };
}

function workload(obj: unknown, file: string, warnings: string[]): Fact[] | undefined {
  const head = z.object({ kind: z.string(), metadata: z.object({ name: z.string().optional() }).loose().optional(), spec: z.unknown() }).safeParse(obj);
  if (!head.success || !WORKLOADS.has(head.data.kind)) return undefined;
  const spec = head.data.spec as Record<string, unknown> | undefined;
  const podSpecRaw =
    head.data.kind === 'Pod' ? spec : head.data.kind === 'CronJob' ? dig(spec, ['jobTemplate', 'spec', 'template', 'spec']) : dig(spec, ['template', 'spec']);
  const pod = PodSpecSchema.safeParse(podSpecRaw);
  if (!pod.success) return undefined;
  const c = pod.data.containers[0];
  const at = { origin: 'k8s' as const, file };
  const facts: Fact[] = [];
  if (head.data.metadata?.name) facts.push({ ...at, kind: 'name', value: head.data.metadata.name });
  if (c.image && isImageReference(c.image)) facts.push({ ...at, kind: 'image', value: c.image });
  else if (c.image) warnings.push(`${file}: ${head.data.kind} container 1: the image is not a valid image reference; ignored`);
  for (const p of c.ports ?? []) if (p.containerPort >= 1 && p.containerPort <= 65535) facts.push({ ...at, kind: 'port', port: p.containerPort, protocol: p.protocol?.toUpperCase() === 'UDP' ? 'UDP' : 'TCP' });
  for (const e of c.env ?? []) facts.push({ ...at, kind: 'env', name: e.name, value: e.value === undefined ? undefined : String(e.value), secret: e.valueFrom?.secretKeyRef !== undefined });
  const probe = [c.readinessProbe, c.livenessProbe, c.startupProbe].find((p) => p?.httpGet?.path);
  if (probe?.httpGet?.path?.startsWith('/')) {
    const port = typeof probe.httpGet.port === 'number' ? probe.httpGet.port : c.ports?.[0]?.containerPort;
    facts.push({ ...at, kind: 'health', path: probe.httpGet.path, port });
  }
  const uid = c.securityContext?.runAsUser ?? pod.data.securityContext?.runAsUser;
  if (uid !== undefined) facts.push({ ...at, kind: 'user', value: String(uid) });
  return facts;
}

function dig(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
