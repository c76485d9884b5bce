/**
 * Query results → the same Snapshot the twin builds. Pod-level samples are grouped into services the way the
 * HPA's metrics pipeline groups them: Ready pods with a CPU sample count (`ready`), Ready pods without one are
 * `missing`, the rest `unready`; utilisation is Σusage / Σrequests over the `ready` pods.
 *
 * Gaps: a service-level signal with no sample (stale series, NaN) keeps its last value and is reported, so the
 * snapshot is marked degraded; a signal never seen for a service (the cluster does not export it) is 0 and is
 * not a gap, or a missing exporter would hold the loop in degraded mode forever.
 */
import { SnapshotSchema, type NodeTelemetry, type PodMemory, type ServiceTelemetry, type Snapshot } from '../../core/snapshot.js';
import type { PrometheusSourceConfig } from './config.js';
import type { Vector } from './http-client.js';
import type { Signal } from './queries.js';
import { byLabel, labelsByLabel } from './samples.js';

export type QueryResults = Record<Signal, Vector>;

const SERVICE_SIGNALS = ['requestRate', 'servedRate', 'errorRate', 'latencyP50Seconds', 'latencyP99Seconds', 'queueDepth'] as const;
type ServiceSignal = (typeof SERVICE_SIGNALS)[number];

interface ServiceMemory {
  cpuRequestMillis?: number;
  memoryRequestMiB?: number;
  serviceRatePerReplica?: number;
  last: Partial<Record<ServiceSignal, number>>;
}

export interface AssembledSnapshot {
  snapshot: Snapshot;
  /** Signals that had no fresh sample and were bridged with an older value. */
  gaps: string[];
}

/** No deployment and no node in any answer: Prometheus is up but has nothing (targets down for > 5 minutes?). */
export class NoTelemetryError extends Error {
  constructor() {
    super('Prometheus answered but returned no deployments and no nodes (are the scrape targets up?)');
    this.name = 'NoTelemetryError';
  }
}

const MiB = 1024 * 1024;

export class SnapshotAssembler {
  private readonly memory = new Map<string, ServiceMemory>();
  private readonly podPattern: RegExp;

  constructor(private readonly config: PrometheusSourceConfig) {
    this.podPattern = new RegExp(config.podServicePattern);
  }

  /** Builds the snapshot at `at` (unix seconds) and updates the gap memory. */
  assemble(at: number, r: QueryResults): AssembledSnapshot {
    const gaps: string[] = [];
    const specReplicas = byLabel(r.deploymentReplicas, 'deployment');
    const nodeInfo = labelsByLabel(r.nodeInfo, 'node');
    if (specReplicas.size === 0 && nodeInfo.size === 0) throw new NoTelemetryError();

    const services = this.services(r, specReplicas, gaps);
    const nodes = this.nodes(at, r, nodeInfo);
    const snapshot = SnapshotSchema.parse({
      at,
      services,
      nodes,
      events: [],
      logs: [],
      costPerHour: nodes.reduce((s, n) => s + n.pricePerHour, 0),
      ...(gaps.length > 0 ? { degraded: `telemetry gaps, last values kept: ${gaps.join('; ')}` } : {}),
    });
    return { snapshot, gaps };
  }

