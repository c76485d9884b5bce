/**
 * RlPolicy: the trained PPO actor as a ScalingPolicy. Every `decisionSeconds` (the period it was trained at) it
 * builds each service's state exactly as the training environment did and takes the most probable action; its
 * proposals go through the controller and guardrails like any planner's. A state outside the training ranges
 * (any feature, with a margin) is out of distribution: the service is handed to the fallback policy
 * (predictive or HPA) that tick, the proposal's rationale says so, and the first tick of each such stretch
 * leaves a journal note. The fallback decides every tick even when unused, so its own state (stabilisation
 * windows, forecast history) is warm the moment it is needed.
 */
import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { PlanContext, ScalingPolicy } from '../scaling/policy.js';
import { ACTIONS, ReplicaActuator } from './actions.js';
import { FEATURE_NAMES, NUM_FEATURES, writeFeatures } from './features.js';
import { LoadForecast } from './load-forecast.js';
import type { RlModel } from './model.js';
import { forward, softmax } from './network.js';
import type { OutOfRange } from './ranges.js';

export const RlPolicyConfigSchema = z.object({
  /** Widening of each feature's training range, as a share of its span, before a state counts as out of distribution. */
  oodMargin: z.number().nonnegative().default(0.1),
  /** Replica bounds and decision period; default: the training environment's. */
  minReplicas: z.number().int().nonnegative().optional(),
  maxReplicas: z.number().int().positive().optional(),
  decisionSeconds: z.number().positive().optional(),
  /** p99 latency objective (ms) the forecast fits size for; default: the training service's. */
  latencyObjectiveMs: z.number().positive().optional(),
});
export type RlPolicyConfigInput = z.input<typeof RlPolicyConfigSchema>;

interface ServiceState {
  forecast: LoadForecast;
  actuator: ReplicaActuator;
  lastReplicas: number;
  lastDirection: number;
  lastChangeAt: number;
  nextDecisionAt: number;
  ood: boolean;
}

export interface RlPolicyStats {
  decisions: number;
  /** Service-ticks handed to the fallback, and by which feature. */
  fallbacks: number;
  fallbackByFeature: Record<string, number>;
}

export class RlPolicy implements ScalingPolicy {
  readonly name = 'rl-ppo';
  private readonly cfg: { oodMargin: number; minReplicas: number; maxReplicas: number; decisionSeconds: number; latencyObjectiveMs: number };
  private readonly services = new Map<string, ServiceState>();
  private readonly x = new Float32Array(NUM_FEATURES);
  readonly stats: RlPolicyStats = { decisions: 0, fallbacks: 0, fallbackByFeature: {} };

  constructor(readonly model: RlModel, readonly fallback: ScalingPolicy, config: RlPolicyConfigInput = {}) {
    const c = RlPolicyConfigSchema.parse(config);
    const env = model.config.env;
    this.cfg = {
      oodMargin: c.oodMargin,
      minReplicas: c.minReplicas ?? env.minReplicas,
      maxReplicas: c.maxReplicas ?? env.maxReplicas,
      decisionSeconds: c.decisionSeconds ?? env.decisionSeconds,
      latencyObjectiveMs: c.latencyObjectiveMs ?? env.service.sloP99Ms,
    };
  }

