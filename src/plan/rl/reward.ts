/**
 * Reward of one decision step: SLO compliance − normalised cost − flapping penalty − a small per-action cost.
 * Cost is normalised by what the nodes for the episode's mean load would cost over the step, so the reward's
 * scale does not depend on the service's size; weights come from RewardWeightsSchema.
 */
import type { RewardWeights } from './config.js';

export interface StepOutcome {
  /** Seconds of the step in SLO violation, and the step length. */
  violationSeconds: number;
  stepSeconds: number;
  /** Node cost of the step ($) and the reference cost of the mean load's nodes over the step ($). */
  cost: number;
  referenceCost: number;
  flapped: boolean;
  acted: boolean;
}

export function stepReward(o: StepOutcome, w: RewardWeights): number {
  const compliance = 1 - Math.min(1, o.violationSeconds / o.stepSeconds);
  // Capped: beyond 5× the reference the exact figure teaches nothing and would swamp the value function.
  const cost = o.referenceCost > 0 ? Math.min(5, o.cost / o.referenceCost) : 0;
  return w.slo * compliance - w.cost * cost - (o.flapped ? w.flap : 0) - (o.acted ? w.action : 0);
}

/** Flaps as the bench counts them (loop/flaps.ts): a change opposite to the previous one within `windowSeconds`. */
export class FlapTracker {
  lastDirection = 0;
  lastAt = -Infinity;
  constructor(private readonly windowSeconds = 600) {}

  /** Records an executed change at `at`; true when it is a flap. */
  record(direction: number, at: number): boolean {
    if (direction === 0) return false;
    const flap = this.lastDirection !== 0 && direction !== this.lastDirection && at - this.lastAt <= this.windowSeconds;
    this.lastDirection = direction;
    this.lastAt = at;
    return flap;
  }
}
