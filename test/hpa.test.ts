import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HpaPolicy,
  HpaTargetSchema,
  calculateCpuReplicas,
  emptyHpaState,
  reconcileHpa,
  type CpuMetrics,
  type HpaState,
  type HpaTargetInput,
  type HpaReconcileResult,
} from '../src/plan/scaling/hpa.js';
import type { ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';

// Expected numbers below are derived by hand from the Kubernetes docs ("Algorithm details", "Configurable
// scaling behavior") and horizontal.go / replica_calculator.go, in the comment beside each assertion.

const TOL = { scaleUp: 0.1, scaleDown: 0.1 };
const CTL = { tolerance: 0.1, downscaleStabilizationSeconds: 300 };

/** `ready` pods using `usage` millicores in total, each requesting `request`. */
function m(ready: number, usage: number, request = 1000, unready = 0, missing = 0): CpuMetrics {
  return { ready, unready, missing, cpuUsageMillis: usage, cpuRequestMillis: request };
}

function desired(r: ReturnType<typeof calculateCpuReplicas>): number {
  assert.ok(r.ok, 'calculation should succeed');
  return r.desiredReplicas;
}

/** Drive reconcileHpa through a sequence of calls, threading the state. */
class Driver {
  state: HpaState = emptyHpaState();
  constructor(readonly target: HpaTargetInput) {}
  step(now: number, current: number, metrics: CpuMetrics): HpaReconcileResult {
    const r = reconcileHpa({ now, currentReplicas: current, metrics, target: HpaTargetSchema.parse(this.target), controller: CTL }, this.state);
    this.state = r.state;
    return r;
  }
}

// ---- replica calculation ----

test('docs: current metric twice the target doubles the replicas, half of it halves them', () => {
  // Target 50% of a 1000m request. 2 pods using 2000m in total: utilisation floor(100×2000/2000)=100%,
  // ratio 100/50 = 2.0 → ceil(2.0×2) = 4.
  assert.equal(desired(calculateCpuReplicas(2, 50, m(2, 2000), TOL)), 4);
  // 4 pods using 1000m: floor(100×1000/4000)=25%, ratio 0.5 → ceil(0.5×4) = 2.
  assert.equal(desired(calculateCpuReplicas(4, 50, m(4, 1000), TOL)), 2);
});

test('a ratio within the 0.1 tolerance (inclusive) keeps the current count', () => {
  // 4 pods, 2160m: 54% vs 50 → 1.08, |1-1.08| ≤ 0.1 → keep 4.
  const within = calculateCpuReplicas(4, 50, m(4, 2160), TOL);
  assert.equal(desired(within), 4);
  assert.ok(within.ok && within.outcome === 'within-tolerance');
  // 2200m: 55% → 1.1 exactly, still within (the check is ≤) → keep 4.
  assert.equal(desired(calculateCpuReplicas(4, 50, m(4, 2200), TOL)), 4);
  // 2240m: 56% → 1.12 → ceil(1.12×4)=ceil(4.48) = 5.
  assert.equal(desired(calculateCpuReplicas(4, 50, m(4, 2240), TOL)), 5);
  // Per-direction tolerance (KEP-4951): with scaleUp tolerance 0.2, 1.12 is within → 4.
  assert.equal(desired(calculateCpuReplicas(4, 50, m(4, 2240), { scaleUp: 0.2, scaleDown: 0.1 })), 4);
});

test('utilisation is the integer percent of the ratio of sums', () => {
  // 3 pods × 1000m request, 1000m used: 100×1000/3000 = 33.3 → 33 (integer division), ratio 33/80.
  const r = calculateCpuReplicas(3, 80, m(3, 1000), TOL);
  assert.ok(r.ok);
  assert.equal(r.utilization, 33);
  assert.equal(r.usageRatio, 33 / 80);
  // ceil(0.4125×3) = ceil(1.2375) = 2
  assert.equal(r.desiredReplicas, 2);
});

test('the HPA worked example: 92% vs 80% on 5 pods asks for 6', () => {
  // floor(100×4600/5000) = 92; 92/80 = 1.15; ceil(1.15×5) = ceil(5.75) = 6.
  assert.equal(desired(calculateCpuReplicas(5, 80, m(5, 4600), TOL)), 6);
});

test('no ready pod with a metric: the calculation fails, and reconcile does nothing', () => {
  assert.equal(calculateCpuReplicas(3, 50, m(0, 0, 1000, 3, 0), TOL).ok, false);
  const r = new Driver({ maxReplicas: 10 }).step(0, 3, m(0, 0, 1000, 3, 0));
  assert.equal(r.branch, 'metrics-failed');
  assert.equal(r.rescale, false);
});

test('scale-up with unready pods counts them as 0% (less scale)', () => {
  // Like replica_calculator_test "ScaleUpUnreadyLessScale": 3 replicas, 1 unready, 2 ready at 500m+700m of
  // 1000m each, target 30%. Unpadded 1200/2000 = 60% → ratio 2.0 > 1 with unready pods → pad:
  // 1200/3000 = 40% → 40/30 = 1.333… → ceil(1.333…×3) = 4. Reported utilisation stays the unpadded 60.
  const r = calculateCpuReplicas(3, 30, m(2, 1200, 1000, 1, 0), TOL);
  assert.ok(r.ok);
  assert.equal(r.utilization, 60);
  assert.equal(r.padded?.utilization, 40);
  assert.equal(r.padded?.pods, 3);
  assert.equal(r.desiredReplicas, 4);
});

test('scale-up with unready pods: a direction flip keeps the current count', () => {
  // "ScaleUpUnreadyNoScale": 3 replicas, 1 ready at 400m, 2 unready, target 30%. Unpadded 40% → 1.33 (up);
  // padded 400/3000 = 13% → 0.433 (down): the direction flips → keep 3.
  const r = calculateCpuReplicas(3, 30, m(1, 400, 1000, 2, 0), TOL);
  assert.ok(r.ok);
  assert.equal(r.outcome, 'padded-direction-flip');
  assert.equal(r.desiredReplicas, 3);
  // Without the unready pods the same ready pod would ask for ceil(1.333×1) = 2, a scale-down: unready pods
  // are only padded on the way up, so this is the direct path.
  const direct = calculateCpuReplicas(3, 30, m(1, 400), TOL);
  assert.ok(direct.ok && direct.outcome === 'direct');
});

test('unready pods are ignored on a scale-down', () => {
  // 4 ready at 100m each of 1000m (10%), 2 unready, target 50 → 0.2 < 1: no padding for unready,
  // no missing → direct: ceil(0.2×4) = 1 (ceil(0.8)).
  const r = calculateCpuReplicas(6, 50, m(4, 400, 1000, 2, 0), TOL);
  assert.ok(r.ok && r.outcome === 'direct');
  assert.equal(r.desiredReplicas, 1);
});

test('scale-down with missing pods counts them as 100% of request', () => {
  // 4 replicas, 3 ready at 100m each of 1000m, 1 missing, target 50. Unpadded 300/3000 = 10% → 0.2 (down).
  // Pad missing at 100%: (300+1000)/4000 = 32.5 → 32% → 0.64 → ceil(0.64×4) = ceil(2.56) = 3,
  // where ignoring the missing pod would give ceil(0.2×3) = 1.
  const r = calculateCpuReplicas(4, 50, m(3, 300, 1000, 0, 1), TOL);
  assert.ok(r.ok);
  assert.equal(r.padded?.missingAsPercent, 100);
  assert.equal(r.padded?.utilization, 32);
  assert.equal(r.desiredReplicas, 3);
});

test('scale-down with missing pods uses the target when the target is above 100%', () => {
  // Current upstream: fallback = max(100, target). Target 150, 1 ready at 500m of 1000m → 50% → 0.333.
  // Missing pod counted at 1500m: 2000/2000 = 100% → 0.667 → ceil(0.667×2) = 2 = current.
  const r = calculateCpuReplicas(2, 150, m(1, 500, 1000, 0, 1), TOL);
  assert.ok(r.ok);
  assert.equal(r.padded?.missingAsPercent, 150);
  assert.equal(r.padded?.utilization, 100);
  assert.equal(r.desiredReplicas, 2);
});

test('scale-up with missing pods counts them as 0%, which can bring the ratio within tolerance', () => {
  // 4 replicas, 2 ready at 1100m each of 1000m, 2 missing, target 50. Unpadded 2200/2000 = 110% → 2.2.
  // Missing at 0: 2200/4000 = 55% → 1.1, within tolerance → keep 4 (unpadded would say ceil(2.2×2) = 5).
  const r = calculateCpuReplicas(4, 50, m(2, 2200, 1000, 0, 2), TOL);
  assert.ok(r.ok);
  assert.equal(r.outcome, 'padded-within-tolerance');
  assert.equal(r.desiredReplicas, 4);
});

test('scale-down with missing pods: a direction flip keeps the current count', () => {
  // 3 replicas, 1 ready at 300m of 1000m (30%), 2 missing, target 40 → 0.75 (down).
  // Missing at 100%: 2300/3000 = 76% → 1.9 (up): flip → keep 3.
  const r = calculateCpuReplicas(3, 40, m(1, 300, 1000, 0, 2), TOL);
  assert.ok(r.ok);
  assert.equal(r.outcome, 'padded-direction-flip');
  assert.equal(r.desiredReplicas, 3);
});

// ---- reconcile order ----

test('reconcile order: current 0 disables, above max → max, below min → min, without reading metrics', () => {
  const d = new Driver({ minReplicas: 2, maxReplicas: 10 });
  const off = d.step(0, 0, m(1, 5000));
  assert.equal(off.branch, 'disabled');
  assert.equal(off.rescale, false);
  // 12 > max 10 → 10 even though metrics (which are missing) would fail.
  const high = d.step(15, 12, m(0, 0));
  assert.equal(high.branch, 'above-max');
  assert.equal(high.desiredReplicas, 10);
  // 1 < min 2 → 2, even though CPU is very high.
  const low = d.step(30, 1, m(1, 9000));
  assert.equal(low.branch, 'below-min');
  assert.equal(low.desiredReplicas, 2);
});

// ---- default behaviour: scale-up rate ----

test('default scale-up: at most max(+4 pods, ×2) per 15 s, counted from the scale events', () => {
  const d = new Driver({ maxReplicas: 100, targetCPUUtilizationPercentage: 50 });
  // 1 pod at 1000% → ratio 20 → raw ceil(20×1) = 20. Limit = max(Pods 1+4=5, Percent ceil(1×2)=2) = 5.
  const a = d.step(0, 1, m(1, 10000));
  assert.equal(a.rawDesired, 20);
  assert.equal(a.desiredReplicas, 5);
  assert.equal(a.limitReason, 'ScaleUpLimit');
  assert.equal(a.limitPolicy?.type, 'Pods');
  // 14 s later (still inside the 15 s period) the +4 event counts: period start = 5-4 = 1 → limit 5 = current.
  const b = d.step(14, 5, m(5, 50000));
  assert.equal(b.rescale, false);
  // At 15 s the event at t=0 is not strictly after the cutoff 0: start = 5 → max(9, ceil(5×2)=10) = 10.
  const c = d.step(15, 5, m(5, 50000));
  assert.equal(c.desiredReplicas, 10);
  assert.equal(c.limitPolicy?.type, 'Percent');
  // At 30 s from 10: max(14, 20) = 20, and raw is ceil(20×10)=200 capped by the rate, not yet by max 100.
  const e = d.step(30, 10, m(10, 100000));
  assert.equal(e.desiredReplicas, 20);
});

test('selectPolicy Min on scale-up takes the smaller step', () => {
  const d = new Driver({ maxReplicas: 100, targetCPUUtilizationPercentage: 50, behavior: { scaleUp: { selectPolicy: 'Min' } } });
  // From 10: min(Pods 14, Percent 20) = 14.
  assert.equal(d.step(0, 10, m(10, 100000)).desiredReplicas, 14);
});

test('maxReplicas caps a scale-up when it is below the rate limit', () => {
  const d = new Driver({ maxReplicas: 10, targetCPUUtilizationPercentage: 50 });
  // From 8, raw large; rate limit max(12, 16) = 16 > max 10 → 10, reason TooManyReplicas.
  const r = d.step(0, 8, m(8, 80000));
  assert.equal(r.desiredReplicas, 10);
  assert.equal(r.limitReason, 'TooManyReplicas');
});

// ---- scale-down stabilisation ----

test('default scale-down: the highest recommendation of the last 5 minutes wins', () => {
  const d = new Driver({ maxReplicas: 20, targetCPUUtilizationPercentage: 50 });
  // t=0: 10 pods at exactly target (5000m of 10×1000m = 50%) → keep 10. History: [10 (initial), 10].
  assert.equal(d.step(0, 10, m(10, 5000)).rescale, false);
  // t=60: 20% → 0.4 → raw ceil(0.4×10)=4, but the window holds 10 → no change.
  const a = d.step(60, 10, m(10, 2000));
  assert.equal(a.rawDesired, 4);
  assert.equal(a.stabilized, 10);
  assert.equal(a.rescale, false);
  // t=120: 30% → 0.6 → raw 6; window max is still 10.
  assert.equal(d.step(120, 10, m(10, 3000)).stabilized, 10);
  // t=300: the t=0 entries are exactly 300 s old, not strictly newer than the cutoff → excluded;
  // window = {4@60, 6@120, raw}; raw 10% → 0.2 → 2 → max(4, 6, 2) = 6.
  const b = d.step(300, 10, m(10, 1000));
  assert.equal(b.rawDesired, 2);
  assert.equal(b.stabilized, 6);
  assert.equal(b.desiredReplicas, 6);
  // Default scale-down rate (Percent 100/15s) is no limit: trunc(10×0) = 0 → floored only by min 1.
  assert.equal(b.limitReason, 'DesiredWithinRange');
});

test('a new HPA seeds its history with the current count, so it cannot scale down for 5 minutes', () => {
  const d = new Driver({ maxReplicas: 20, targetCPUUtilizationPercentage: 50 });
  // First sight at t=0: 10 replicas, 10% → raw ceil(0.2×10) = 2, but the seeded 10@0 is in the window.
  const a = d.step(0, 10, m(10, 1000));
  assert.equal(a.rawDesired, 2);
  assert.equal(a.stabilized, 10);
  assert.equal(a.rescale, false);
  // Still held at t=299 (10@0 is newer than the cutoff −1).
  assert.equal(d.step(299, 10, m(10, 1000)).rescale, false);
  // At t=300 both entries at t=0 fall out; the window holds 2@299 and raw 2 → 2.
  assert.equal(d.step(300, 10, m(10, 1000)).desiredReplicas, 2);
});

test('scale-up stabilisation window holds back to the lowest recent recommendation', () => {
  const d = new Driver({ maxReplicas: 20, targetCPUUtilizationPercentage: 50, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } });
  // t=0: at target → 4; history [4, 4].
  d.step(0, 4, m(4, 2000));
  // t=30: 100% → 2.0 → raw 8; the up window (−30, 30] holds 4, 4 → min 4 → stay.
  const a = d.step(30, 4, m(4, 4000));
  assert.equal(a.rawDesired, 8);
  assert.equal(a.stabilized, 4);
  assert.equal(a.rescale, false);
  // t=61: window (1, 61] holds only 8@30 and raw 8 → 8; rate max(8, 8) allows it.
  assert.equal(d.step(61, 4, m(4, 4000)).desiredReplicas, 8);
});

