/**
 * The twin's state as a Prometheus scrape (text exposition format 0.0.4), under the names real exporters use:
 * cAdvisor (container_*), kube-state-metrics (kube_*), an HTTP middleware (http_requests_total,
 * http_request_duration_seconds), OpenCost (node_total_hourly_cost), plus one twin gauge for queue depth.
 *
 * Hand-written rather than prom-client's Registry: this is a pure function of one moment of the twin, while a
 * Registry is long-lived mutable state whose counters can only be inc()'d (ours are set from the twin's
 * integrals) and whose per-pod label sets would have to be removed by hand as pods come and go. The format is
 * a few lines of text per sample; `promtool check metrics` validates it in the tests.
 */
import type { Snapshot } from '../../core/snapshot.js';
import type { TwinStats } from './cluster.js';

export type TwinPodPhase = 'Pending' | 'Starting' | 'Ready' | 'CrashLoopBackOff';

export interface TwinPodMetrics {
  name: string;
  service: string;
  node: string | null;
  phase: TwinPodPhase;
  restarts: number;
  memoryMiB: number;
  /** CPU-seconds of the pod's current container (0 after a restart), in simulated seconds. */
  cpuSeconds: number;
}

export interface TwinMetricsInput {
  /** The twin's snapshot of this moment (service and node telemetry). */
  snapshot: Snapshot;
  /** The twin's cumulative counters. */
  stats: TwinStats;
  pods: readonly TwinPodMetrics[];
  /**
   * Simulated seconds per wall-clock second. Prometheus stamps samples with wall time, so every counter is
   * divided by this: rate() over wall time then gives the simulated per-second rate, and a 1-minute simulated
   * window is a (60 / timeScale)-second PromQL window.
   */
  timeScale: number;
  /** Wall clock (epoch seconds) at this scrape, for creation timestamps. */
  wallNow: number;
  namespace: string;
}

export const TWIN_PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** kube-state-metrics emits every phase per pod, 1 for the current one. */
const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

type Labels = Record<string, string>;

