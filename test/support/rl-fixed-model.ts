import type { Proposal } from '../../src/core/proposal.js';
import type { PlanContext, ScalingPolicy } from '../../src/plan/scaling/policy.js';
import { ACTIONS } from '../../src/plan/rl/actions.js';
import { RlTrainConfigSchema, type RlTrainConfigInput } from '../../src/plan/rl/config.js';
import { envNodeActions } from '../../src/plan/rl/env.js';
import { NUM_FEATURES } from '../../src/plan/rl/features.js';
import type { RlModel } from '../../src/plan/rl/model.js';
import { FeatureRanges } from '../../src/plan/rl/ranges.js';

/**
 * A one-layer actor that always prefers replica fit `action` and node action `node` (the runner-up node action,
 * if given, gets a smaller bias), in distribution where every feature lies in [min, max].
 */
export function fixedModel(action: string, min = -100, max = 100, node = 'nodes: fit ×1.0 m5.xlarge', opts: { runnerUpNode?: string; config?: RlTrainConfigInput } = {}): RlModel {
  const config = RlTrainConfigSchema.parse(opts.config ?? {});
  const nodes = envNodeActions(config.env);
  const A = ACTIONS.length + nodes.length;
  const b = new Float32Array(A);
  const index = (labels: string[], label: string): number => {
    const i = labels.indexOf(label);
    if (i < 0) throw new Error(`no action '${label}' (have ${labels.join(', ')})`);
    return i;
  };
  b[index(ACTIONS.map((a) => a.label), action)] = 5;
  b[ACTIONS.length + index(nodes.map((a) => a.label), node)] = 5;
  if (opts.runnerUpNode) b[ACTIONS.length + index(nodes.map((a) => a.label), opts.runnerUpNode)] = 3;
  return {
    actor: { layers: [{ inputs: NUM_FEATURES, outputs: A, w: new Float32Array(NUM_FEATURES * A), b }] },
    ranges: new FeatureRanges(NUM_FEATURES, new Array(NUM_FEATURES).fill(min), new Array(NUM_FEATURES).fill(max)),
    config,
    training: { seed: 1, series: ['toy'], episodes: 0, convergedAt: null, finalReward: 0, trainSeconds: 0 },
  };
}

/** Proposes a fixed target for every service (stands in for predictive / HPA as the RL fallback). */
export class FixedPolicy implements ScalingPolicy {
  readonly name = 'predictive';
  constructor(private readonly to: number) {}
  decide(ctx: PlanContext): Proposal[] {
    return ctx.snapshot.services.map((s) => ({
      action: { kind: 'scale', service: s.name, from: s.replicas, to: this.to },
      source: this.name, rationale: 'fixed', evidence: {}, expectedEffect: '',
    }));
  }
}