test('docs example: scale-down Pods 4/60s + Percent 10/60s (Max) from 80 removes 8 first, then Pods wins at ≤40', () => {
  const d = new Driver({
    minReplicas: 10,
    maxReplicas: 100,
    targetCPUUtilizationPercentage: 50,
    behavior: {
      scaleDown: {
        stabilizationWindowSeconds: 0,
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 60 },
          { type: 'Percent', value: 10, periodSeconds: 60 },
        ],
      },
    },
  });
  // Idle pods (0% → raw 0) floored at minReplicas 10, so the rate limit alone sets each step.
  // Step from N (no event in the last 60 s): Max selects the lowest floor, min(N-4, trunc(N×0.9)):
  // 80→min(76,72)=72, 72→min(68,64.8→64)=64, 64→min(60,57)=57, 57→min(53,51)=51, 51→min(47,45)=45,
  // 45→min(41,40)=40, 40→min(36,36)=36, 36→min(32,32)=32, 32→min(28,28)=28, 28→min(24,25)=24,
  // 24→min(20,21)=20, 20→min(16,18)=16, 16→min(12,14)=12, 12→min(8,10)=8 but minReplicas → 10.
  const expected = [72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10];
  let current = 80;
  let t = 0;
  const seen: number[] = [];
  // First step, and a check that a second reconcile inside the 60 s period does nothing.
  let r = d.step(t, current, m(current, 0));
  assert.equal(r.desiredReplicas, 72);
  assert.equal(r.limitPolicy?.type, 'Percent');
  seen.push(r.desiredReplicas);
  current = r.desiredReplicas;
  // 15 s later: period start = 72 + 8 removed = 80 → floor 72 = current → no change.
  assert.equal(d.step(t + 15, current, m(current, 0)).rescale, false);
  while (current > 10) {
    t += 60;
    r = d.step(t, current, m(current, 0));
    assert.ok(r.rescale);
    seen.push(r.desiredReplicas);
    current = r.desiredReplicas;
  }
  assert.deepEqual(seen, expected);
});

