import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { ServiceTelemetry } from '../../core/snapshot.js';
import type { PlanContext, ScalingPolicy } from './policy.js';
import {
  HpaBehaviorSchema,
  applyBehaviorRate,
  applyLegacyRules,
  describePolicy,
  stabilizeLegacy,
  stabilizeWithBehaviors,
  storeScaleEvent,
  type HpaBehavior,
  type HpaScalingPolicy,
  type LimitReason,
  type TimestampedRecommendation,
  type TimestampedScaleEvent,
} from './hpa-behavior.js';

/**
 * The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) on the CPU Utilization resource metric, as a
 * baseline. Transcribed from kubernetes/kubernetes `pkg/controller/podautoscaler` (horizontal.go
 * reconcileAutoscaler, replica_calculator.go GetResourceReplicas, metrics/utilization.go) — see
 * /work/shared/design/hpa-reference.md. Comparisons against it are only worth anything if it is the real one.
 */

/** `autoscaling.DefaultCPUUtilization`, what v2 defaulting adds when an HPA lists no metrics. */
export const DEFAULT_CPU_UTILIZATION = 80;

/**
 * One HPA. `behavior` omitted → the documented default behaviour (scaleUp 0 s, Max{Pods 4/15s, Percent
 * 100/15s}; scaleDown 300 s, Percent 100/15s); `behavior: null` → the legacy path (spec.behavior == nil in the
 * controller: max over the downscale window, then [min, min(max, max(2×current, 4))]).
 */
export const HpaTargetSchema = z
  .object({
    /** 0 is only valid with the HPAScaleToZero feature gate; allowed here, as in that mode. */
    minReplicas: z.number().int().nonnegative().default(1),
    maxReplicas: z.number().int().positive(),
    targetCPUUtilizationPercentage: z.number().int().positive().default(DEFAULT_CPU_UTILIZATION),
    behavior: HpaBehaviorSchema.nullable().prefault({}),
  })
  .refine((t) => t.minReplicas <= t.maxReplicas, { message: 'minReplicas must not exceed maxReplicas' });
export type HpaTarget = z.output<typeof HpaTargetSchema>;
export type HpaTargetInput = z.input<typeof HpaTargetSchema>;

export const HpaPolicyConfigSchema = z.object({
  /** Applied to every service not named in `services`; omit to autoscale only the named ones. */
  default: HpaTargetSchema.optional(),
  services: z.record(z.string().min(1), HpaTargetSchema).default({}),
  /** --horizontal-pod-autoscaler-sync-period */
  syncPeriodSeconds: z.number().positive().default(15),
  /** --horizontal-pod-autoscaler-tolerance */
  tolerance: z.number().min(0).default(0.1),
  /** --horizontal-pod-autoscaler-downscale-stabilization (legacy path, and scaleDown windows left unset) */
  downscaleStabilizationSeconds: z.number().int().min(0).default(300),
});
export type HpaPolicyConfig = z.output<typeof HpaPolicyConfigSchema>;
export type HpaPolicyConfigInput = z.input<typeof HpaPolicyConfigSchema>;

/** What the metrics pipeline reports for one scale target, as ServiceTelemetry.pods carries it. */
export interface CpuMetrics {
  /** Ready pods with a metric sample. */
  ready: number;
  /** Pods set aside: not Ready, or sample predates readiness (and pending pods). */
  unready: number;
  /** Pods with no metric sample. */
  missing: number;
  /** Sum of CPU usage (millicores) over the ready pods. */
  cpuUsageMillis: number;
  /** CPU request per pod (millicores). */
  cpuRequestMillis: number;
}

export interface Tolerances {
  scaleUp: number;
  scaleDown: number;
}

export function isWithinTolerance(t: Tolerances, usageRatio: number): boolean {
  return 1.0 - t.scaleDown <= usageRatio && usageRatio <= 1.0 + t.scaleUp;
}

export type CalculationOutcome =
  /** |1 - ratio| within tolerance: keep current. */
  | 'within-tolerance'
  /** No unready (on scale-up) or missing pods: ceil(ratio × ready). */
  | 'direct'
  /** Recomputed with missing/unready pods padded; the padded ratio is within tolerance. */
  | 'padded-within-tolerance'
  /** Padding flipped the direction of the ratio: keep current. */
  | 'padded-direction-flip'
  /** Padded replica count would move against the ratio's direction: keep current. */
  | 'padded-count-flip'
  /** ceil(newRatio × podsInCalculation). */
  | 'padded';

