import type { Snapshot } from '../../core/snapshot.js';

/** Demand above this is reported as this (a service with no ready replica has infinite demand per capacity). */
export const DEMAND_CAP = 99;

/** The SLO signals of one service at one instant (or averaged over a window), as verification compares them. */
export interface ServiceSignals {
  /** Offered load, req/s: what the comparison is normalised by. */
  requestRate: number;
  p99Ms: number;
  errorRate: number;
  /** Saturation: offered load per ready capacity, λ / (ready · μ); ≥ 1 means the queue grows. */
  demand: number;
  queueDepth: number;
  readyReplicas: number;
  /** Per-replica service rate μ, to compute the demand a different replica count would have had. */
  serviceRatePerReplica: number;
}

/** Signals of every service in a snapshot. */
export function signalsOf(snapshot: Snapshot): Map<string, ServiceSignals> {
  const out = new Map<string, ServiceSignals>();
  for (const s of snapshot.services) {
    out.set(s.name, {
      requestRate: s.requestRate,
      p99Ms: s.latencyP99Ms,
      errorRate: s.errorRate,
      demand: demandOf(s.requestRate, s.readyReplicas, s.serviceRatePerReplica),
      queueDepth: s.queueDepth,
      readyReplicas: s.readyReplicas,
      serviceRatePerReplica: s.serviceRatePerReplica,
    });
  }
  return out;
}

export function demandOf(requestRate: number, replicas: number, serviceRatePerReplica: number): number {
  if (requestRate <= 0) return 0;
  const capacity = replicas * serviceRatePerReplica;
  return capacity > 0 ? Math.min(DEMAND_CAP, requestRate / capacity) : DEMAND_CAP;
}

/** Field-wise mean over a window, per service (a service missing from some snapshots is averaged where seen). */
export function meanSignals(samples: readonly Map<string, ServiceSignals>[], services: readonly string[]): Map<string, ServiceSignals> {
  const out = new Map<string, ServiceSignals>();
  for (const name of services) {
    const seen = samples.map((m) => m.get(name)).filter((x): x is ServiceSignals => x !== undefined);
    if (seen.length === 0) continue;
    const mean = (f: (x: ServiceSignals) => number): number => seen.reduce((a, x) => a + f(x), 0) / seen.length;
    out.set(name, {
      requestRate: mean((x) => x.requestRate),
      p99Ms: mean((x) => x.p99Ms),
      errorRate: mean((x) => x.errorRate),
      demand: mean((x) => x.demand),
      queueDepth: mean((x) => x.queueDepth),
      readyReplicas: mean((x) => x.readyReplicas),
      serviceRatePerReplica: mean((x) => x.serviceRatePerReplica),
    });
  }
  return out;
}

/** Rounded for the journal. */
export function rounded(s: ServiceSignals): Record<string, number> {
  const r = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    requestRate: r(s.requestRate, 2), p99Ms: r(s.p99Ms, 1), errorRate: r(s.errorRate, 5), demand: r(s.demand, 3),
    queueDepth: r(s.queueDepth, 1), readyReplicas: r(s.readyReplicas, 2),
  };
}
