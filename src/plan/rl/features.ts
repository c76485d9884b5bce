/**
 * The RL state of one service: the seed's five telemetry features (CPU, memory, request rate, error rate, queue
 * depth), the forecast quantiles of the next 15 minutes relative to the current rate, and the current replicas
 * and nodes. Everything is scale-free where it can be (rates per replica capacity, logs of ratios), so one policy
 * serves a 2-replica and a 200-replica service, and clipped so a glitch cannot blow up the network's input.
 */
import type { ServiceTelemetry, Snapshot } from '../../core/snapshot.js';
import type { RateOutlook } from './load-forecast.js';

export const FEATURE_NAMES = [
  'cpu_utilization',
  'memory_utilization',
  'request_rate_per_capacity',
  'error_rate_x10',
  'queue_seconds_log',
  'forecast_p10_log_ratio',
  'forecast_p50_log_ratio',
  'forecast_p90_log_ratio',
  'replicas_log10',
  'ready_share',
  'node_slots_per_replica',
  'recent_direction',
] as const;
export const NUM_FEATURES = FEATURE_NAMES.length;

const clip = (x: number, lo: number, hi: number): number => (Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo);

/** Pod slots (by CPU and memory requests, and the pod limit) on nodes that are ready or on their way, for a pod of this service. */
export function podSlots(snapshot: Snapshot, svc: ServiceTelemetry): number {
  let slots = 0;
  for (const n of snapshot.nodes) {
    if (!n.ready && !n.provisioning) continue;
    slots += Math.floor(Math.min(n.cpuAllocatableMillis / svc.cpuRequestMillis, n.memoryAllocatableMiB / svc.memoryRequestMiB, n.podsAllocatable ?? Infinity));
  }
  return slots;
}

export interface FeatureInput {
  svc: ServiceTelemetry;
  snapshot: Snapshot;
  outlook: RateOutlook | null;
  /** Direction of the last executed change (−1, 0, +1) and seconds since it. */
  lastDirection: number;
  sinceLastChange: number;
}

/** Writes the features into `out` at `offset`. */
export function writeFeatures(f: FeatureInput, out: Float32Array, offset = 0): void {
  const { svc } = f;
  const replicas = Math.max(1, svc.replicas);
  const capacity = replicas * svc.serviceRatePerReplica;
  const rate = Math.max(svc.requestRate, 1e-3);
  const ratio = (q: number) => clip(Math.log(Math.max(q, 1e-3) / rate), -2, 2);
  const o = f.outlook;
  out[offset + 0] = clip(svc.cpuUtilization, 0, 5);
  out[offset + 1] = clip(svc.memoryUtilization, 0, 2);
  out[offset + 2] = clip(svc.requestRate / capacity, 0, 10);
  out[offset + 3] = clip(svc.errorRate * 10, 0, 10);
  out[offset + 4] = clip(Math.log1p(svc.queueDepth / capacity), 0, 10);
  // No forecast yet: "no change expected", the centre of what training saw.
  out[offset + 5] = o ? ratio(o.p10) : 0;
  out[offset + 6] = o ? ratio(o.p50) : 0;
  out[offset + 7] = o ? ratio(o.p90) : 0;
  out[offset + 8] = clip(Math.log10(replicas), 0, 4);
  out[offset + 9] = clip(svc.readyReplicas / replicas, 0, 2);
  out[offset + 10] = clip(podSlots(f.snapshot, svc) / replicas, 0, 10);
  out[offset + 11] = f.lastDirection * Math.max(0, 1 - f.sinceLastChange / 600);
}