export type ReplicaCalculation =
  | {
      ok: true;
      desiredReplicas: number;
      /** Ready pods with metrics, the count the direct formula multiplies. */
      readyPods: number;
      /** floor(100 × Σusage / Σrequest) over ready pods: the unpadded figure the HPA reports. */
      utilization: number;
      usageRatio: number;
      outcome: CalculationOutcome;
      /** Set when the conservative recomputation ran. */
      padded?: { utilization: number; usageRatio: number; pods: number; missingAsPercent: number | null; unreadyAsZero: boolean };
    }
  | { ok: false; error: string };

/** metrics/utilization.go GetResourceUtilizationRatio: integer percent of the ratio of sums. */
function utilizationOf(usageTotal: number, requestsTotal: number): number {
  return Math.floor((usageTotal * 100) / requestsTotal);
}

/**
 * replica_calculator.go GetResourceReplicas, over pod counts instead of pod lists (every pod of a service has
 * the same request, so the sums are counts × request).
 */
export function calculateCpuReplicas(
  currentReplicas: number,
  targetUtilization: number,
  m: CpuMetrics,
  tolerances: Tolerances,
): ReplicaCalculation {
  if (m.ready + m.unready + m.missing === 0) return { ok: false, error: 'no pods returned by selector while calculating replica count' };
  if (m.ready === 0) return { ok: false, error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const request = m.cpuRequestMillis;
  const utilization = utilizationOf(m.cpuUsageMillis, m.ready * request);
  const usageRatio = utilization / targetUtilization;

  const scaleUpWithUnready = m.unready > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && m.missing === 0) {
    if (isWithinTolerance(tolerances, usageRatio)) return { ok: true, desiredReplicas: currentReplicas, readyPods: m.ready, utilization, usageRatio, outcome: 'within-tolerance' };
    return { ok: true, desiredReplicas: Math.ceil(usageRatio * m.ready), readyPods: m.ready, utilization, usageRatio, outcome: 'direct' };
  }

  let usageTotal = m.cpuUsageMillis;
  let pods = m.ready;
  let missingAsPercent: number | null = null;
  if (m.missing > 0) {
    if (usageRatio < 1.0) {
      // Scale-down: a missing pod might be busy, so assume it uses its whole request (or the target, if above 100%).
      const fallback = Math.max(100, targetUtilization);
      usageTotal += m.missing * Math.floor((request * fallback) / 100);
      pods += m.missing;
      missingAsPercent = fallback;
    } else if (usageRatio > 1.0) {
      // Scale-up: a missing pod might be idle, so assume 0.
      pods += m.missing;
      missingAsPercent = 0;
    }
  }
  if (scaleUpWithUnready) pods += m.unready; // counted at 0: they may not be carrying load yet

  const newUtilization = utilizationOf(usageTotal, pods * request);
  const newUsageRatio = newUtilization / targetUtilization;
  const padded = { utilization: newUtilization, usageRatio: newUsageRatio, pods, missingAsPercent, unreadyAsZero: scaleUpWithUnready };
  const base = { ok: true as const, readyPods: m.ready, utilization, usageRatio, padded };

  if (isWithinTolerance(tolerances, newUsageRatio)) return { ...base, desiredReplicas: currentReplicas, outcome: 'padded-within-tolerance' };
  if ((usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0)) {
    return { ...base, desiredReplicas: currentReplicas, outcome: 'padded-direction-flip' };
  }
  const newReplicas = Math.ceil(newUsageRatio * pods);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return { ...base, desiredReplicas: currentReplicas, outcome: 'padded-count-flip' };
  }
  return { ...base, desiredReplicas: newReplicas, outcome: 'padded' };
}

/** The controller's memory of one HPA (horizontal.go: recommendations, scaleUpEvents, scaleDownEvents). */
export interface HpaState {
  /** Undefined until the first reconcile, which seeds it with the current replica count. */
  recommendations?: TimestampedRecommendation[];
  scaleUpEvents: TimestampedScaleEvent[];
  scaleDownEvents: TimestampedScaleEvent[];
}