test('selectPolicy Disabled stops scaling in that direction', () => {
  const down = new Driver({ maxReplicas: 20, targetCPUUtilizationPercentage: 50, behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } } });
  const r = down.step(0, 10, m(10, 1000)); // 10% → raw 2
  assert.equal(r.rawDesired, 2);
  assert.equal(r.rescale, false);
  const up = new Driver({ maxReplicas: 20, targetCPUUtilizationPercentage: 50, behavior: { scaleUp: { selectPolicy: 'Disabled' } } });
  const u = up.step(0, 4, m(4, 8000)); // 200% → raw 16
  assert.equal(u.rawDesired, 16);
  assert.equal(u.rescale, false);
});

test('legacy path (behavior: null): max over 5 min, then at most max(2×current, 4)', () => {
  const d = new Driver({ maxReplicas: 50, targetCPUUtilizationPercentage: 50, behavior: null });
  // From 1, raw 20 → limit max(2, 4) = 4.
  assert.equal(d.step(0, 1, m(1, 10000)).desiredReplicas, 4);
  // From 4 at t=15, raw ceil(2.0×4) = 8; the window's max is the 20 recorded at t=0, and the limit is
  // max(2×4, 4) = 8 → 8. Legacy keeps no scale events, only this per-reconcile cap.
  const s = d.step(15, 4, m(4, 4000));
  assert.equal(s.stabilized, 20);
  assert.equal(s.desiredReplicas, 8);
  // From 8 at t=30 with idle pods (raw 0): the max of the last 5 min is still 20, and the legacy rules have
  // no notion of direction, so it keeps climbing to min(20, max(2×8, 4)) = 16 — as convertDesiredReplicasWithRules does.
  const r = d.step(30, 8, m(8, 0));
  assert.equal(r.stabilized, 20);
  assert.equal(r.desiredReplicas, 16);
});

