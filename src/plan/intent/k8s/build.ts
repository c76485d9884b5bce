/**
 * Build: IntentSpec + plan → Kubernetes manifests, in apply order. Quoted manifests the request
 * wants changed come first (with the changes overlaid), then the objects it asks for in the
 * order it names them, then what the plan adds (claims, Service, Ingress, autoscaler, disruption
 * budget, network policy). The hardened profile applies the secure pod defaults.
 */
import type { IntentPlan } from '../plan.js';
import type { IntentSpec, ObjectIntent } from '../spec.js';
import { hardenPod } from './harden.js';
import { clone, kindOf, nameOf, podSpecOf, toJson, type Json, type Manifest } from './manifest.js';
import { ingressManifest, objectManifest, serviceManifest, type ObjectContext } from './objects.js';
import { overlayObject, overlayWorkload } from './overlay.js';
import { podTemplate, workloadManifest } from './workload.js';

export interface BuildOptions {
  /** Spec fields the request stated (only these are overlaid on quoted manifests). */
  stated?: readonly string[];
  /** Keep elevated access the request asked for (the user confirmed it); otherwise the hardened build drops it. */
  keepPrivileges?: boolean;
}

export function buildKubernetes(spec: IntentSpec, plan: IntentPlan, opts: BuildOptions = {}): Manifest[] {
  const k = spec.kubernetes;
  if (spec.target !== 'kubernetes' || !k) return [];
  const hardened = plan.profile === 'hardened';
  const stated = new Set(opts.stated ?? []);
  const w = plan.workload;
  const ctx: ObjectContext = {
    appName: w?.name ?? spec.name,
    namespace: plan.namespace,
    appLabels: w?.selector ?? spec.labels,
    workloadKind: w?.kind,
    workloadName: w?.name,
    servicePorts: spec.ports.length > 0 ? spec.ports : plan.service?.ports ?? [],
  };
  const out: Manifest[] = [];

  // 1. Quoted manifests, changed in place.
  let baseWorkload = false;
  for (const raw of k.base) {
    const m = toJson(raw) as Manifest;
    if (!baseWorkload && overlayWorkload(m, spec, stated)) baseWorkload = true;
    const same = k.objects.find((o) => o.existing && o.kind === kindOf(m) && (!o.name || o.name === nameOf(m)));
    if (same) overlayObject(m, same, ctx);
    out.push(m);
  }

  // 2. Requested objects, the primary workload at its place among them.
  const created = k.objects.filter((o) => !o.existing);
  const pieces: Manifest[] = [];
  let workloadDoc: Manifest | undefined;
  let claimDocs: Manifest[] = [];
  if (w && !baseWorkload) {
    const { pod, claims } = podTemplate(spec, plan);
    workloadDoc = workloadManifest(spec, plan, pod);
    const requestedClaims = new Set(created.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.name));
    claimDocs = claims
      .filter((c) => !requestedClaims.has(c.name))
      .map((c) => {
        const planned = plan.claims.find((p) => p.name === c.name);
        const o: ObjectIntent = { kind: 'PersistentVolumeClaim', name: c.name, storage: { ...c.storage, size: c.storage.size ?? planned?.size, storageClass: c.storage.storageClass ?? planned?.storageClass, accessModes: c.storage.accessModes ?? planned?.accessModes } };
        return objectManifest(o, ctx)!;
      });
  }
  const position = k.workloadPosition ?? created.length;
  created.forEach((o, i) => {
    if (i === position && workloadDoc) pieces.push(...claimDocs, workloadDoc);
    const m = objectManifest(o, ctx);
    if (m) pieces.push(m);
  });
  if (workloadDoc && position >= created.length) pieces.push(...claimDocs, workloadDoc);
  out.push(...pieces);

  // 3. What the plan adds.
  const has = (kind: string): boolean => out.some((m) => kindOf(m) === kind);
  if (w && plan.service && !has('Service')) {
    const type = plan.service.type;
    out.push(serviceManifest(plan.service.name, plan.namespace, type, plan.service.ports, w.selector, { explicitTarget: hardened, labels: hardened ? w.labels : undefined }));
  }
  if (w && plan.ingress && !has('Ingress')) out.push(ingressManifest(plan.ingress.name, plan.namespace, plan.ingress, plan.service?.name ?? w.name));
  if (w && plan.autoscaler && !has('HorizontalPodAutoscaler')) {
    out.push(objectManifest({ kind: 'HorizontalPodAutoscaler', name: w.name, autoscale: plan.autoscaler, target: w.name, targetKind: w.kind }, ctx)!);
  }
  if (w && plan.disruptionBudget && !has('PodDisruptionBudget')) {
    out.push(objectManifest({ kind: 'PodDisruptionBudget', name: `${w.name}-pdb`, selector: w.selector, ...plan.disruptionBudget }, ctx)!);
  }
  if (w && plan.networkPolicy && !has('NetworkPolicy')) {
    out.push(objectManifest({ kind: 'NetworkPolicy', name: w.name, selector: w.selector, ports: plan.networkPolicy.ports.map((port) => ({ port })) }, ctx)!);
  }

  if (hardened) {
    for (const m of out) {
      const pod = podSpecOf(m);
      if (pod) hardenPod(pod, opts.keepPrivileges ?? false);
      if (kindOf(m) === 'ServiceAccount' && m.automountServiceAccountToken === undefined) m.automountServiceAccountToken = false;
    }
  }
  return out.map((m) => clone(m as Json) as Manifest);
}