export function emptyHpaState(): HpaState {
  return { scaleUpEvents: [], scaleDownEvents: [] };
}

export interface HpaControllerSettings {
  tolerance: number;
  downscaleStabilizationSeconds: number;
}

export interface HpaReconcileInput {
  now: number;
  /** scale.Spec.Replicas */
  currentReplicas: number;
  metrics: CpuMetrics;
  target: HpaTarget;
  controller: HpaControllerSettings;
}

export type ReconcileBranch = 'disabled' | 'above-max' | 'below-min' | 'metrics-failed' | 'metrics';

export interface HpaReconcileResult {
  branch: ReconcileBranch;
  currentReplicas: number;
  /** The replica count to write; equals currentReplicas when `rescale` is false. */
  desiredReplicas: number;
  rescale: boolean;
  calculation?: ReplicaCalculation;
  /** The metric's proposal before normalisation. */
  rawDesired?: number;
  /** After the stabilisation window(s). */
  stabilized?: number;
  limitReason?: LimitReason;
  limitPolicy?: HpaScalingPolicy;
  limitDisabled?: boolean;
  state: HpaState;
}

export function tolerancesFor(target: HpaTarget, global: number): Tolerances {
  const b = target.behavior;
  return { scaleUp: b?.scaleUp.tolerance ?? global, scaleDown: b?.scaleDown.tolerance ?? global };
}

/**
 * One reconcileAutoscaler pass for one HPA, as a pure function: the same input and state give the same result
 * and a new state (the input state is not mutated). A scale event is recorded whenever it decides to rescale,
 * as the controller does after a successful Update.
 */
export function reconcileHpa(input: HpaReconcileInput, state: HpaState): HpaReconcileResult {
  const { now, currentReplicas, target } = input;
  const { minReplicas, maxReplicas } = target;
  // recordInitialRecommendation
  let recommendations = state.recommendations ?? [{ recommendation: currentReplicas, timestamp: now }];
  let upEvents = state.scaleUpEvents;
  let downEvents = state.scaleDownEvents;

  const finish = (r: Omit<HpaReconcileResult, 'state' | 'currentReplicas' | 'rescale'>): HpaReconcileResult => {
    const rescale = r.branch !== 'disabled' && r.branch !== 'metrics-failed' && r.desiredReplicas !== currentReplicas;
    if (rescale && target.behavior !== null) {
      const stored = storeScaleEvent(target.behavior, upEvents, downEvents, currentReplicas, r.desiredReplicas, now);
      upEvents = stored.up;
      downEvents = stored.down;
    }
    // `r` is a fresh literal from this call: completing it in place avoids a spread copy per HPA per tick.
    return Object.assign(r, {
      currentReplicas,
      desiredReplicas: rescale ? r.desiredReplicas : currentReplicas,
      rescale,
      state: { recommendations, scaleUpEvents: upEvents, scaleDownEvents: downEvents },
    });
  };

  if (currentReplicas === 0 && minReplicas !== 0) return finish({ branch: 'disabled', desiredReplicas: 0 });
  if (currentReplicas > maxReplicas) return finish({ branch: 'above-max', desiredReplicas: maxReplicas });
  if (currentReplicas < minReplicas) return finish({ branch: 'below-min', desiredReplicas: minReplicas });

  const calc = calculateCpuReplicas(currentReplicas, target.targetCPUUtilizationPercentage, input.metrics, tolerancesFor(target, input.controller.tolerance));
  if (!calc.ok) return finish({ branch: 'metrics-failed', desiredReplicas: currentReplicas, calculation: calc });
  // desiredReplicas starts at 0 and takes the largest metric proposal.
  const rawDesired = Math.max(0, calc.desiredReplicas);

  if (target.behavior === null) {
    const st = stabilizeLegacy(recommendations, rawDesired, input.controller.downscaleStabilizationSeconds, now);
    recommendations = st.recommendations;
    const lim = applyLegacyRules(currentReplicas, st.recommendation, minReplicas, maxReplicas);
    return finish({ branch: 'metrics', desiredReplicas: lim.desired, calculation: calc, rawDesired, stabilized: st.recommendation, limitReason: lim.reason });
  }

  const behavior: HpaBehavior = target.behavior;
  const st = stabilizeWithBehaviors(
    recommendations,
    currentReplicas,
    rawDesired,
    behavior.scaleUp.stabilizationWindowSeconds ?? 0,
    behavior.scaleDown.stabilizationWindowSeconds ?? input.controller.downscaleStabilizationSeconds,
    now,
  );
  recommendations = st.recommendations;
  const lim = applyBehaviorRate(currentReplicas, st.recommendation, minReplicas, maxReplicas, behavior, upEvents, downEvents, now);
  return finish({
    branch: 'metrics',
    desiredReplicas: lim.desired,
    calculation: calc,
    rawDesired,
    stabilized: st.recommendation,
    limitReason: lim.reason,
    limitPolicy: lim.policy,
    limitDisabled: lim.disabled,
  });
}