/** One metric family being written: HELP/TYPE once, then its samples. */
class Family {
  readonly lines: string[];
  constructor(readonly name: string, type: 'counter' | 'gauge' | 'summary', help: string) {
    this.lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  }
  add(labels: Labels, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${formatLabels(labels)} ${formatValue(value)}`);
  }
}

export function renderTwinMetrics(input: TwinMetricsInput): string {
  const { snapshot, stats, timeScale: k, namespace: ns } = input;
  if (!(k > 0)) throw new Error(`timeScale must be positive, got ${k}`);
  const families: Family[] = [];
  const family = (name: string, type: 'counter' | 'gauge' | 'summary', help: string): Family => {
    const f = new Family(name, type, help);
    families.push(f);
    return f;
  };

  const cpu = family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.');
  const mem = family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
  const podInfo = family('kube_pod_info', 'gauge', 'Information about pod.');
  const phase = family('kube_pod_status_phase', 'gauge', 'The pods current phase.');
  const ready = family('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.');
  const restarts = family('kube_pod_container_status_restarts_total', 'counter', 'The number of container restarts per container.');
  const waiting = family('kube_pod_container_status_waiting_reason', 'gauge', 'Describes the reason the container is currently in waiting state.');
  const requests = family('kube_pod_container_resource_requests', 'gauge', 'The number of requested request resource by a container.');
  const limits = family('kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.');

  const svcByName = new Map(snapshot.services.map((s) => [s.name, s]));
  const podCount = new Map<string, number>();
  for (const p of input.pods) {
    const svc = svcByName.get(p.service);
    if (!svc) continue;
    podCount.set(p.service, (podCount.get(p.service) ?? 0) + 1);
    const id = { namespace: ns, pod: p.name };
    const ctr = { ...id, container: p.service };
    const node = p.node ?? '';
    podInfo.add({ ...id, node, created_by_kind: 'ReplicaSet', created_by_name: replicaSetOf(p.name) }, 1);
    const current = p.phase === 'Pending' ? 'Pending' : 'Running';
    for (const ph of POD_PHASES) phase.add({ ...id, phase: ph }, ph === current ? 1 : 0);
    const isReady = p.phase === 'Ready';
    ready.add({ ...id, condition: 'true' }, isReady ? 1 : 0);
    ready.add({ ...id, condition: 'false' }, isReady ? 0 : 1);
    ready.add({ ...id, condition: 'unknown' }, 0);
    requests.add({ ...ctr, node, resource: 'cpu', unit: 'core' }, svc.cpuRequestMillis / 1000);
    requests.add({ ...ctr, node, resource: 'memory', unit: 'byte' }, svc.memoryRequestMiB * MiB);
    // The twin's pods are Guaranteed QoS for memory: the limit the OOM killer enforces is the request. CPU is not
    // capped in the twin, so it has no CPU limit.
    limits.add({ ...ctr, node, resource: 'memory', unit: 'byte' }, svc.memoryRequestMiB * MiB);
    // An unscheduled pod has no container yet: cAdvisor and the restart counter know nothing of it.
    if (p.phase === 'Pending') continue;
    restarts.add(ctr, p.restarts);
    if (p.phase === 'CrashLoopBackOff') waiting.add({ ...ctr, reason: 'CrashLoopBackOff' }, 1);
    cpu.add(ctr, p.cpuSeconds / k);
    mem.add(ctr, p.memoryMiB * MiB);
  }

  const specReplicas = family('kube_deployment_spec_replicas', 'gauge', 'Number of desired pods for a deployment.');
  const statusReplicas = family('kube_deployment_status_replicas', 'gauge', 'The number of replicas per deployment.');
  const readyReplicas = family('kube_deployment_status_replicas_ready', 'gauge', 'The number of ready replicas per deployment.');
  const availReplicas = family('kube_deployment_status_replicas_available', 'gauge', 'The number of available replicas per deployment.');
  const unavailReplicas = family('kube_deployment_status_replicas_unavailable', 'gauge', 'The number of unavailable replicas per deployment.');
  const httpTotal = family('http_requests_total', 'counter', 'Requests answered, by status code (503: shed or timed out in the queue).');
  const latency = family('http_request_duration_seconds', 'summary', 'Request latency quantiles over the last step.');
  const queue = family('autonomic_service_queue_depth', 'gauge', 'Requests waiting in the service queue.');
  const statsByName = new Map(stats.services.map((s) => [s.name, s]));
  for (const svc of snapshot.services) {
    const d = { namespace: ns, deployment: svc.name };
    const pods = podCount.get(svc.name) ?? 0;
    specReplicas.add(d, svc.replicas);
    statusReplicas.add(d, pods);
    readyReplicas.add(d, svc.readyReplicas);
    // minReadySeconds is 0 in the twin, so available = ready.
    availReplicas.add(d, svc.readyReplicas);
    unavailReplicas.add(d, Math.max(0, svc.replicas - svc.readyReplicas));
    const st = statsByName.get(svc.name);
    const s = { namespace: ns, service: svc.name };
    if (st) {
      httpTotal.add({ ...s, code: '200' }, Math.max(0, st.served - st.failed) / k);
      httpTotal.add({ ...s, code: '500' }, st.failed / k);
      httpTotal.add({ ...s, code: '503' }, st.dropped / k);
    }
    // Quantiles only: the twin knows each step's p50/p99, not single requests, so there is no honest _sum.
    latency.add({ ...s, quantile: '0.5' }, svc.latencyP50Ms / 1000);
    latency.add({ ...s, quantile: '0.99' }, svc.latencyP99Ms / 1000);
    queue.add(s, svc.queueDepth);
  }

  const nodeInfo = family('kube_node_info', 'gauge', 'Information about a cluster node.');
  const nodeLabels = family('kube_node_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels.');
  const condition = family('kube_node_status_condition', 'gauge', 'The condition of a cluster node.');
  const allocatable = family('kube_node_status_allocatable', 'gauge', 'The allocatable for different resources of a node that are available for scheduling.');
  const created = family('kube_node_created', 'gauge', 'Unix creation timestamp.');
  const price = family('node_total_hourly_cost', 'gauge', 'Total node cost per hour (OpenCost).');
  for (const n of snapshot.nodes) {
    const id = { node: n.name };
    nodeInfo.add({ ...id, provider_id: `aws:///us-east-1a/i-${hex(n.name)}`, internal_ip: ipOf(n.name), kubelet_version: 'v1.29.0', container_runtime_version: 'containerd://1.7.11' }, 1);
    // Karpenter's labels: capacity type, and `initialized` once the node has come up (absent while provisioning).
    const labels: Labels = { ...id, label_node_kubernetes_io_instance_type: n.instanceType, label_karpenter_sh_capacity_type: n.spot ? 'spot' : 'on-demand' };
    if (!n.provisioning) labels.label_karpenter_sh_initialized = 'true';
    nodeLabels.add(labels, 1);
    // A registering node reports Ready=False; one whose kubelet stopped posting (crashed) goes Unknown.
    const status = n.ready ? 'true' : n.provisioning ? 'false' : 'unknown';
    for (const st of ['true', 'false', 'unknown']) condition.add({ ...id, condition: 'Ready', status: st }, st === status ? 1 : 0);
    allocatable.add({ ...id, resource: 'cpu', unit: 'core' }, n.cpuAllocatableMillis / 1000);
    allocatable.add({ ...id, resource: 'memory', unit: 'byte' }, n.memoryAllocatableMiB * MiB);
    // Ready time stands in for creation: a node joins the API server about when it becomes Ready.
    created.add(id, Math.floor(input.wallNow - n.readyForSeconds / k));
    price.add({ ...id, instance_type: n.instanceType }, n.pricePerHour);
  }

  return families.map((f) => f.lines.join('\n')).join('\n') + '\n';
}

const MiB = 1024 * 1024;

/** `web-5f7c9d8b-0000a` → `web-5f7c9d8b`: the ReplicaSet a Deployment's pod belongs to. */
function replicaSetOf(pod: string): string {
  const i = pod.lastIndexOf('-');
  return i > 0 ? pod.slice(0, i) : pod;
}

/** `ip-10-1-0-3.ec2.internal` → `10.1.0.3`. */
function ipOf(node: string): string {
  const m = /^ip-(\d+)-(\d+)-(\d+)-(\d+)/.exec(node);
  return m ? `${m[1]}.${m[2]}.${m[3]}.${m[4]}` : '';
}

function hex(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/** Exposition format: label values escape backslash, double quote and line feed. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed only. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