// ---- the policy over snapshots ----

function svc(over: Partial<ServiceTelemetry> & { name: string; replicas: number }): ServiceTelemetry {
  return {
    readyReplicas: over.replicas,
    pendingReplicas: 0,
    cpuRequestMillis: 1000,
    memoryRequestMiB: 512,
    serviceRatePerReplica: 10,
    pods: { ready: over.replicas, unready: 0, missing: 0, cpuUsageMillis: 0 },
    cpuUtilization: 0,
    memoryUtilization: 0,
    requestRate: 0,
    servedRate: 0,
    errorRate: 0,
    latencyP50Ms: 1,
    latencyP99Ms: 1,
    queueDepth: 0,
    ...over,
  };
}

function snap(at: number, services: ServiceTelemetry[]): Snapshot {
  return { at, services, nodes: [], events: [], logs: [], costPerHour: 0 };
}

test('HpaPolicy proposes a scale with a readable rationale and the numbers as evidence', () => {
  const p = new HpaPolicy({ services: { web: { maxReplicas: 10 } } });
  const web = svc({ name: 'web', replicas: 5, pods: { ready: 5, unready: 0, missing: 0, cpuUsageMillis: 4600 } });
  const other = svc({ name: 'batch', replicas: 1, pods: { ready: 1, unready: 0, missing: 0, cpuUsageMillis: 1000 } });
  const out = p.decide({ snapshot: snap(0, [web, other]), now: 0 });
  assert.equal(out.length, 1, 'only the configured service is autoscaled');
  const [prop] = out;
  assert.deepEqual(prop.action, { kind: 'scale', service: 'web', from: 5, to: 6 });
  assert.equal(prop.source, 'hpa');
  assert.match(prop.rationale, /CPU 92% of request vs target 80% across 5 ready pods → ceil\(5×1\.15\)=6 replicas/);
  assert.equal(prop.evidence.utilization, 92);
  assert.equal(prop.evidence.target, 80);
  assert.equal(prop.evidence.ratio, 1.15);
  assert.equal(prop.evidence.rawDesired, 6);
  assert.equal(prop.evidence.stabilized, 6);
  assert.equal(prop.evidence.limited, false);
});

