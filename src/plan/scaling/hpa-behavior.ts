import { z } from 'zod';

/**
 * The HPA's normalisation maths (autoscaling/v2 `behavior`), transcribed from kubernetes/kubernetes
 * `pkg/controller/podautoscaler/horizontal.go`: stabilizeRecommendation[WithBehaviors],
 * convertDesiredReplicasWithBehaviorRate, calculateScale{Up,Down}Limit..., storeScaleEvent, and the
 * defaults of `pkg/apis/autoscaling/v2/defaults.go`. Times are seconds (ctx.now); the controller's
 * time.Now() becomes the `now` argument. Functions return fresh arrays and never mutate their inputs.
 */

export const HpaScalingPolicySchema = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().positive().max(1800),
});
export type HpaScalingPolicy = z.infer<typeof HpaScalingPolicySchema>;

export const SelectPolicySchema = z.enum(['Max', 'Min', 'Disabled']);
export type SelectPolicy = z.infer<typeof SelectPolicySchema>;

export const DEFAULT_SCALE_UP_POLICIES: readonly HpaScalingPolicy[] = [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];
export const DEFAULT_SCALE_DOWN_POLICIES: readonly HpaScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

/**
 * Field-by-field defaulting as copyHPAScalingRules does: a user who sets only the window keeps the default
 * policies. scaleDown's window stays undefined when unset, because the controller then fills it from its
 * `--horizontal-pod-autoscaler-downscale-stabilization` flag (maybeInitScaleDownStabilizationWindow).
 */
function rulesSchema(defaultWindow: number | undefined, defaultPolicies: readonly HpaScalingPolicy[]) {
  return z.object({
    stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional().transform((v) => v ?? defaultWindow),
    selectPolicy: SelectPolicySchema.default('Max'),
    policies: z.array(HpaScalingPolicySchema).min(1).default(() => defaultPolicies.map((p) => ({ ...p }))),
    /** Per-direction tolerance (KEP-4951, HPAConfigurableTolerance); unset → the controller's global one. */
    tolerance: z.number().min(0).optional(),
  });
}

export const HpaScaleUpRulesSchema = rulesSchema(0, DEFAULT_SCALE_UP_POLICIES);
export const HpaScaleDownRulesSchema = rulesSchema(undefined, DEFAULT_SCALE_DOWN_POLICIES);
export type HpaScalingRules = z.output<typeof HpaScaleUpRulesSchema>;

export const HpaBehaviorSchema = z.object({
  scaleUp: HpaScaleUpRulesSchema.prefault({}),
  scaleDown: HpaScaleDownRulesSchema.prefault({}),
});
export type HpaBehavior = z.output<typeof HpaBehaviorSchema>;
export type HpaBehaviorInput = z.input<typeof HpaBehaviorSchema>;

export interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

export interface TimestampedScaleEvent {
  replicaChange: number;
  timestamp: number;
  outdated: boolean;
}

/** Go's time.After / time.Before are strict; keep the same boundaries. */
const after = (t: number, cutoff: number): boolean => t > cutoff;
const before = (t: number, cutoff: number): boolean => t < cutoff;

export interface StabilizeResult {
  recommendation: number;
  upRecommendation: number;
  downRecommendation: number;
  recommendations: TimestampedRecommendation[];
}

/**
 * stabilizeRecommendationWithBehaviors: the lowest recommendation in the scale-up window caps how far up we
 * go, the highest in the scale-down window how far down; then record the raw desired (reusing a slot older
 * than both windows).
 */
export function stabilizeWithBehaviors(
  recommendations: readonly TimestampedRecommendation[],
  currentReplicas: number,
  desiredReplicas: number,
  upWindowSeconds: number,
  downWindowSeconds: number,
  now: number,
): StabilizeResult {
  let upRecommendation = desiredReplicas;
  let downRecommendation = desiredReplicas;
  const upCutoff = now - upWindowSeconds;
  const downCutoff = now - downWindowSeconds;
  let oldIndex = -1;
  recommendations.forEach((rec, i) => {
    if (after(rec.timestamp, upCutoff)) upRecommendation = Math.min(rec.recommendation, upRecommendation);
    if (after(rec.timestamp, downCutoff)) downRecommendation = Math.max(rec.recommendation, downRecommendation);
    // Go keeps the last such index.
    if (before(rec.timestamp, upCutoff) && before(rec.timestamp, downCutoff)) oldIndex = i;
  });
  let recommendation = currentReplicas;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  // Entries are only ever replaced, never mutated: a shallow copy keeps the input state intact (and is cheap at 10k HPAs).
  const next = recommendations.slice();
  const fresh = { recommendation: desiredReplicas, timestamp: now };
  if (oldIndex >= 0) next[oldIndex] = fresh;
  else next.push(fresh);
  return { recommendation, upRecommendation, downRecommendation, recommendations: next };
}

