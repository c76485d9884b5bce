/**
 * The semantic check: every field the IntentSpec states must show up in the artefacts (the name,
 * image, replicas, ports, exposure, storage, env, labels, sizing, command, requested objects, pod
 * options). A field the plan changed on purpose (policy bounds) or the hardened profile withheld
 * (privileges not confirmed) is reported as waived with the reason, not as a failure.
 */
import type { Finding } from './findings.js';
import { arr, containersOf, isObject, kindOf, nameOf, obj, podSpecOf, str, type Json, type JsonObject, type Manifest } from './k8s/manifest.js';
import { cpuToMillis, quantityToMiB } from './parse/quantity.js';
import type { IntentPlan } from './plan.js';
import type { IntentSpec } from './spec.js';

export interface SemanticOptions {
  plan: IntentPlan;
  /** Privilege asks the hardened build withheld (not confirmed). */
  withheld?: readonly string[];
}

function finding(field: string, message: string, extra: Partial<Finding> = {}): Finding {
  return { ruleId: `SEMANTIC-${field.toUpperCase()}`, severity: 'error', source: 'semantic', object: '(stream)', message, ...extra };
}

function workloads(ms: readonly Manifest[]): Manifest[] {
  return ms.filter((m) => podSpecOf(m) !== undefined);
}

function allContainers(ms: readonly Manifest[]): JsonObject[] {
  return workloads(ms).flatMap((m) => containersOf(podSpecOf(m)!));
}

function templateLabels(m: Manifest): JsonObject {
  if (kindOf(m) === 'Pod') return obj(obj(m.metadata)?.labels) ?? {};
  if (kindOf(m) === 'CronJob') return obj(obj(obj(obj(obj(m.spec)?.jobTemplate)?.spec)?.template)?.metadata)?.labels as JsonObject ?? {};
  return obj(obj(obj(obj(m.spec)?.template)?.metadata)?.labels) ?? {};
}

function sameCpu(a: Json | undefined, b: string): boolean {
  return typeof a === 'string' || typeof a === 'number' ? cpuToMillis(String(a)) === cpuToMillis(b) : false;
}