test('HpaPolicy names the limiting policy in the rationale', () => {
  const p = new HpaPolicy({ default: { maxReplicas: 50, targetCPUUtilizationPercentage: 50 } });
  // 2 pods at 500% → ratio 10 → raw 20; limit max(2+4, 4) = 6 → Pods 4/15s.
  const out = p.decide({ snapshot: snap(0, [svc({ name: 'api', replicas: 2, pods: { ready: 2, unready: 0, missing: 0, cpuUsageMillis: 10000 } })]), now: 0 });
  assert.equal(out[0].action.kind === 'scale' && out[0].action.to, 6);
  assert.match(out[0].rationale, /scale-up limited to 6 by policy Pods 4\/15s/);
  assert.equal(out[0].evidence.limited, true);
  assert.equal(out[0].evidence.limitPolicy, 'Pods 4/15s');
});

test('HpaPolicy reconciles a service at most once per sync period', () => {
  const p = new HpaPolicy({ default: { maxReplicas: 50, targetCPUUtilizationPercentage: 50 } });
  const hot = (n: number) => svc({ name: 'api', replicas: n, pods: { ready: n, unready: 0, missing: 0, cpuUsageMillis: n * 1000 } });
  assert.equal(p.decide({ snapshot: snap(0, [hot(2)]), now: 0 }).length, 1); // 100% vs 50 → 4
  // 10 s later the load is still double: no reconcile before 15 s have passed.
  assert.equal(p.decide({ snapshot: snap(10, [hot(4)]), now: 10 }).length, 0);
  const later = p.decide({ snapshot: snap(15, [hot(4)]), now: 15 });
  assert.equal(later.length, 1);
  // From 4: raw 8; events: +2 at t=0 is not newer than cutoff 0 → start 4 → max(8, 8) → 8.
  assert.deepEqual(later[0].action, { kind: 'scale', service: 'api', from: 4, to: 8 });
});

