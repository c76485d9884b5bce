import { z } from 'zod';
import type { Action } from '../../core/action.js';
import type { Proposal } from '../../core/proposal.js';
import type { Finding } from '../../analyze/assessment.js';
import { faultClassOf, type FaultClass } from '../../analyze/faults/event-classifier.js';
import type { PlanContext, ScalingPolicy } from '../scaling/policy.js';

export const HealingPolicyConfigSchema = z.object({
  /** After a playbook acts on a target, wait this long before acting on it again: let the fix show. */
  cooldownSeconds: z.number().nonnegative().default(600),
  /** A crash loop that comes back within this long after a restart is in the code: roll back instead. */
  escalateWithinSeconds: z.number().positive().default(1800),
});
export type HealingPolicyConfig = z.output<typeof HealingPolicyConfigSchema>;
export type HealingPolicyConfigInput = z.input<typeof HealingPolicyConfigSchema>;

/**
 * Self-healing playbooks, one per classified fault (the runbook an on-call SRE would follow):
 *   bad-rollout        → roll the deployment back
 *   crash-loop         → restart the pod (a fresh pod often clears a stuck state); if it comes back, or the loop
 *                        started after a rollout, roll back
 *   oom (repeated)     → restart the leaking pod before the next kill; the rationale says a code fix is needed
 *   spot-interruption  → cordon and drain now, so pods move within the 2-minute notice instead of dying with the node
 *   node-not-ready     → nothing here: the scheduler and the node autoscaler replace the capacity
 *   dependency-slowdown→ nothing here: the fault is in a dependency, so restarting or rolling back this service
 *                        cannot fix it (the classifier also stops a release shipped just before from being blamed);
 *                        the finding is journaled for a human
 * Node and replica capacity stays with the scaling policies; a playbook only repairs.
 */
export class HealingPolicy implements ScalingPolicy {
  readonly name = 'healing';
  readonly config: HealingPolicyConfig;
  /** target → last time a playbook acted on it. */
  private readonly lastActed = new Map<string, number>();
  /** service → last time its crash loop was answered with a restart. */
  private readonly restartedAt = new Map<string, number>();

  constructor(config: HealingPolicyConfigInput = {}) {
    this.config = HealingPolicyConfigSchema.parse(config);
  }

  decide(ctx: PlanContext): Proposal[] {
    const out: Proposal[] = [];
    const claimed = new Set<string>();
    // Worst first, so a bad rollout is rolled back rather than its crash-looping pod restarted.
    const findings = (ctx.findings ?? []).filter((f) => faultClassOf(f) !== undefined).sort((a, b) => rank(a) - rank(b));
    for (const f of findings) {
      const cls = faultClassOf(f) as FaultClass;
      if (claimed.has(f.target)) continue;
      const last = this.lastActed.get(f.target);
      if (last !== undefined && ctx.now - last < this.config.cooldownSeconds) continue;
      const p = this.playbook(cls, f, ctx.now);
      if (!p) continue;
      claimed.add(f.target);
      this.lastActed.set(f.target, ctx.now);
      out.push(p);
    }
    return out;
  }

  private playbook(cls: FaultClass, f: Finding, now: number): Proposal | undefined {
    const ev = f.evidence;
    const service = typeof ev.service === 'string' ? ev.service : undefined;
    const pod = typeof ev.pod === 'string' ? ev.pod : undefined;
    switch (cls) {
      case 'bad-rollout':
        if (!service) return undefined;
        return this.propose({ kind: 'rollback', service }, f,
          `Roll back ${service}: ${f.message}.`,
          `the previous revision serves again; the error rate returns to its level before the rollout`);
      case 'crash-loop': {
        if (!service) return undefined;
        const restarted = this.restartedAt.get(service);
        const returned = restarted !== undefined && now - restarted < this.config.escalateWithinSeconds;
        if (ev.afterRollout === true || returned) {
          this.restartedAt.delete(service);
          const why = returned ? `it came back ${Math.round(now - (restarted as number))} s after a restart` : 'it began after a rollout';
          return this.propose({ kind: 'rollback', service }, f,
            `Roll back ${service}: ${f.message}, and ${why}, so the fault is in the release, not the pod.`,
            `pods of the previous revision start cleanly; the back-off events stop`);
        }
        this.restartedAt.set(service, now);
        return this.propose({ kind: 'restart-pod', service, ...(pod ? { pod } : {}) }, f,
          `Restart ${pod ?? 'the failing pod'} of ${service}: ${f.message}; a fresh pod clears a stuck start-up, and a rollback follows if the loop returns.`,
          `the pod is replaced and Ready after start-up; no more back-off events`);
      }
      case 'oom':
        if (!service || ev.leak !== true) return undefined;
        return this.propose({ kind: 'restart-pod', service, ...(pod ? { pod } : {}) }, f,
          `Restart ${pod ?? 'the leaking pod'} of ${service}: ${f.message}, which looks like a memory leak; a restart buys time, the leak needs a code fix.`,
          `memory drops to its base level; OOM kills stop until the leak builds up again`);
      case 'spot-interruption': {
        const node = typeof ev.node === 'string' ? ev.node : undefined;
        if (!node) return undefined;
        return this.propose({ kind: 'cordon-drain', node }, f,
          `Drain ${node} now: ${f.message}; moving its pods while the node still runs avoids dropping their traffic.`,
          `pods are rescheduled before the node is terminated; Pending pods trigger a replacement node`);
      }
      case 'node-not-ready':
      case 'dependency-slowdown':
        return undefined;
    }
  }

  private propose(action: Action, f: Finding, rationale: string, expectedEffect: string): Proposal {
    return { action, source: `${this.name}/${String(f.evidence.fault)}`, rationale, evidence: f.evidence, expectedEffect };
  }
}

const ORDER: Record<FaultClass, number> = { 'bad-rollout': 0, 'crash-loop': 1, 'spot-interruption': 2, oom: 3, 'node-not-ready': 4, 'dependency-slowdown': 5 };

function rank(f: Finding): number {
  return ORDER[faultClassOf(f) as FaultClass];
}
