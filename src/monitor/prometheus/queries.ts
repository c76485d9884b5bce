/**
 * The PromQL behind each signal of a Snapshot. The defaults use the names kube-state-metrics, cAdvisor, an HTTP
 * middleware and OpenCost export (and the twin's /metrics copies); any of them can be replaced in the config.
 * `$window` stands for the configured rate window. Counters are only ever read through rate(), which handles
 * counter resets (a restarted container starts again from 0).
 *
 * Each query returns one sample per deployment (label `deployment`), service (label `service`), pod (labels
 * `namespace`, `pod`) or node (label `node`); pods map to their Deployment by name (config podServicePattern),
 * and a Deployment and its Service share a name.
 */
export const SIGNALS = [
  'deploymentReplicas',
  'deploymentReadyReplicas',
  'podPhase',
  'podReady',
  'podCpuCores',
  'podMemoryBytes',
  'podCpuRequestCores',
  'podMemoryRequestBytes',
  'podMemoryLimitBytes',
  'requestRate',
  'servedRate',
  'errorRate',
  'latencyP50Seconds',
  'latencyP99Seconds',
  'queueDepth',
  'nodeInfo',
  'nodeLabels',
  'nodeReady',
  'nodeCpuAllocatableCores',
  'nodeMemoryAllocatableBytes',
  'nodeCpuRequestedCores',
  'nodeMemoryRequestedBytes',
  'nodePods',
  'nodePricePerHour',
  'nodeCreated',
] as const;
export type Signal = (typeof SIGNALS)[number];

const CONTAINERS = 'container!="",container!="POD"';

export const DEFAULT_QUERIES: Readonly<Record<Signal, string>> = {
  deploymentReplicas: 'kube_deployment_spec_replicas',
  deploymentReadyReplicas: 'kube_deployment_status_replicas_ready',
  // kube-state-metrics writes every phase per pod; keep the current one.
  podPhase: 'kube_pod_status_phase == 1',
  podReady: 'kube_pod_status_ready{condition="true"}',
  podCpuCores: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${CONTAINERS}}[$window]))`,
  podMemoryBytes: `sum by (namespace, pod) (container_memory_working_set_bytes{${CONTAINERS}})`,
  podCpuRequestCores: 'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="cpu"})',
  podMemoryRequestBytes: 'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="memory"})',
  // A container without a limit has no series, so a pod's sum covers only the limited ones: fine for the usual
  // one-container pod; a pod with an unlimited container has no single level at which it is killed.
  podMemoryLimitBytes: 'sum by (namespace, pod) (kube_pod_container_resource_limits{resource="memory"})',
  requestRate: 'sum by (service) (rate(http_requests_total[$window]))',
  // 503: shed or timed out in the queue, never served.
  servedRate: 'sum by (service) (rate(http_requests_total{code!="503"}[$window]))',
  // 0/0 (no traffic) is NaN in PromQL; the source reads NaN as "no sample".
  errorRate: 'sum by (service) (rate(http_requests_total{code=~"5.."}[$window])) / sum by (service) (rate(http_requests_total[$window]))',
  latencyP50Seconds: 'max by (service) (http_request_duration_seconds{quantile="0.5"})',
  latencyP99Seconds: 'max by (service) (http_request_duration_seconds{quantile="0.99"})',
  queueDepth: 'sum by (service) (autonomic_service_queue_depth)',
  nodeInfo: 'kube_node_info',
  nodeLabels: 'kube_node_labels',
  nodeReady: 'kube_node_status_condition{condition="Ready",status="true"}',
  nodeCpuAllocatableCores: 'kube_node_status_allocatable{resource="cpu"}',
  nodeMemoryAllocatableBytes: 'kube_node_status_allocatable{resource="memory"}',
  nodeCpuRequestedCores: 'sum by (node) (kube_pod_container_resource_requests{resource="cpu",node!=""})',
  nodeMemoryRequestedBytes: 'sum by (node) (kube_pod_container_resource_requests{resource="memory",node!=""})',
  nodePods: 'count by (node) (kube_pod_info{node!=""})',
  nodePricePerHour: 'node_total_hourly_cost',
  nodeCreated: 'kube_node_created',
};

/** The query text with `$window` filled in. */
export function expandQuery(query: string, window: string): string {
  return query.replaceAll('$window', window);
}