export function cpuMetricsOf(svc: ServiceTelemetry): CpuMetrics {
  return {
    ready: svc.pods.ready,
    unready: svc.pods.unready,
    missing: svc.pods.missing,
    cpuUsageMillis: svc.pods.cpuUsageMillis,
    cpuRequestMillis: svc.cpuRequestMillis,
  };
}

const fmtRatio = (r: number): string => String(Number(r.toFixed(3)));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One readable sentence for a reconcile result that rescales. */
export function describeReconcile(service: string, target: HpaTarget, r: HpaReconcileResult, downWindow: number): string {
  if (r.branch === 'above-max') return `HPA: ${service} runs ${r.currentReplicas} replicas, above maxReplicas ${target.maxReplicas}, so it is set to ${r.desiredReplicas} without reading metrics.`;
  if (r.branch === 'below-min') return `HPA: ${service} runs ${r.currentReplicas} replicas, below minReplicas ${target.minReplicas}, so it is set to ${r.desiredReplicas} without reading metrics.`;
  const calc = r.calculation;
  if (!calc || !calc.ok || r.rawDesired === undefined) return `HPA: ${service} ${r.currentReplicas}→${r.desiredReplicas}.`;
  let s = `HPA: CPU ${calc.utilization}% of request vs target ${target.targetCPUUtilizationPercentage}% across ${plural(calc.readyPods, 'ready pod')}`;
  if (calc.padded) {
    const parts: string[] = [];
    if (calc.padded.unreadyAsZero) parts.push('unready pods as 0%');
    if (calc.padded.missingAsPercent !== null) parts.push(`missing pods as ${calc.padded.missingAsPercent}%`);
    s += `; counting ${parts.join(' and ')} gives ${calc.padded.utilization}% over ${plural(calc.padded.pods, 'pod')} → ceil(${calc.padded.pods}×${fmtRatio(calc.padded.usageRatio)})=${r.rawDesired} replicas`;
  } else {
    s += ` → ceil(${calc.readyPods}×${fmtRatio(calc.usageRatio)})=${r.rawDesired} replicas`;
  }
  if (r.stabilized !== undefined && r.stabilized !== r.rawDesired) {
    s += r.stabilized > r.rawDesired
      ? `, held at ${r.stabilized} by the highest recommendation of the last ${downWindow}s (scale-down stabilisation)`
      : `, held at ${r.stabilized} by the lowest recommendation of the scale-up stabilisation window`;
  }
  if (r.stabilized !== undefined && r.desiredReplicas !== r.stabilized) {
    s += ` (${limitText(r, target)})`;
  }
  return `${s}.`;
}

function limitText(r: HpaReconcileResult, target: HpaTarget): string {
  const to = r.desiredReplicas;
  switch (r.limitReason) {
    case 'ScaleUpLimit':
      if (r.limitDisabled) return `scale-up disabled by selectPolicy, kept at ${to}`;
      return r.limitPolicy ? `scale-up limited to ${to} by policy ${describePolicy(r.limitPolicy)}` : `scale-up limited to ${to} (at most max(2×current, 4))`;
    case 'ScaleDownLimit':
      if (r.limitDisabled) return `scale-down disabled by selectPolicy, kept at ${to}`;
      return r.limitPolicy ? `scale-down limited to ${to} by policy ${describePolicy(r.limitPolicy)}` : `scale-down limited to ${to}`;
    case 'TooManyReplicas':
      return `capped at maxReplicas ${target.maxReplicas}`;
    case 'TooFewReplicas':
      return `floored at minReplicas ${target.minReplicas}`;
    default:
      return `set to ${to}`;
  }
}