/** stabilizeRecommendation (legacy path, behavior == nil): the max over the downscale window. */
export function stabilizeLegacy(
  recommendations: readonly TimestampedRecommendation[],
  desiredReplicas: number,
  downscaleWindowSeconds: number,
  now: number,
): { recommendation: number; recommendations: TimestampedRecommendation[] } {
  let max = desiredReplicas;
  const cutoff = now - downscaleWindowSeconds;
  let oldIndex = -1;
  recommendations.forEach((rec, i) => {
    if (before(rec.timestamp, cutoff)) oldIndex = i;
    else if (rec.recommendation > max) max = rec.recommendation;
  });
  // Entries are only ever replaced, never mutated: a shallow copy keeps the input state intact (and is cheap at 10k HPAs).
  const next = recommendations.slice();
  const fresh = { recommendation: desiredReplicas, timestamp: now };
  if (oldIndex >= 0) next[oldIndex] = fresh;
  else next.push(fresh);
  return { recommendation: max, recommendations: next };
}

/** getReplicasChangePerPeriod: sum of changes strictly newer than now - period. */
export function replicasChangeInPeriod(periodSeconds: number, events: readonly TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds;
  let sum = 0;
  for (const e of events) if (after(e.timestamp, cutoff)) sum += e.replicaChange;
  return sum;
}

export interface PolicyProposal {
  policy: HpaScalingPolicy;
  periodStartReplicas: number;
  proposed: number;
}

export interface RateLimit {
  /** The limit before it is held to currentReplicas (may be on the wrong side of it, as in Go). */
  limit: number;
  /** The policy whose proposal was selected; undefined when selectPolicy is Disabled. */
  chosen?: PolicyProposal;
  proposals: PolicyProposal[];
}