test('HpaPolicy rationale for the min/max clamps', () => {
  const p = new HpaPolicy({ default: { minReplicas: 3, maxReplicas: 5 } });
  const out = p.decide({ snapshot: snap(0, [svc({ name: 'a', replicas: 9 }), svc({ name: 'b', replicas: 1 })]), now: 0 });
  assert.deepEqual(out.map((o) => o.action), [
    { kind: 'scale', service: 'a', from: 9, to: 5 },
    { kind: 'scale', service: 'b', from: 1, to: 3 },
  ]);
  assert.match(out[0].rationale, /above maxReplicas 5/);
  assert.match(out[1].rationale, /below minReplicas 3/);
});

test('config rejects min above max and fills the documented defaults', () => {
  assert.equal(HpaTargetSchema.safeParse({ minReplicas: 5, maxReplicas: 2 }).success, false);
  const t = HpaTargetSchema.parse({ maxReplicas: 4 });
  assert.equal(t.minReplicas, 1);
  assert.equal(t.targetCPUUtilizationPercentage, 80);
  assert.ok(t.behavior);
  assert.equal(t.behavior.scaleUp.stabilizationWindowSeconds, 0);
  assert.deepEqual(t.behavior.scaleUp.policies, [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ]);
  assert.deepEqual(t.behavior.scaleDown.policies, [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
  // Unset scale-down window: left to the controller's --horizontal-pod-autoscaler-downscale-stabilization.
  assert.equal(t.behavior.scaleDown.stabilizationWindowSeconds, undefined);
  assert.equal(HpaTargetSchema.parse({ maxReplicas: 4, behavior: null }).behavior, null);
});

test('reconcileHpa does not mutate the state it is given', () => {
  const target = HpaTargetSchema.parse({ maxReplicas: 20, targetCPUUtilizationPercentage: 50 });
  const s0 = emptyHpaState();
  const r1 = reconcileHpa({ now: 0, currentReplicas: 2, metrics: m(2, 4000), target, controller: CTL }, s0);
  assert.deepEqual(s0, emptyHpaState());
  const snapshot = JSON.stringify(r1.state);
  reconcileHpa({ now: 5, currentReplicas: 6, metrics: m(6, 12000), target, controller: CTL }, r1.state);
  assert.equal(JSON.stringify(r1.state), snapshot);
});
