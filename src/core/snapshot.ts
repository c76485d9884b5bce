import { z } from 'zod';

/**
 * What the loop sees of the world at one instant. Every TelemetrySource (twin, Prometheus,
 * Kubernetes, local processes, recorded traces) produces exactly this shape, so analyzers and
 * planners never know where the numbers came from.
 */

/**
 * One pod's memory, as cAdvisor (working set) and kube-state-metrics (limit, request) report it, summed over its
 * containers. The working set is what the kernel's OOM killer compares with the limit.
 */
export const PodMemorySchema = z.object({
  pod: z.string().min(1),
  workingSetMiB: z.number().nonnegative(),
  /** Absent when the pod sets no memory limit (then nothing kills it at a fixed level). */
  limitMiB: z.number().positive().optional(),
  requestMiB: z.number().positive().optional(),
});
export type PodMemory = z.infer<typeof PodMemorySchema>;

/** Pod counts and CPU sums as the HPA's metrics pipeline reports them (lagged, ready pods only). */
export const PodMetricsSchema = z.object({
  /** Ready pods that have a metric sample. */
  ready: z.number().int().nonnegative(),
  /** Pods not yet Ready (or whose sample predates readiness): the HPA sets them aside. */
  unready: z.number().int().nonnegative(),
  /** Pods with no metric sample at all. */
  missing: z.number().int().nonnegative(),
  /** Sum of CPU usage (millicores) over the `ready` pods. */
  cpuUsageMillis: z.number().nonnegative(),
  /**
   * Per pod with a running container: its memory. Optional, because older recordings and sources without
   * per-pod telemetry have none; analyzers that need it then see nothing rather than zeros.
   */
  memory: z.array(PodMemorySchema).optional(),
});
export type PodMetrics = z.infer<typeof PodMetricsSchema>;

export const ServiceTelemetrySchema = z.object({
  name: z.string().min(1),
  /** Desired replicas (spec). */
  replicas: z.number().int().nonnegative(),
  /** Pods scheduled and Ready. */
  readyReplicas: z.number().int().nonnegative(),
  /** Pods that cannot be scheduled (no node has room). */
  pendingReplicas: z.number().int().nonnegative(),
  cpuRequestMillis: z.number().positive(),
  memoryRequestMiB: z.number().positive(),
  /** Per-replica service rate (req/s) at the CPU request. */
  serviceRatePerReplica: z.number().positive(),
  pods: PodMetricsSchema,
  /** Utilisation as the HPA computes it: sum(usage)/sum(requests) over ready pods, 0..n. */
  cpuUtilization: z.number().nonnegative(),
  memoryUtilization: z.number().nonnegative(),
  /** Offered load (req/s). */
  requestRate: z.number().nonnegative(),
  servedRate: z.number().nonnegative(),
  /** Fraction of offered requests that failed or were dropped, 0..1. */
  errorRate: z.number().min(0).max(1),
  latencyP50Ms: z.number().nonnegative(),
  latencyP99Ms: z.number().nonnegative(),
  queueDepth: z.number().nonnegative(),
});
export type ServiceTelemetry = z.infer<typeof ServiceTelemetrySchema>;

export const NodeTelemetrySchema = z.object({
  name: z.string().min(1),
  instanceType: z.string(),
  spot: z.boolean(),
  ready: z.boolean(),
  /** True while the node is still being provisioned. */
  provisioning: z.boolean(),
  cpuAllocatableMillis: z.number().nonnegative(),
  memoryAllocatableMiB: z.number().nonnegative(),
  cpuRequestedMillis: z.number().nonnegative(),
  memoryRequestedMiB: z.number().nonnegative(),
  pods: z.number().int().nonnegative(),
  /** The kubelet's pod limit (status.allocatable.pods); absent when the source does not know it. */
  podsAllocatable: z.number().int().nonnegative().optional(),
  pricePerHour: z.number().nonnegative(),
  /** Seconds since the node became ready (0 while provisioning). */
  readyForSeconds: z.number().nonnegative(),
});
export type NodeTelemetry = z.infer<typeof NodeTelemetrySchema>;

export const ClusterEventSchema = z.object({
  at: z.number(),
  type: z.enum(['Normal', 'Warning']),
  reason: z.string(),
  object: z.string(),
  message: z.string(),
});
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;

export const LogLineSchema = z.object({
  at: z.number(),
  source: z.string(),
  line: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const SnapshotSchema = z.object({
  /** Simulation or wall-clock time, seconds since the epoch. */
  at: z.number(),
  services: z.array(ServiceTelemetrySchema),
  nodes: z.array(NodeTelemetrySchema),
  /** Events and log lines emitted since the previous snapshot. */
  events: z.array(ClusterEventSchema),
  logs: z.array(LogLineSchema),
  /** Current spend rate of the whole cluster. */
  costPerHour: z.number().nonnegative(),
  /** Set when the source could not read fresh data and this snapshot is (partly) stale. */
  degraded: z.string().optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
