/**
 * An independent re-check of executed actions against a guardrail policy, for benchmarks: written from the
 * policy's definitions (policies/default.yaml), not by calling the guardrails, so a bug in govern/guardrails.ts
 * shows as a violation here instead of being checked by itself. Feed it every tick's decisions in order.
 */
import { actionTarget, describeAction } from '../../src/core/action.js';
import type { Snapshot } from '../../src/core/snapshot.js';
import { resolveServiceBounds, type GuardrailPolicy } from '../../src/govern/policy.js';
import type { TickResult } from '../../src/loop/controller.js';

export class PolicyAudit {
  readonly violations: string[] = [];
  private readonly executed = new Map<string, number[]>();

  constructor(private readonly policy: GuardrailPolicy) {}

  tick(r: TickResult): void {
    const s: Snapshot = r.snapshot;
    let nodes = s.nodes.length;
    let taken = 0;
    for (const d of r.decisions) {
      if (!d.outcome?.ok) continue;
      const a = d.verdict.action;
      const at = `${new Date(r.at * 1000).toISOString()} ${describeAction(a)} (${d.proposal.source})`;
      const bad = (why: string): void => void this.violations.push(`${at}: ${why}`);
      const approved = d.proposal.source.startsWith('approval:');
      if (this.policy.riskTiers[a.kind] === 'high' && !approved) bad(`${a.kind} is high-risk but ran without an approval`);
      const target = actionTarget(a);
      const times = (this.executed.get(target) ?? []).filter((t) => t > r.at - this.policy.rateLimits.windowSeconds);
      times.push(r.at);
      this.executed.set(target, times);
      if (times.length > this.policy.rateLimits.maxActionsPerWindow) bad(`${times.length} actions on ${target} within ${this.policy.rateLimits.windowSeconds} s`);
      switch (a.kind) {
        case 'scale': {
          const svc = s.services.find((x) => x.name === a.service);
          if (!svc) {
            bad('unknown service');
            break;
          }
          const b = resolveServiceBounds(this.policy, a.service);
          const cur = svc.replicas;
          const inside = a.to >= b.minReplicas && a.to <= b.maxReplicas;
          const towards = (cur < b.minReplicas && a.to > cur && a.to <= b.maxReplicas) || (cur > b.maxReplicas && a.to < cur && a.to >= b.minReplicas);
          if (!inside && !towards) bad(`${a.to} replicas outside ${b.minReplicas}–${b.maxReplicas}`);
          const step = Math.max(this.policy.blastRadius.minAbsoluteChange, Math.floor(cur * this.policy.blastRadius.maxReplicaChangeShare));
          if (Math.abs(a.to - cur) > step) bad(`changes ${a.service} by ${Math.abs(a.to - cur)} replicas from ${cur}, more than ${step}`);
          if (s.degraded !== undefined && a.to < cur) bad('scale-down on degraded telemetry');
          break;
        }
        case 'add-nodes': {
          const types = this.policy.cluster.allowedInstanceTypes;
          if (types.length > 0 && !types.includes(a.instanceType)) bad(`${a.instanceType} not allowed`);
          if (a.spot && !this.policy.cluster.allowSpot) bad('spot not allowed');
          nodes += a.count;
          if (nodes > this.policy.cluster.maxNodes) bad(`${nodes} nodes > maxNodes ${this.policy.cluster.maxNodes}`);
          break;
        }
        case 'remove-node':
        case 'cordon-drain':
          taken++;
          if (s.nodes.length - taken < this.policy.cluster.minNodes) bad(`leaves ${s.nodes.length - taken} nodes < minNodes ${this.policy.cluster.minNodes}`);
          if (s.degraded !== undefined) bad('capacity taken away on degraded telemetry');
          break;
        case 'restart-pod':
        case 'rollback':
          if (!s.services.some((x) => x.name === a.service)) bad('unknown service');
          break;
      }
    }
  }
}