export function describePolicy(p: HpaScalingPolicy): string {
  return `${p.type} ${p.value}/${p.periodSeconds}s`;
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(
  currentReplicas: number,
  upEvents: readonly TimestampedScaleEvent[],
  downEvents: readonly TimestampedScaleEvent[],
  rules: HpaScalingRules,
  now: number,
): RateLimit {
  if (rules.selectPolicy === 'Disabled') return { limit: currentReplicas, proposals: [] };
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let chosen: PolicyProposal | undefined;
  const proposals: PolicyProposal[] = [];
  for (const policy of rules.policies) {
    const added = replicasChangeInPeriod(policy.periodSeconds, upEvents, now);
    const deleted = replicasChangeInPeriod(policy.periodSeconds, downEvents, now);
    const periodStartReplicas = currentReplicas - added + deleted;
    // Percent rounds up, else a small percentage of a small count could never add a pod.
    const proposed =
      policy.type === 'Pods'
        ? periodStartReplicas + policy.value
        : Math.ceil(periodStartReplicas * (1 + policy.value / 100));
    const p = { policy, periodStartReplicas, proposed };
    proposals.push(p);
    // Go's max/min keep the earlier value on ties; so do we, so `chosen` names the first policy that won.
    if (useMin ? proposed < result : proposed > result) {
      result = proposed;
      chosen = p;
    }
  }
  return { limit: result, chosen, proposals };
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(
  currentReplicas: number,
  upEvents: readonly TimestampedScaleEvent[],
  downEvents: readonly TimestampedScaleEvent[],
  rules: HpaScalingRules,
  now: number,
): RateLimit {
  if (rules.selectPolicy === 'Disabled') return { limit: currentReplicas, proposals: [] };
  // "Min" change on the way down is the *highest* floor.
  const useMax = rules.selectPolicy === 'Min';
  let result = useMax ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  let chosen: PolicyProposal | undefined;
  const proposals: PolicyProposal[] = [];
  for (const policy of rules.policies) {
    const added = replicasChangeInPeriod(policy.periodSeconds, upEvents, now);
    const deleted = replicasChangeInPeriod(policy.periodSeconds, downEvents, now);
    const periodStartReplicas = currentReplicas - added + deleted;
    // int32(float64(...)) truncates toward zero.
    const proposed =
      policy.type === 'Pods'
        ? periodStartReplicas - policy.value
        : Math.trunc(periodStartReplicas * (1 - policy.value / 100));
    const p = { policy, periodStartReplicas, proposed };
    proposals.push(p);
    if (useMax ? proposed > result : proposed < result) {
      result = proposed;
      chosen = p;
    }
  }
  return { limit: result, chosen, proposals };
}

export type LimitReason = 'DesiredWithinRange' | 'ScaleUpLimit' | 'TooManyReplicas' | 'ScaleDownLimit' | 'TooFewReplicas';

export interface RateResult {
  desired: number;
  reason: LimitReason;
  /** The policy that bound the result, when reason is ScaleUpLimit/ScaleDownLimit and a policy (not Disabled) did. */
  policy?: HpaScalingPolicy;
  /** True when the limit came from selectPolicy: Disabled. */
  disabled: boolean;
}

/** convertDesiredReplicasWithBehaviorRate. */
export function applyBehaviorRate(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  behavior: HpaBehavior,
  upEvents: readonly TimestampedScaleEvent[],
  downEvents: readonly TimestampedScaleEvent[],
  now: number,
): RateResult {
  if (desiredReplicas > currentReplicas) {
    const lim = scaleUpLimit(currentReplicas, upEvents, downEvents, behavior.scaleUp, now);
    // Never below current: no further scale-up until old events age out.
    const limit = Math.max(lim.limit, currentReplicas);
    const disabled = behavior.scaleUp.selectPolicy === 'Disabled';
    if (maxReplicas > limit) {
      if (desiredReplicas > limit) return { desired: limit, reason: 'ScaleUpLimit', policy: lim.chosen?.policy, disabled };
    } else if (desiredReplicas > maxReplicas) {
      return { desired: maxReplicas, reason: 'TooManyReplicas', disabled: false };
    }
  } else if (desiredReplicas < currentReplicas) {
    const lim = scaleDownLimit(currentReplicas, upEvents, downEvents, behavior.scaleDown, now);
    const limit = Math.min(lim.limit, currentReplicas);
    const disabled = behavior.scaleDown.selectPolicy === 'Disabled';
    if (minReplicas < limit) {
      if (desiredReplicas < limit) return { desired: limit, reason: 'ScaleDownLimit', policy: lim.chosen?.policy, disabled };
    } else if (desiredReplicas < minReplicas) {
      return { desired: minReplicas, reason: 'TooFewReplicas', disabled: false };
    }
  }
  return { desired: desiredReplicas, reason: 'DesiredWithinRange', disabled: false };
}

/** convertDesiredReplicasWithRules (legacy path): [min, min(max, max(2×current, 4))]. */
export function applyLegacyRules(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
): { desired: number; reason: LimitReason } {
  const upLimit = Math.trunc(Math.max(2 * currentReplicas, 4));
  const maxAllowed = maxReplicas > upLimit ? upLimit : maxReplicas;
  if (desiredReplicas < minReplicas) return { desired: minReplicas, reason: 'TooFewReplicas' };
  if (desiredReplicas > maxAllowed) return { desired: maxAllowed, reason: maxReplicas > upLimit ? 'ScaleUpLimit' : 'TooManyReplicas' };
  return { desired: desiredReplicas, reason: 'DesiredWithinRange' };
}

function longestPeriod(rules: HpaScalingRules): number {
  let longest = 0;
  for (const p of rules.policies) if (p.periodSeconds > longest) longest = p.periodSeconds;
  return longest;
}

/**
 * storeScaleEvent: events older than the direction's longest policy period are marked outdated and the last
 * outdated slot is reused, so the lists stay bounded.
 */
export function storeScaleEvent(
  behavior: HpaBehavior,
  upEvents: readonly TimestampedScaleEvent[],
  downEvents: readonly TimestampedScaleEvent[],
  prevReplicas: number,
  newReplicas: number,
  now: number,
): { up: TimestampedScaleEvent[]; down: TimestampedScaleEvent[] } {
  const up = upEvents.map((e) => ({ ...e }));
  const down = downEvents.map((e) => ({ ...e }));
  const scaleUp = newReplicas > prevReplicas;
  const list = scaleUp ? up : down;
  const cutoff = now - longestPeriod(scaleUp ? behavior.scaleUp : behavior.scaleDown);
  for (const e of list) if (before(e.timestamp, cutoff)) e.outdated = true;
  let oldIndex = -1;
  list.forEach((e, i) => {
    if (e.outdated) oldIndex = i;
  });
  const fresh = { replicaChange: scaleUp ? newReplicas - prevReplicas : prevReplicas - newReplicas, timestamp: now, outdated: false };
  if (oldIndex >= 0) list[oldIndex] = fresh;
  else list.push(fresh);
  return { up, down };
}