  private services(r: QueryResults, specReplicas: Map<string, number>, gaps: string[]): ServiceTelemetry[] {
    const readyReplicas = byLabel(r.deploymentReadyReplicas, 'deployment');
    const podReady = byLabel(r.podReady, 'pod');
    const podCpu = byLabel(r.podCpuCores, 'pod');
    const podMem = byLabel(r.podMemoryBytes, 'pod');
    const podCpuReq = byLabel(r.podCpuRequestCores, 'pod');
    const podMemReq = byLabel(r.podMemoryRequestBytes, 'pod');
    const podMemLimit = byLabel(r.podMemoryLimitBytes, 'pod');
    const perService = Object.fromEntries(SERVICE_SIGNALS.map((s) => [s, byLabel(r[s], 'service')])) as Record<ServiceSignal, Map<string, number>>;

    // Pods of each deployment, with their phase.
    const pods = new Map<string, { pod: string; phase: string }[]>();
    for (const s of r.podPhase) {
      const pod = s.metric.pod;
      const phase = s.metric.phase;
      if (pod === undefined || phase === undefined || phase === 'Succeeded' || phase === 'Failed') continue;
      const svc = this.podPattern.exec(pod)?.[1];
      if (svc === undefined || !specReplicas.has(svc)) continue;
      const list = pods.get(svc) ?? [];
      if (!list.some((p) => p.pod === pod)) list.push({ pod, phase });
      pods.set(svc, list);
    }

    const out: ServiceTelemetry[] = [];
    for (const [name, replicas] of [...specReplicas].sort((a, b) => a[0].localeCompare(b[0]))) {
      const mem = this.memory.get(name) ?? { last: {} };
      this.memory.set(name, mem);
      const list = pods.get(name) ?? [];
      let ready = 0, missing = 0, unready = 0, pending = 0, usage = 0, memUse = 0, memPods = 0;
      let cpuReq: number | undefined, memReq: number | undefined;
      const perPod: PodMemory[] = [];
      for (const { pod, phase } of list) {
        if (phase === 'Pending') pending++;
        const rq = podCpuReq.get(pod);
        if (rq !== undefined && rq > 0) cpuReq = Math.max(cpuReq ?? 0, rq * 1000);
        const mq = podMemReq.get(pod);
        if (mq !== undefined && mq > 0) memReq = Math.max(memReq ?? 0, mq / MiB);
        // Every pod with a running container, Ready or not: a leak shows before the pod stops being Ready.
        const ws = podMem.get(pod);
        if (ws !== undefined) {
          const lim = podMemLimit.get(pod);
          perPod.push({
            pod, workingSetMiB: Math.max(0, ws) / MiB,
            ...(lim !== undefined && lim > 0 ? { limitMiB: lim / MiB } : {}),
            ...(mq !== undefined && mq > 0 ? { requestMiB: mq / MiB } : {}),
          });
        }
        if (podReady.get(pod) !== 1) {
          unready++;
          continue;
        }
        const cpu = podCpu.get(pod);
        // A pod that just became Ready has one CPU sample, and rate() needs two: the HPA calls it missing too.
        if (cpu === undefined) missing++;
        else {
          ready++;
          usage += Math.max(0, cpu) * 1000;
        }
        const m = podMem.get(pod);
        if (m !== undefined) {
          memUse += m / MiB;
          memPods++;
        }
      }
      if (cpuReq !== undefined) mem.cpuRequestMillis = cpuReq;
      if (memReq !== undefined) mem.memoryRequestMiB = memReq;
      if (mem.cpuRequestMillis === undefined || mem.memoryRequestMiB === undefined) {
        gaps.push(`${name}: no resource requests seen yet, service left out`);
        continue;
      }

      const signal = (s: ServiceSignal): number => {
        const v = perService[s].get(name);
        if (v !== undefined) {
          mem.last[s] = v;
          return v;
        }
        const prev = mem.last[s];
        if (prev === undefined) return 0;
        gaps.push(`${name} ${s}`);
        return prev;
      };
      const requestRate = Math.max(0, signal('requestRate'));
      const servedRate = Math.max(0, signal('servedRate'));
      const errorRate = Math.min(1, Math.max(0, signal('errorRate')));
      const p50 = Math.max(0, signal('latencyP50Seconds')) * 1000;
      const p99 = Math.max(0, signal('latencyP99Seconds')) * 1000;
      const queueDepth = Math.max(0, signal('queueDepth'));
      const readyNow = readyReplicas.get(name) ?? ready + missing;
      const cpuUtilization = ready > 0 ? usage / (ready * mem.cpuRequestMillis) : 0;

      out.push({
        name,
        replicas: Math.max(0, Math.round(replicas)),
        readyReplicas: Math.max(0, Math.round(readyNow)),
        pendingReplicas: pending,
        cpuRequestMillis: mem.cpuRequestMillis,
        memoryRequestMiB: mem.memoryRequestMiB,
        serviceRatePerReplica: this.serviceRate(name, mem, servedRate, readyNow, cpuUtilization),
        pods: { ready, unready, missing, cpuUsageMillis: usage, ...(perPod.length > 0 ? { memory: perPod } : {}) },
        cpuUtilization,
        memoryUtilization: memPods > 0 ? memUse / (memPods * mem.memoryRequestMiB) : 0,
        requestRate,
        servedRate,
        errorRate,
        latencyP50Ms: p50,
        latencyP99Ms: Math.max(p50, p99),
        queueDepth,
      });
    }
    return out;
  }