  decide(ctx: PlanContext): Proposal[] {
    const fallbackScale = new Map<string, Proposal>();
    for (const p of this.fallback.decide(ctx)) if (p.action.kind === 'scale') fallbackScale.set(p.action.service, p);
    const out: Proposal[] = [];
    for (const svc of ctx.snapshot.services) {
      const st = this.stateOf(svc.name, svc.replicas);
      st.forecast.observe(ctx.now, svc.requestRate);
      st.actuator.observe(ctx.now, svc.requestRate);
      if (svc.replicas !== st.lastReplicas) {
        // Any executed change counts (ours or another planner's), as the flap count does.
        st.lastDirection = Math.sign(svc.replicas - st.lastReplicas);
        st.lastChangeAt = ctx.now;
        st.lastReplicas = svc.replicas;
      }
      const outlook = st.forecast.outlook(3);
      writeFeatures({ svc, snapshot: ctx.snapshot, outlook, lastDirection: st.lastDirection, sinceLastChange: ctx.now - st.lastChangeAt }, this.x);
      const ood = this.model.ranges.check(this.x, this.cfg.oodMargin);
      if (ood) {
        this.stats.fallbacks++;
        this.stats.fallbackByFeature[ood.feature] = (this.stats.fallbackByFeature[ood.feature] ?? 0) + 1;
        if (!st.ood) ctx.notes?.push(this.note(svc.name, ood));
        st.ood = true;
        const fb = fallbackScale.get(svc.name);
        if (fb) out.push({ ...fb, source: `${this.name}/fallback:${fb.source}`, rationale: `${describeOod(ood)}; fell back to ${fb.source}: ${fb.rationale}`, evidence: { ...fb.evidence, ood_feature: ood.feature, ood_value: ood.value } });
        // Back in distribution, the network decides at once rather than a period later.
        st.nextDecisionAt = ctx.now;
        continue;
      }
      st.ood = false;
      if (ctx.now + 1e-6 < st.nextDecisionAt) continue;
      st.nextDecisionAt = ctx.now + this.cfg.decisionSeconds;
      this.stats.decisions++;
      const probs = softmax(forward(this.model.actor, this.x, 1));
      let a = 0;
      for (let k = 1; k < probs.length; k++) if (probs[k] > probs[a]) a = k;
      const to = st.actuator.target(a, { current: svc.replicas, rate: st.actuator.rising(svc.requestRate), serviceRatePerReplica: svc.serviceRatePerReplica, outlook, latencyObjectiveMs: this.cfg.latencyObjectiveMs, lastDirection: st.lastDirection, sinceLastChange: ctx.now - st.lastChangeAt }, ctx.now, this.cfg.minReplicas, this.cfg.maxReplicas);
      if (to === svc.replicas) continue;
      const evidence: Record<string, number | string> = { action: ACTIONS[a].label, probability: round(probs[a]) };
      FEATURE_NAMES.forEach((f, i) => (evidence[f] = round(this.x[i])));
      out.push({
        action: { kind: 'scale', service: svc.name, from: svc.replicas, to },
        source: this.name,
        rationale: `PPO actor chose ${ACTIONS[a].label} (p=${probs[a].toFixed(2)}) at ${(100 * this.x[2]).toFixed(0)} % load per replica capacity, forecast p90 ×${Math.exp(this.x[7]).toFixed(2)} of now over 15 min`,
        evidence,
        expectedEffect: `${svc.name} runs ${to} replicas (was ${svc.replicas})`,
      });
    }
    return out;
  }

  private stateOf(name: string, replicas: number): ServiceState {
    let st = this.services.get(name);
    if (!st) {
      st = { forecast: new LoadForecast(), actuator: new ReplicaActuator(), lastReplicas: replicas, lastDirection: 0, lastChangeAt: -Infinity, nextDecisionAt: -Infinity, ood: false };
      this.services.set(name, st);
    }
    return st;
  }

  private note(service: string, ood: OutOfRange): { kind: string; actor: string; summary: string; payload: Record<string, unknown> } {
    return {
      kind: 'rl-fallback',
      actor: this.name,
      summary: `${service}: ${describeOod(ood)}; ${this.fallback.name} decides until the state is back in range`,
      payload: { service, ...ood, fallback: this.fallback.name },
    };
  }
}

function describeOod(o: OutOfRange): string {
  return `RL state out of training distribution (${o.feature}=${o.value.toFixed(3)} outside [${o.min.toFixed(3)}, ${o.max.toFixed(3)}])`;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
