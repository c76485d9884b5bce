import type { ServiceTelemetry, Snapshot } from '../core/snapshot.js';
import { MAX_LISTED_NODES, MAX_LISTED_SERVICES, type LoopState, type ServiceState, type ServiceStatus } from '../knowledge/latest-state.js';

/** A service's objectives: p99 latency and error rate. */
export interface ServiceObjective {
  p99Ms: number;
  errorRate: number;
}

/** Per-service objectives, `*` for the rest. The default matches the remediation coordinator's. */
export type ServiceObjectives = Record<string, ServiceObjective>;
export const DEFAULT_OBJECTIVES: ServiceObjectives = { '*': { p99Ms: 200, errorRate: 0.01 } };

/** p99 above this share of its objective is a warning: the service is close to breaking it. */
const WARN_SHARE = 0.8;

/** The bounded summary of one snapshot the dashboard shows (knowledge/latest-state.ts stores it). */
export function summariseSnapshot(snapshot: Snapshot, objectives: ServiceObjectives = DEFAULT_OBJECTIVES): LoopState {
  const services = snapshot.services.map((s) => serviceState(s, objectiveOf(objectives, s.name)));
  const sum = (f: (n: Snapshot['nodes'][number]) => number): number => snapshot.nodes.reduce((acc, n) => acc + f(n), 0);
  const priced = snapshot.nodes.some((n) => n.pricePerHour > 0) || snapshot.costPerHour > 0;
  return {
    at: snapshot.at,
    degraded: snapshot.degraded ?? null,
    cluster: {
      nodes: { total: snapshot.nodes.length, ready: snapshot.nodes.filter((n) => n.ready).length, provisioning: snapshot.nodes.filter((n) => n.provisioning).length },
      cpu: { requestedMillis: sum((n) => n.cpuRequestedMillis), allocatableMillis: sum((n) => n.cpuAllocatableMillis) },
      memory: { requestedMiB: sum((n) => n.memoryRequestedMiB), allocatableMiB: sum((n) => n.memoryAllocatableMiB) },
      costPerHour: priced ? round(snapshot.costPerHour, 4) : null,
      services: {
        total: services.length,
        ok: services.filter((s) => s.status === 'ok').length,
        warning: services.filter((s) => s.status === 'warning').length,
        violated: services.filter((s) => s.status === 'violated').length,
      },
    },
    // Not-ready nodes first, so a capped list still shows the ones that need attention.
    nodes: [...snapshot.nodes].sort((a, b) => Number(a.ready) - Number(b.ready) || a.name.localeCompare(b.name)).slice(0, MAX_LISTED_NODES).map((n) => ({
      name: n.name, instanceType: n.instanceType, ready: n.ready, provisioning: n.provisioning,
      cpuRequestedMillis: n.cpuRequestedMillis, cpuAllocatableMillis: n.cpuAllocatableMillis,
      memoryRequestedMiB: n.memoryRequestedMiB, memoryAllocatableMiB: n.memoryAllocatableMiB, pods: n.pods,
    })),
    nodesOmitted: Math.max(0, snapshot.nodes.length - MAX_LISTED_NODES),
    services: services.sort((a, b) => SEVERITY[b.status] - SEVERITY[a.status] || a.name.localeCompare(b.name)).slice(0, MAX_LISTED_SERVICES),
    servicesOmitted: Math.max(0, services.length - MAX_LISTED_SERVICES),
  };
}

const SEVERITY: Record<ServiceStatus, number> = { violated: 3, warning: 2, 'no-data': 1, ok: 0 };

function objectiveOf(objectives: ServiceObjectives, service: string): ServiceObjective {
  return objectives[service] ?? objectives['*'] ?? DEFAULT_OBJECTIVES['*'];
}

function serviceState(s: ServiceTelemetry, slo: ServiceObjective): ServiceState {
  const reasons: string[] = [];
  let status: ServiceStatus = 'ok';
  const worse = (to: ServiceStatus, why: string): void => {
    reasons.push(why);
    if (SEVERITY[to] > SEVERITY[status]) status = to;
  };
  if (s.replicas > 0 && s.readyReplicas === 0 && s.requestRate === 0) worse('no-data', 'no ready replica and no traffic');
  if (s.latencyP99Ms > slo.p99Ms) worse('violated', `p99 ${Math.round(s.latencyP99Ms)} ms > ${slo.p99Ms} ms`);
  else if (s.latencyP99Ms > WARN_SHARE * slo.p99Ms) worse('warning', `p99 ${Math.round(s.latencyP99Ms)} ms near ${slo.p99Ms} ms`);
  if (s.errorRate > slo.errorRate) worse('violated', `errors ${pct(s.errorRate)} > ${pct(slo.errorRate)}`);
  if (s.readyReplicas < s.replicas) worse('warning', `${s.readyReplicas}/${s.replicas} replicas ready`);
  if (s.pendingReplicas > 0) worse('warning', `${s.pendingReplicas} pending (no room)`);
  return {
    name: s.name, replicas: s.replicas, readyReplicas: s.readyReplicas, pendingReplicas: s.pendingReplicas,
    requestRate: round(s.requestRate, 3), cpuUtilization: round(s.cpuUtilization, 4), p99Ms: round(s.latencyP99Ms, 2), errorRate: Math.min(1, round(s.errorRate, 6)),
    slo: { p99Ms: slo.p99Ms, errorRate: slo.errorRate }, status, reasons,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
