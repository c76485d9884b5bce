/**
 * ClusterState → the loop's Snapshot. Pure, so it is tested on recorded API answers without a cluster.
 *
 * - A service is a Deployment: replicas = spec.replicas, readyReplicas = status.readyReplicas, pending = its pods
 *   in phase Pending. Its pods are found through ownerReferences (Pod → ReplicaSet → Deployment), never by name.
 * - Per-pod CPU/memory requests are the pod template's container requests (summed over containers). A Deployment
 *   that requests no CPU or memory cannot be reasoned about by utilisation; it is left out and listed in `skipped`.
 * - Pod metrics are grouped the way the HPA groups them: Ready pods with a sample are `ready`, Ready pods without
 *   one `missing`, the rest `unready`; utilisation = Σ usage / Σ requests over the ready pods.
 * - A node's requested CPU/memory is the sum of requests of its non-terminated pods (as `kubectl describe node`).
 * - Request rates, latencies, errors and queue depth are not in the Kubernetes API (Prometheus has them): 0 here.
 * - metrics.k8s.io unavailable → the snapshot is `degraded` (utilisation unknown: no scale-down on it).
 */
import type { CoreV1Event, V1Deployment, V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { SnapshotSchema, type ClusterEvent, type NodeTelemetry, type PodMemory, type ServiceTelemetry, type Snapshot } from '../../core/snapshot.js';
import type { ClusterState } from './cluster-state.js';
import { cpuMillis, memoryMiB } from './quantity.js';
import { SERVICE_RATE_ANNOTATION, type KubernetesSourceConfig } from './source-config.js';

export interface MappedSnapshot {
  snapshot: Snapshot;
  /** Deployments left out, and why. */
  skipped: string[];
}

export const INSTANCE_TYPE_LABELS = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'];
/** Labels by which the clouds and provisioners mark spot / preemptible capacity. */
const SPOT_LABELS: Record<string, string[]> = {
  'karpenter.sh/capacity-type': ['spot'],
  'eks.amazonaws.com/capacityType': ['SPOT'],
  'cloud.google.com/gke-spot': ['true'],
  'cloud.google.com/gke-preemptible': ['true'],
  'kubernetes.azure.com/scalesetpriority': ['spot'],
};

const time = (d: Date | string | undefined | null): number | undefined => {
  if (d === undefined || d === null) return undefined;
  const t = d instanceof Date ? d.getTime() : Date.parse(d);
  return Number.isFinite(t) ? t / 1000 : undefined;
};

export function isPodReady(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

const isTerminated = (p: V1Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Requests summed over a pod spec's containers (init containers run before, not alongside: left out). */
export function podRequests(spec: V1PodSpec | undefined): { cpuMillis: number; memoryMiB: number; memoryLimitMiB?: number } {
  let cpu = 0, mem = 0, limit = 0, limited = true;
  for (const c of spec?.containers ?? []) {
    cpu += cpuMillis(c.resources?.requests?.cpu);
    mem += memoryMiB(c.resources?.requests?.memory);
    const l = c.resources?.limits?.memory;
    if (l === undefined) limited = false;
    else limit += memoryMiB(l);
  }
  return { cpuMillis: cpu, memoryMiB: mem, ...(limited && limit > 0 ? { memoryLimitMiB: limit } : {}) };
}

/** Service name of a Deployment: plain in the first watched namespace, "namespace/name" elsewhere. */
export function serviceName(d: V1Deployment, primaryNamespace: string): string {
  const ns = d.metadata?.namespace ?? primaryNamespace;
  const name = d.metadata?.name ?? '?';
  return ns === primaryNamespace ? name : `${ns}/${name}`;
}

/** Pod → its Deployment's key "namespace/name", through the owning ReplicaSet. */
export function podOwners(state: ClusterState): Map<string, string> {
  const rsOwner = new Map<string, string>();
  for (const rs of state.replicaSets) {
    const d = rs.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
    if (d) rsOwner.set(`${rs.metadata?.namespace}/${rs.metadata?.name}`, `${rs.metadata?.namespace}/${d.name}`);
  }
  const out = new Map<string, string>();
  for (const p of state.pods) {
    const rs = p.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    const dep = rs ? rsOwner.get(`${p.metadata?.namespace}/${rs.name}`) : undefined;
    if (dep) out.set(`${p.metadata?.namespace}/${p.metadata?.name}`, dep);
  }
  return out;
}

function usageByPod(state: ClusterState): Map<string, { cpuMillis: number; memoryMiB: number }> {
  const out = new Map<string, { cpuMillis: number; memoryMiB: number }>();
  for (const m of state.podMetrics?.items ?? []) {
    let cpu = 0, mem = 0;
    for (const c of m.containers) {
      cpu += cpuMillis(c.usage.cpu);
      mem += memoryMiB(c.usage.memory);
    }
    out.set(`${m.metadata.namespace}/${m.metadata.name}`, { cpuMillis: cpu, memoryMiB: mem });
  }
  return out;
}

function services(state: ClusterState, config: KubernetesSourceConfig, skipped: string[]): ServiceTelemetry[] {
  const primary = config.namespaces[0];
  const owners = podOwners(state);
  const usage = usageByPod(state);
  const podsOf = new Map<string, V1Pod[]>();
  for (const p of state.pods) {
    const key = owners.get(`${p.metadata?.namespace}/${p.metadata?.name}`);
    if (!key || isTerminated(p)) continue;
    podsOf.set(key, [...(podsOf.get(key) ?? []), p]);
  }
  const out: ServiceTelemetry[] = [];
  const sorted = [...state.deployments].sort((a, b) => serviceName(a, primary).localeCompare(serviceName(b, primary)));
  for (const d of sorted) {
    const name = serviceName(d, primary);
    const req = podRequests(d.spec?.template.spec);
    if (req.cpuMillis <= 0 || req.memoryMiB <= 0) {
      skipped.push(`${name}: its containers request no ${req.cpuMillis <= 0 ? 'CPU' : 'memory'}, so utilisation is undefined`);
      continue;
    }
    const pods = podsOf.get(`${d.metadata?.namespace}/${d.metadata?.name}`) ?? [];
    let ready = 0, unready = 0, missing = 0, pending = 0, cpuUsage = 0, memUsage = 0, memPods = 0;
    const memory: PodMemory[] = [];
    for (const p of pods) {
      if (p.status?.phase === 'Pending') pending++;
      const u = usage.get(`${p.metadata?.namespace}/${p.metadata?.name}`);
      const own = podRequests(p.spec);
      if (u) {
        memory.push({
          pod: p.metadata?.name ?? '?', workingSetMiB: u.memoryMiB,
          ...(own.memoryLimitMiB !== undefined ? { limitMiB: own.memoryLimitMiB } : {}),
          ...(own.memoryMiB > 0 ? { requestMiB: own.memoryMiB } : {}),
        });
      }
      if (!isPodReady(p)) {
        unready++;
        continue;
      }
      if (!u) {
        missing++;
        continue;
      }
      ready++;
      cpuUsage += u.cpuMillis;
      memUsage += u.memoryMiB;
      memPods++;
    }
    const rate = Number(d.metadata?.annotations?.[SERVICE_RATE_ANNOTATION]);
    out.push({
      name,
      replicas: d.spec?.replicas ?? 1,
      readyReplicas: d.status?.readyReplicas ?? 0,
      pendingReplicas: pending,
      cpuRequestMillis: req.cpuMillis,
      memoryRequestMiB: req.memoryMiB,
      serviceRatePerReplica: Number.isFinite(rate) && rate > 0 ? rate : config.defaultServiceRatePerReplica,
      pods: { ready, unready, missing, cpuUsageMillis: cpuUsage, ...(state.podMetrics ? { memory } : {}) },
      cpuUtilization: ready > 0 ? cpuUsage / (ready * req.cpuMillis) : 0,
      memoryUtilization: memPods > 0 ? memUsage / (memPods * req.memoryMiB) : 0,
      requestRate: 0, servedRate: 0, errorRate: 0, latencyP50Ms: 0, latencyP99Ms: 0, queueDepth: 0,
    });
  }
  return out;
}

function labelValue(n: V1Node, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = n.metadata?.labels?.[k];
    if (v) return v;
  }
  return undefined;
}

export function isSpot(n: V1Node): boolean {
  return Object.entries(SPOT_LABELS).some(([k, values]) => {
    const v = n.metadata?.labels?.[k];
    return v !== undefined && values.includes(v);
  });
}

function nodes(state: ClusterState, config: KubernetesSourceConfig): NodeTelemetry[] {
  const perNode = new Map<string, { cpu: number; mem: number; pods: number }>();
  for (const p of state.pods) {
    const node = p.spec?.nodeName;
    if (!node || isTerminated(p)) continue;
    const r = podRequests(p.spec);
    const acc = perNode.get(node) ?? { cpu: 0, mem: 0, pods: 0 };
    acc.cpu += r.cpuMillis;
    acc.mem += r.memoryMiB;
    acc.pods++;
    perNode.set(node, acc);
  }
  return state.nodes.map((n) => {
    const name = n.metadata?.name ?? '?';
    const readyCond = n.status?.conditions?.find((c) => c.type === 'Ready');
    const ready = readyCond?.status === 'True';
    const created = time(n.metadata?.creationTimestamp) ?? state.at;
    const readySince = ready ? time(readyCond?.lastTransitionTime) ?? created : undefined;
    const instanceType = labelValue(n, INSTANCE_TYPE_LABELS) ?? 'unknown';
    const load = perNode.get(name) ?? { cpu: 0, mem: 0, pods: 0 };
    return {
      name,
      instanceType,
      spot: isSpot(n),
      ready,
      provisioning: !ready && state.at - created < config.provisioningGraceSeconds,
      cpuAllocatableMillis: cpuMillis(n.status?.allocatable?.cpu),
      memoryAllocatableMiB: memoryMiB(n.status?.allocatable?.memory),
      ...podLimit(n.status?.allocatable?.pods),
      cpuRequestedMillis: load.cpu,
      memoryRequestedMiB: load.mem,
      pods: load.pods,
      pricePerHour: config.prices[instanceType] ?? 0,
      readyForSeconds: readySince === undefined ? 0 : Math.max(0, state.at - readySince),
    };
  });
}

/** When an event last happened: series/lastTimestamp, else eventTime, else creation. */
export function eventTime(e: CoreV1Event): number | undefined {
  return time(e.series?.lastObservedTime) ?? time(e.lastTimestamp) ?? time(e.eventTime) ?? time(e.firstTimestamp) ?? time(e.metadata?.creationTimestamp);
}

export function clusterEvent(e: CoreV1Event, fallbackAt: number): ClusterEvent {
  return {
    at: eventTime(e) ?? fallbackAt,
    type: e.type === 'Warning' ? 'Warning' : 'Normal',
    reason: e.reason ?? '',
    object: `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`,
    message: e.message ?? '',
  };
}

export function mapSnapshot(state: ClusterState, config: KubernetesSourceConfig, events: ClusterEvent[], logs: Snapshot['logs']): MappedSnapshot {
  const skipped: string[] = [];
  const ns = nodes(state, config);
  const snapshot = SnapshotSchema.parse({
    at: state.at,
    services: services(state, config, skipped),
    nodes: ns,
    events,
    logs,
    costPerHour: ns.reduce((s, n) => s + n.pricePerHour, 0),
    ...(state.metricsError !== undefined ? { degraded: `metrics.k8s.io unavailable (utilisation unknown): ${state.metricsError}` } : {}),
  });
  return { snapshot, skipped };
}

/** `allocatable.pods` ("110"), when the node reports it. */
function podLimit(q: string | undefined): { podsAllocatable?: number } {
  const n = q === undefined ? NaN : Number(q);
  return Number.isInteger(n) && n >= 0 ? { podsAllocatable: n } : {};
}