  /**
   * req/s per replica at its CPU request: configured, or estimated as throughput per pod ÷ utilisation (a
   * replica at 100 % of its request serves its rate). The estimate ignores idle CPU, so it errs low (more
   * replicas); it is smoothed so one noisy scrape does not move the planners.
   */
  private serviceRate(name: string, mem: ServiceMemory, served: number, ready: number, util: number): number {
    const configured = this.config.services[name]?.serviceRatePerReplica;
    if (configured !== undefined) return configured;
    if (ready > 0 && util >= 0.05 && served > 0) {
      const est = served / ready / util;
      mem.serviceRatePerReplica = mem.serviceRatePerReplica === undefined ? est : 0.8 * mem.serviceRatePerReplica + 0.2 * est;
    }
    return mem.serviceRatePerReplica ?? this.config.defaultServiceRatePerReplica;
  }

  private nodes(at: number, r: QueryResults, info: Map<string, Record<string, string>>): NodeTelemetry[] {
    const labels = labelsByLabel(r.nodeLabels, 'node');
    const ready = byLabel(r.nodeReady, 'node');
    const cpuAlloc = byLabel(r.nodeCpuAllocatableCores, 'node');
    const memAlloc = byLabel(r.nodeMemoryAllocatableBytes, 'node');
    const cpuReq = byLabel(r.nodeCpuRequestedCores, 'node');
    const memReq = byLabel(r.nodeMemoryRequestedBytes, 'node');
    const pods = byLabel(r.nodePods, 'node');
    const price = byLabel(r.nodePricePerHour, 'node');
    const created = byLabel(r.nodeCreated, 'node');
    const out: NodeTelemetry[] = [];
    for (const name of [...info.keys()].sort()) {
      const l = labels.get(name) ?? {};
      const isReady = ready.get(name) === 1;
      // Karpenter labels a node `initialized` once it has come up; a managed node without it is still provisioning.
      // Without Karpenter's labels a NotReady node is taken as broken, not as capacity on its way.
      const managed = l.label_karpenter_sh_capacity_type !== undefined;
      const provisioning = !isReady && managed && l.label_karpenter_sh_initialized !== 'true';
      const capacityType = (l.label_karpenter_sh_capacity_type ?? l.label_eks_amazonaws_com_capacity_type ?? '').toLowerCase();
      const createdAt = created.get(name);
      out.push({
        name,
        instanceType: l.label_node_kubernetes_io_instance_type ?? l.label_beta_kubernetes_io_instance_type ?? 'unknown',
        spot: capacityType === 'spot',
        ready: isReady,
        provisioning,
        cpuAllocatableMillis: (cpuAlloc.get(name) ?? 0) * 1000,
        memoryAllocatableMiB: (memAlloc.get(name) ?? 0) / MiB,
        cpuRequestedMillis: (cpuReq.get(name) ?? 0) * 1000,
        memoryRequestedMiB: (memReq.get(name) ?? 0) / MiB,
        pods: Math.round(pods.get(name) ?? 0),
        pricePerHour: Math.max(0, price.get(name) ?? 0),
        // kube-state-metrics has no "Ready since"; creation time is the closest it offers.
        readyForSeconds: isReady && createdAt !== undefined ? Math.max(0, at - createdAt) : 0,
      });
    }
    return out;
  }
}