/** The evidence map for a proposal: the numbers behind the decision. */
export function reconcileEvidence(target: HpaTarget, r: HpaReconcileResult): Record<string, number | string | boolean> {
  const e: Record<string, number | string | boolean> = {
    branch: r.branch,
    current: r.currentReplicas,
    desired: r.desiredReplicas,
    target: target.targetCPUUtilizationPercentage,
    minReplicas: target.minReplicas,
    maxReplicas: target.maxReplicas,
  };
  const calc = r.calculation;
  if (calc?.ok) {
    e.utilization = calc.utilization;
    e.ratio = calc.usageRatio;
    e.ready = calc.readyPods;
    e.outcome = calc.outcome;
    if (calc.padded) {
      e.paddedUtilization = calc.padded.utilization;
      e.paddedRatio = calc.padded.usageRatio;
      e.podsInCalculation = calc.padded.pods;
    }
  }
  if (r.rawDesired !== undefined) e.rawDesired = r.rawDesired;
  if (r.stabilized !== undefined) {
    e.stabilized = r.stabilized;
    e.limited = r.desiredReplicas !== r.stabilized;
  }
  if (r.limitReason) e.limitReason = r.limitReason;
  if (r.limitPolicy) e.limitPolicy = describePolicy(r.limitPolicy);
  return e;
}

interface ServiceHpa {
  state: HpaState;
  lastReconcileAt: number;
}

/**
 * The HPA controller over every configured service of a snapshot. Each service is reconciled at most once per
 * sync period (judged with ctx.now), and proposes a `scale` only when the controller would write a new count.
 */
export class HpaPolicy implements ScalingPolicy {
  readonly name = 'hpa';
  readonly config: HpaPolicyConfig;
  private readonly hpas = new Map<string, ServiceHpa>();

  constructor(config: HpaPolicyConfigInput) {
    this.config = HpaPolicyConfigSchema.parse(config);
  }

  targetFor(service: string): HpaTarget | undefined {
    return Object.hasOwn(this.config.services, service) ? this.config.services[service] : this.config.default;
  }

  /** The controller state of one service, for inspection (undefined before its first reconcile). */
  stateOf(service: string): HpaState | undefined {
    return this.hpas.get(service)?.state;
  }

  decide(ctx: PlanContext): Proposal[] {
    const out: Proposal[] = [];
    const controller = { tolerance: this.config.tolerance, downscaleStabilizationSeconds: this.config.downscaleStabilizationSeconds };
    for (const svc of ctx.snapshot.services) {
      const target = this.targetFor(svc.name);
      if (!target) continue;
      const prev = this.hpas.get(svc.name);
      if (prev && ctx.now - prev.lastReconcileAt < this.config.syncPeriodSeconds) continue;
      const r = reconcileHpa(
        { now: ctx.now, currentReplicas: svc.replicas, metrics: cpuMetricsOf(svc), target, controller },
        prev?.state ?? emptyHpaState(),
      );
      this.hpas.set(svc.name, { state: r.state, lastReconcileAt: ctx.now });
      if (!r.rescale) continue;
      const downWindow = target.behavior?.scaleDown.stabilizationWindowSeconds ?? this.config.downscaleStabilizationSeconds;
      out.push({
        action: { kind: 'scale', service: svc.name, from: r.currentReplicas, to: r.desiredReplicas },
        source: this.name,
        rationale: describeReconcile(svc.name, target, r, downWindow),
        evidence: reconcileEvidence(target, r),
        expectedEffect:
          r.branch === 'metrics'
            ? `${svc.name} runs ${r.desiredReplicas} replicas, moving CPU toward ${target.targetCPUUtilizationPercentage}% of request`
            : `${svc.name} runs ${r.desiredReplicas} replicas, inside [${target.minReplicas}, ${target.maxReplicas}]`,
      });
    }
    return out;
  }
}
