import type { Objective } from './objectives.js';
import { demandOf, type ServiceSignals } from './signals.js';
import type { VerificationConfig } from './config.js';

export type ActionVerdict = 'improved' | 'neutral' | 'worse';

/** How one service fared across an action. */
export interface ServiceJudgement {
  service: string;
  /** Signals that got worse beyond tolerance and beyond the objective, in words. */
  worse: string[];
  /** Signals that were out of objective (or saturated) and got better beyond tolerance. */
  improved: string[];
  /** The request rate changed enough, and the load alone (at the pre-action capacity) saturates the service. */
  loadExplains: boolean;
  loadRatio: number;
  /** Demand the observed load would have had with the pre-action ready replicas. */
  counterfactualDemand: number;
}

export interface Judgement {
  verdict: ActionVerdict;
  /** Worse, and the action (not the load) is to blame: what triggers an undo. */
  blamed: boolean;
  reasons: string[];
  services: ServiceJudgement[];
}

/**
 * Compares observed signals with the pre-action baseline, service by service.
 *
 * Worse = a signal outside its objective (p99, error rate) or saturated (demand) that rose beyond tolerance.
 * Attribution, normalised by request rate: when the load rose by more than `loadTolerance` and that load would
 * have saturated the service even with its pre-action ready replicas (counterfactual demand λ_obs / (c_before · μ)
 * ≥ saturationAt), the worsening is the load's, not the action's. Otherwise capacity or behaviour changed by the
 * action is the only thing that moved, and it is blamed. Pure.
 */
export function judge(
  baseline: ReadonlyMap<string, ServiceSignals>,
  observed: ReadonlyMap<string, ServiceSignals>,
  objectiveOf: (service: string) => Objective,
  c: VerificationConfig,
): Judgement {
  const services: ServiceJudgement[] = [];
  for (const [name, b] of baseline) {
    const o = observed.get(name);
    if (!o) continue;
    const obj = objectiveOf(name);
    const worse: string[] = [];
    const improved: string[] = [];
    const t = c.tolerance;
    if (o.p99Ms > obj.p99Ms && o.p99Ms > b.p99Ms * (1 + t.p99)) worse.push(`p99 ${ms(b.p99Ms)} → ${ms(o.p99Ms)} (objective ${obj.p99Ms} ms)`);
    else if (b.p99Ms > obj.p99Ms && o.p99Ms < b.p99Ms * (1 - t.p99)) improved.push(`p99 ${ms(b.p99Ms)} → ${ms(o.p99Ms)}`);
    if (o.errorRate > obj.errorRate && o.errorRate > b.errorRate + t.errorRate) worse.push(`errors ${pct(b.errorRate)} → ${pct(o.errorRate)} (objective ${pct(obj.errorRate)})`);
    else if (b.errorRate > obj.errorRate && o.errorRate < b.errorRate - t.errorRate) improved.push(`errors ${pct(b.errorRate)} → ${pct(o.errorRate)}`);
    if (o.demand >= c.saturationAt && o.demand > b.demand + t.demand) worse.push(`saturation ${b.demand.toFixed(2)} → ${o.demand.toFixed(2)} of capacity`);
    else if (b.demand >= c.saturationAt && o.demand < b.demand - t.demand) improved.push(`saturation ${b.demand.toFixed(2)} → ${o.demand.toFixed(2)} of capacity`);

    const loadRatio = b.requestRate > 0 ? o.requestRate / b.requestRate : o.requestRate > 0 ? Infinity : 1;
    const counterfactualDemand = demandOf(o.requestRate, b.readyReplicas, b.serviceRatePerReplica);
    const loadExplains = loadRatio > 1 + c.loadTolerance && counterfactualDemand >= c.saturationAt;
    services.push({ service: name, worse, improved, loadExplains, loadRatio: Number.isFinite(loadRatio) ? loadRatio : 99, counterfactualDemand });
  }
  const blamedOn = services.filter((s) => s.worse.length > 0 && !s.loadExplains);
  const excused = services.filter((s) => s.worse.length > 0 && s.loadExplains);
  const better = services.filter((s) => s.improved.length > 0);
  const reasons: string[] = [];
  for (const s of blamedOn) reasons.push(`${s.service}: ${s.worse.join(', ')} with the load ×${s.loadRatio.toFixed(2)}`);
  for (const s of excused) {
    reasons.push(`${s.service}: ${s.worse.join(', ')}, but the load rose ×${s.loadRatio.toFixed(2)} and would have saturated it (demand ${s.counterfactualDemand.toFixed(2)}) with the replicas it had before`);
  }
  for (const s of better) reasons.push(`${s.service}: ${s.improved.join(', ')}`);
  if (blamedOn.length > 0) return { verdict: 'worse', blamed: true, reasons, services };
  if (better.length > 0) return { verdict: 'improved', blamed: false, reasons, services };
  if (reasons.length === 0) reasons.push('no SLO signal moved beyond tolerance');
  return { verdict: 'neutral', blamed: false, reasons, services };
}

const ms = (x: number): string => `${Math.round(x)} ms`;
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
