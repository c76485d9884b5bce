import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { PlanContext, ScalingPolicy } from './policy.js';

/**
 * Fixed replicas: one number for every service, or a map per service (services not in the map are left
 * alone). The simplest baseline: what a team without autoscaling would run.
 */
export const StaticPolicyConfigSchema = z.union([
  z.number().int().nonnegative(),
  z.record(z.string().min(1), z.number().int().nonnegative()),
]);
export type StaticPolicyConfig = z.infer<typeof StaticPolicyConfigSchema>;

export class StaticPolicy implements ScalingPolicy {
  readonly name = 'static';
  private readonly config: StaticPolicyConfig;

  constructor(config: StaticPolicyConfig) {
    this.config = StaticPolicyConfigSchema.parse(config);
  }

  /** The target for one service, or undefined when this policy does not manage it. */
  targetFor(service: string): number | undefined {
    if (typeof this.config === 'number') return this.config;
    return Object.hasOwn(this.config, service) ? this.config[service] : undefined;
  }

  decide(ctx: PlanContext): Proposal[] {
    const out: Proposal[] = [];
    for (const svc of ctx.snapshot.services) {
      const target = this.targetFor(svc.name);
      if (target === undefined || target === svc.replicas) continue;
      out.push({
        action: { kind: 'scale', service: svc.name, from: svc.replicas, to: target },
        source: this.name,
        rationale: `Static: ${svc.name} is configured for ${target} replicas but runs ${svc.replicas}, so set it back to ${target}.`,
        evidence: { current: svc.replicas, target },
        expectedEffect: `${svc.name} runs ${target} replicas`,
      });
    }
    return out;
  }
}