export function semanticCheck(spec: IntentSpec, artefacts: readonly Manifest[], opts: SemanticOptions): Finding[] {
  if (spec.target !== 'kubernetes' || !spec.kubernetes) return [];
  const out: Finding[] = [];
  const k = spec.kubernetes;
  const plan = opts.plan;
  const ws = workloads(artefacts);
  const containers = allContainers(artefacts);
  const planChanged = (topic: string): string | undefined => plan.decisions.find((d) => d.topic === topic && /guardrail|high availability/.test(d.rationale))?.rationale;

  if (k.hasWorkload && ws.length === 0) out.push(finding('workload', 'the request runs something but no workload was generated'));
  if (k.workloadKind && !artefacts.some((m) => kindOf(m) === k.workloadKind)) out.push(finding('kind', `no ${k.workloadKind} was generated`));
  if (spec.name && k.hasWorkload && k.base.length === 0 && !ws.some((m) => nameOf(m) === spec.name)) out.push(finding('name', `no workload is named ${spec.name}`));
  if (spec.namespace) {
    for (const [i, m] of artefacts.entries()) {
      const ns = obj(m.metadata)?.namespace;
      if (ns !== undefined && ns !== spec.namespace) out.push(finding('namespace', `${kindOf(m)}/${nameOf(m)} is in ${String(ns)}, not ${spec.namespace}`, { index: i }));
    }
  }
  if (spec.image && !containers.some((c) => c.image === spec.image || (typeof c.image === 'string' && !spec.image!.includes(':') && c.image.split(':')[0] === spec.image))) out.push(finding('image', `no container runs ${spec.image}`));
  if (spec.replicas !== undefined && k.hasWorkload) {
    const r = ws.map((m) => obj(m.spec)?.replicas).find((x) => typeof x === 'number');
    const hpa = artefacts.find((m) => kindOf(m) === 'HorizontalPodAutoscaler');
    const inHpa = hpa && typeof obj(hpa.spec)?.minReplicas === 'number' && (obj(hpa.spec)!.minReplicas as number) <= spec.replicas && spec.replicas <= (obj(hpa.spec)!.maxReplicas as number);
    const replicatedKind = ws.some((m) => ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(kindOf(m)));
    if (replicatedKind && r !== spec.replicas && !inHpa) {
      const why = planChanged('replicas');
      out.push(finding('replicas', `replicas are ${String(r)}, the request asked for ${spec.replicas}${why ? ` (${why})` : ''}`, why ? { waived: true, severity: 'info' } : {}));
    }
  }
  for (const p of spec.ports) {
    const want = p.targetPort ?? p.port;
    const inContainer = containers.some((c) => arr(c.ports).some((x) => isObject(x) && x.containerPort === want));
    const inService = artefacts.some((m) => kindOf(m) === 'Service' && arr(obj(m.spec)?.ports).some((x) => isObject(x) && x.port === p.port));
    if (!inContainer && !inService) out.push(finding('ports', `port ${p.port} is neither a container nor a Service port`));
  }
  if (spec.exposure && k.hasWorkload) {
    const svc = artefacts.find((m) => kindOf(m) === 'Service');
    const type = obj(svc?.spec)?.type;
    const want: Record<string, (t: Json | undefined) => boolean> = {
      loadbalancer: (t) => t === 'LoadBalancer',
      nodeport: (t) => t === 'NodePort',
      internal: (t) => t === undefined || t === 'ClusterIP',
      headless: () => obj(svc?.spec)?.clusterIP === 'None',
      'external-name': (t) => t === 'ExternalName',
      ingress: () => artefacts.some((m) => kindOf(m) === 'Ingress'),
    };
    if (spec.exposure.type !== 'ingress' && !svc && spec.ports.length === 0) out.push(finding('exposure', `${spec.exposure.type} exposure needs a port, and none is known`, { severity: 'warning' }));
    else if (!want[spec.exposure.type](type)) out.push(finding('exposure', `exposure ${spec.exposure.type} is not reflected (Service type ${String(type ?? 'ClusterIP')})`));
  }
  const mounts = containers.flatMap((c) => arr(c.volumeMounts).filter(isObject));
  for (const s of spec.storage) {
    if (s.mountPath && !mounts.some((m) => m.mountPath === s.mountPath)) out.push(finding('storage', `nothing is mounted at ${s.mountPath}`));
    if (s.size && s.source === 'pvc') {
      const sizes = artefacts.flatMap((m) => [
        ...(kindOf(m) === 'PersistentVolumeClaim' ? [obj(obj(obj(m.spec)?.resources)?.requests)?.storage] : []),
        ...arr(obj(m.spec)?.volumeClaimTemplates).filter(isObject).map((t) => obj(obj(obj(t.spec)?.resources)?.requests)?.storage),
      ]);
      if (!sizes.some((x) => typeof x === 'string' && quantityToMiB(x) === quantityToMiB(s.size!))) out.push(finding('storage', `no claim requests ${s.size}`));
    }
  }
  for (const e of spec.env) {
    if (!containers.some((c) => arr(c.env).some((x) => isObject(x) && x.name === e.name && (e.value === undefined || x.value === e.value || x.valueFrom !== undefined)))) out.push(finding('env', `environment variable ${e.name} is not set`));
  }
  for (const [key, value] of Object.entries(spec.labels)) {
    if (ws.length > 0 && !ws.some((m) => templateLabels(m)[key] === value)) out.push(finding('labels', `pods are not labelled ${key}=${value}`));
  }
  const main = ws.length > 0 ? arr(podSpecOf(ws[0])?.containers).find(isObject) : undefined;
  if (main) {
    const req = obj(obj(main.resources)?.requests);
    if (spec.cores !== undefined && !sameCpu(req?.cpu, String(spec.cores))) out.push(finding('cores', `the container does not request ${spec.cores} cores`));
    if (spec.memoryMiB !== undefined && !(typeof req?.memory === 'string' && quantityToMiB(req.memory) === spec.memoryMiB)) out.push(finding('memory', `the container does not request ${spec.memoryMiB} MiB`));
    if (spec.command && JSON.stringify(main.command) !== JSON.stringify(spec.command) && k.base.length === 0) out.push(finding('command', 'the main container does not run the requested command'));
    for (const p of spec.probes) if (main[`${p.kind}Probe`] === undefined) out.push(finding('probes', `no ${p.kind} probe`));
    const caps = spec.containerSecurity?.addCapabilities ?? [];
    const added = arr(obj(obj(main.securityContext)?.capabilities)?.add);
    for (const c of caps) {
      if (added.includes(c)) continue;
      const withheld = opts.withheld?.includes('capabilities');
      out.push(finding('capabilities', `capability ${c} is not added${withheld ? ' (withheld by the hardened profile until confirmed)' : ''}`, withheld ? { waived: true, severity: 'info' } : {}));
    }
  }
  const pod = ws.length > 0 ? podSpecOf(ws[0]) : undefined;
  if (pod) {
    const p = k.pod;
    if (p.serviceAccountName && pod.serviceAccountName !== p.serviceAccountName) out.push(finding('service-account', `pods do not use service account ${p.serviceAccountName}`));
    if (p.shareProcessNamespace && pod.shareProcessNamespace !== true) out.push(finding('pod', 'process namespace is not shared'));
    for (const ns of p.dnsNameservers ?? []) if (!arr(obj(pod.dnsConfig)?.nameservers).includes(ns)) out.push(finding('pod', `nameserver ${ns} is not configured`));
    for (const s of p.sysctls ?? []) if (!arr(obj(pod.securityContext)?.sysctls).some((x) => isObject(x) && x.name === s.name && x.value === s.value)) out.push(finding('pod', `sysctl ${s.name} is not set`));
    for (const c of [...p.sidecars, ...p.initContainers]) if (c.name && !containersOf(pod).some((x) => str(x.name) === c.name)) out.push(finding('containers', `container ${c.name} is missing`));
  }
  for (const o of k.objects) {
    if (o.existing) continue;
    const found = artefacts.some((m) => kindOf(m) === o.kind && (!o.name || nameOf(m) === o.name));
    if (!found) out.push(finding('objects', `requested ${o.kind}${o.name ? ` ${o.name}` : ''} was not generated`));
  }
  const b = k.batch;
  if (b?.schedule && !artefacts.some((m) => kindOf(m) === 'CronJob' && obj(m.spec)?.schedule === b.schedule)) out.push(finding('schedule', `no CronJob runs on "${b.schedule}"`));
  return out;
}
