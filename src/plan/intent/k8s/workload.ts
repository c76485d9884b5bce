/**
 * The primary workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
 * Job, CronJob or Pod) with its pod template, from the spec and the plan.
 */
import type { IntentPlan } from '../plan.js';
import type { ContainerSpec, IntentSpec, StorageSpec } from '../spec.js';
import { apiVersionOf } from './kinds.js';
import { compact, type Json, type JsonObject, type Manifest } from './manifest.js';
import { meta } from './objects.js';
import { containerBlock, mountBlock, volumeBlock, volumeName } from './pod.js';

export interface PodParts {
  pod: JsonObject;
  /** Claims the pod needs that the build must create (name → storage). */
  claims: { name: string; storage: StorageSpec }[];
}

/** Volumes and mounts for a list of storage specs; unnamed PVCs get a claim planned for them. */
function volumesFor(spec: IntentSpec, plan: IntentPlan): { volumes: JsonObject[]; mounts: JsonObject[]; claims: PodParts['claims'] } {
  const volumes: JsonObject[] = [];
  const mounts: JsonObject[] = [];
  const claims: PodParts['claims'] = [];
  const used = new Set<string>();
  spec.storage.forEach((s, i) => {
    let name = volumeName(s, i);
    while (used.has(name)) name = `${name}-${i + 1}`;
    used.add(name);
    let claimName = s.ref;
    if (s.source === 'pvc' && !s.ref) {
      const planned = plan.claims.find((c) => c.mountPath === (s.mountPath ?? c.mountPath) && !c.perReplica) ?? plan.claims[i];
      if (planned?.perReplica) {
        // A StatefulSet mounts its volumeClaimTemplate by the template's name.
        const m = mountBlock({ ...s, mountPath: s.mountPath ?? planned.mountPath }, planned.name);
        if (m) mounts.push(m);
        return;
      }
      claimName = planned?.name ?? `${spec.name ?? 'app'}-data`;
      claims.push({ name: claimName, storage: s });
    }
    const v = volumeBlock(s, name, claimName);
    if (v) volumes.push(v);
    const m = mountBlock({ ...s, mountPath: s.mountPath ?? plan.claims.find((c) => c.name === claimName)?.mountPath }, name);
    if (m) mounts.push(m);
  });
  return { volumes, mounts, claims };
}

export function podTemplate(spec: IntentSpec, plan: IntentPlan): PodParts {
  const k = spec.kubernetes!;
  const w = plan.workload!;
  const pod = k.pod;
  const { volumes, mounts, claims } = volumesFor(spec, plan);
  const main: Partial<ContainerSpec> = {
    image: spec.image,
    command: spec.command,
    args: spec.args,
    ports: spec.ports.length > 0 ? spec.ports : plan.service?.ports ?? [],
    env: spec.env,
    resources: spec.resources,
    probes: spec.probes,
    imagePullPolicy: spec.imagePullPolicy,
    addCapabilities: spec.containerSecurity?.addCapabilities ?? [],
    allowPrivilegeEscalation: spec.containerSecurity?.allowPrivilegeEscalation,
    privileged: spec.containerSecurity?.privileged,
    postStart: spec.postStart,
    preStop: spec.preStop,
  };
  const containers: Json[] = [containerBlock({ name: w.containerName, spec: main, mounts, plan, primary: true })];
  const names = new Set([w.containerName]);
  const uniq = (n: string | undefined, fallback: string): string => {
    let name = n ?? fallback;
    for (let i = 2; names.has(name); i++) name = `${n ?? fallback}-${i}`;
    names.add(name);
    return name;
  };
  // A sidecar mounts volumes the pod already defines (a shared emptyDir), by the volume's name.
  const sidecarMounts = (c: ContainerSpec): JsonObject[] => c.mounts.map((m, i) => mountBlock(m, m.name ?? volumeName(m, i))).filter((m): m is JsonObject => m !== undefined);
  pod.sidecars.forEach((c, i) => containers.push(containerBlock({ name: uniq(c.name, `sidecar-${i + 1}`), spec: c, mounts: sidecarMounts(c), primary: false })));
  const inits: Json[] = pod.initContainers.map((c, i) => containerBlock({ name: uniq(c.name, `init-${i + 1}`), spec: c, mounts: [], primary: false }));
  const security = compact({
    runAsNonRoot: pod.runAsNonRoot,
    runAsUser: pod.runAsUser,
    runAsGroup: pod.runAsGroup,
    fsGroup: pod.fsGroup,
    seccompProfile: pod.seccompRuntimeDefault ? { type: 'RuntimeDefault' } : undefined,
    sysctls: pod.sysctls && pod.sysctls.length > 0 ? pod.sysctls.map((s) => ({ name: s.name, value: s.value })) : undefined,
  });
  const dns = compact({ nameservers: pod.dnsNameservers, searches: pod.dnsSearches });
  const nodeAffinity: JsonObject | undefined = pod.nodeAffinity
    ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: pod.nodeAffinity.map((e) => compact({ key: e.key, operator: e.operator, values: e.values })) }] } }
    : undefined;
  const affinity: JsonObject | undefined = plan.antiAffinity
    ? {
        podAntiAffinity:
          plan.antiAffinity === 'required'
            ? { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...w.selector } }, topologyKey: 'kubernetes.io/hostname' }] }
            : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { ...w.selector } }, topologyKey: 'kubernetes.io/hostname' } }] },
      }
    : nodeAffinity
      ? { nodeAffinity }
      : undefined;
  if (affinity && nodeAffinity && !affinity.nodeAffinity) affinity.nodeAffinity = nodeAffinity;
  let restartPolicy = pod.restartPolicy;
  if (w.kind === 'Job') restartPolicy = restartPolicy === 'OnFailure' || restartPolicy === 'Never' ? restartPolicy : 'Never';
  if (w.kind === 'CronJob') restartPolicy = restartPolicy === 'OnFailure' || restartPolicy === 'Never' ? restartPolicy : 'OnFailure';
  const podSpec = compact({
    serviceAccountName: pod.serviceAccountName,
    shareProcessNamespace: pod.shareProcessNamespace,
    hostNetwork: pod.hostNetwork,
    hostPID: pod.hostPID,
    hostname: pod.hostname,
    subdomain: pod.subdomain,
    priorityClassName: pod.priorityClassName,
    nodeSelector: pod.nodeSelector,
    tolerations: pod.tolerations ? pod.tolerations.map((t) => compact({ key: t.key, operator: t.operator, value: t.value, effect: t.effect })) : undefined,
    hostAliases: pod.hostAliases ? pod.hostAliases.map((a) => ({ ip: a.ip, hostnames: [...a.hostnames] })) : undefined,
    imagePullSecrets: pod.imagePullSecrets ? pod.imagePullSecrets.map((name) => ({ name })) : undefined,
    affinity,
    dnsPolicy: pod.dnsPolicy ?? (dns.nameservers && pod.dnsPolicy === undefined && plan.profile === 'hardened' ? 'None' : undefined),
    dnsConfig: Object.keys(dns).length > 0 ? dns : undefined,
    securityContext: Object.keys(security).length > 0 ? security : undefined,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
    initContainers: inits.length > 0 ? inits : undefined,
    containers,
    restartPolicy,
    volumes: volumes.length > 0 ? volumes : undefined,
  });
  return { pod: podSpec, claims };
}

export function workloadManifest(spec: IntentSpec, plan: IntentPlan, pod: JsonObject): Manifest {
  const w = plan.workload!;
  const k = spec.kubernetes!;
  const ns = plan.namespace;
  const hardened = plan.profile === 'hardened';
  // Controllers carry their labels on the pod template; the object itself only when hardened (for selection by tools).
  const objectLabels = hardened || (w.kind === 'Pod' && Object.keys(spec.labels).length > 0) ? w.labels : undefined;
  const metadata = meta(w.name, ns, objectLabels);
  if (k.annotations) metadata.annotations = { ...k.annotations };
  const head = { apiVersion: apiVersionOf(w.kind), kind: w.kind, metadata };
  const template = { metadata: { labels: { ...w.labels } }, spec: pod };
  const b = k.batch ?? {};
  switch (w.kind) {
    case 'Pod':
      return { ...head, spec: pod };
    case 'Job':
      return { ...head, spec: compact({ completions: b.completions, parallelism: b.parallelism, backoffLimit: b.backoffLimit, activeDeadlineSeconds: b.activeDeadlineSeconds, ttlSecondsAfterFinished: b.ttlSecondsAfterFinished ?? (hardened ? 3600 : undefined), template: { spec: pod } }) };
    case 'CronJob': {
      const job = compact({ completions: b.completions, parallelism: b.parallelism, backoffLimit: b.backoffLimit, activeDeadlineSeconds: b.activeDeadlineSeconds, ttlSecondsAfterFinished: b.ttlSecondsAfterFinished ?? (hardened ? 3600 : undefined), template: { spec: pod } });
      return {
        ...head,
        spec: compact({
          schedule: b.schedule ?? '*/1 * * * *',
          concurrencyPolicy: b.concurrencyPolicy ?? (hardened ? 'Forbid' : undefined),
          startingDeadlineSeconds: b.startingDeadlineSeconds,
          suspend: b.suspend,
          successfulJobsHistoryLimit: b.successfulJobsHistoryLimit,
          failedJobsHistoryLimit: b.failedJobsHistoryLimit,
          jobTemplate: { spec: job },
        }),
      };
    }
    case 'ReplicationController':
      return { ...head, spec: compact({ replicas: w.replicas, selector: { ...w.selector }, template }) };
    case 'DaemonSet':
      return { ...head, spec: compact({ selector: { matchLabels: { ...w.selector } }, minReadySeconds: k.minReadySeconds, template }) };
    case 'StatefulSet': {
      const templates: Json[] = plan.claims
        .filter((c) => c.perReplica)
        .map((c) => ({ metadata: { name: c.name }, spec: compact({ accessModes: c.accessModes, storageClassName: c.storageClass, resources: { requests: { storage: c.size } } }) }));
      return {
        ...head,
        spec: compact({
          serviceName: k.serviceName ?? plan.service?.name ?? w.name,
          replicas: w.replicas,
          selector: { matchLabels: { ...w.selector } },
          template,
          volumeClaimTemplates: templates.length > 0 ? templates : undefined,
        }),
      };
    }
    default:
      return {
        ...head,
        spec: compact({
          replicas: w.replicas,
          revisionHistoryLimit: k.revisionHistoryLimit,
          minReadySeconds: k.minReadySeconds,
          strategy: k.strategy && k.strategy !== 'OnDelete' ? { type: k.strategy } : undefined,
          selector: { matchLabels: { ...w.selector } },
          template,
        }),
      };
  }
}
