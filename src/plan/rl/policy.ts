/**
 * RlPolicy: the trained PPO actor as a ScalingPolicy. Every `decisionSeconds` (the period it was trained at) it
 * builds each service's state exactly as the training environment did and takes the most probable action, which
 * holds until the next decision while its sizing runs on every tick's load (as in training); its
 * proposals go through the controller and guardrails like any planner's. A state outside the training ranges
 * (any feature, with a margin) is out of distribution: the service is handed to the fallback policy
 * (predictive or HPA) that tick, the proposal's rationale says so, and the first tick of each such stretch
 * leaves a journal note. The fallback decides every tick even when unused, so its own state (stabilisation
 * windows, forecast history) is warm the moment it is needed.
 * Node pool: one node action per decision tick, the node head's choice for the service whose fit asks for the most
 * pods (node-actions.ts sizes it for every service's want). Choices the guardrail policy forbids (an instance type
 * outside `allowedInstanceTypes`, spot where spot is off) are masked out; what is left still passes the guardrails.
 * With no service decided by the network this tick (all out of distribution), it leaves the nodes alone (the cluster
 * autoscaler beside it still adds nodes for Pending pods).
 */
import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { PlanContext, ScalingPolicy } from '../scaling/policy.js';
import { ACTIONS, NUM_ACTIONS, ReplicaActuator } from './actions.js';
import { envNodeActions } from './env.js';
import { FEATURE_NAMES, NUM_FEATURES, writeFeatures } from './features.js';
import { LoadForecast } from './load-forecast.js';
import type { RlModel } from './model.js';
import { argmax, forward, softmax } from './network.js';
import { NodePoolActuator, nodeActionAllowed, nodeNeed, type NodeAct, type NodeNeed } from './node-actions.js';
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
  /** The guardrail policy's cluster section: node bounds, and which node choices are allowed at all. */
  cluster: z
    .object({
      minNodes: z.number().int().nonnegative().default(1),
      maxNodes: z.number().int().positive().default(1000),
      allowedInstanceTypes: z.array(z.string()).default([]),
      allowSpot: z.boolean().default(true),
    })
    .prefault({}),
  /** Off: replicas only, the node pool left to other planners. */
  nodeHead: z.boolean().default(true),
});
export type RlPolicyConfigInput = z.input<typeof RlPolicyConfigSchema>;

interface ServiceState {
  forecast: LoadForecast;
  actuator: ReplicaActuator;
  lastReplicas: number;
  /** What the last network decision wants nodes for (null: none yet, or out of distribution since). */
  nodeNeed: NodeNeed | null;
  lastDirection: number;
  lastChangeAt: number;
  nextDecisionAt: number;
  /** The network's choice, held until `nextDecisionAt` (null: none yet, or out of distribution since). */
  choice: { fit: number; p: number; node: number; nodeP: number } | null;
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
  private readonly nodeActs: readonly NodeAct[];
  private readonly nodes: NodePoolActuator | null;
  private readonly nodeAllowed: (k: number) => boolean;
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
    this.nodeActs = envNodeActions(env);
    this.nodes = c.nodeHead ? new NodePoolActuator(this.nodeActs, c.cluster) : null;
    this.nodeAllowed = (k) => nodeActionAllowed(this.nodeActs[k], c.cluster);
  }

  decide(ctx: PlanContext): Proposal[] {
    const fallbackScale = new Map<string, Proposal>();
    for (const p of this.fallback.decide(ctx)) if (p.action.kind === 'scale') fallbackScale.set(p.action.service, p);
    const out: Proposal[] = [];
    // The node head of the service whose fit asks for the most pods beyond its replicas now.
    let lead: { service: string; growth: number; node: number; p: number } | null = null;
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
        st.nodeNeed = null;
        st.choice = null;
        const fb = fallbackScale.get(svc.name);
        if (fb) out.push({ ...fb, source: `${this.name}/fallback:${fb.source}`, rationale: `${describeOod(ood)}; fell back to ${fb.source}: ${fb.rationale}`, evidence: { ...fb.evidence, ood_feature: ood.feature, ood_value: ood.value } });
        // Back in distribution, the network decides at once rather than a period later (no choice is held).
        continue;
      }
      st.ood = false;
      if (!st.choice || ctx.now + 1e-6 >= st.nextDecisionAt) {
        st.nextDecisionAt = ctx.now + this.cfg.decisionSeconds;
        this.stats.decisions++;
        const logits = forward(this.model.actor, this.x, 1);
        const probs = softmax(logits, 0, NUM_ACTIONS);
        const nodeProbs = softmax(logits, NUM_ACTIONS, this.nodeActs.length);
        const a = argmax(probs);
        const node = argmax(nodeProbs, 0, nodeProbs.length, this.nodeAllowed);
        st.choice = { fit: a, p: probs[a], node, nodeP: nodeProbs[node] };
      }
      // The choice holds until the next decision; its fit is sized on every tick's load, as in training.
      const { fit: a, node } = st.choice;
      const actx = { current: svc.replicas, rate: st.actuator.rising(svc.requestRate), serviceRatePerReplica: svc.serviceRatePerReplica, outlook, latencyObjectiveMs: this.cfg.latencyObjectiveMs, lastDirection: st.lastDirection, sinceLastChange: ctx.now - st.lastChangeAt };
      const to = st.actuator.target(a, actx, ctx.now, this.cfg.minReplicas, this.cfg.maxReplicas);
      st.nodeNeed = nodeNeed(a, to, svc.requestRate, actx, st.actuator, this.cfg.minReplicas, this.cfg.maxReplicas);
      if (!lead || to - svc.replicas > lead.growth) lead = { service: svc.name, growth: to - svc.replicas, node, p: st.choice.nodeP };
      if (to === svc.replicas) continue;
      const evidence: Record<string, number | string> = { action: ACTIONS[a].label, probability: round(st.choice.p) };
      FEATURE_NAMES.forEach((f, i) => (evidence[f] = round(this.x[i])));
      out.push({
        action: { kind: 'scale', service: svc.name, from: svc.replicas, to },
        source: this.name,
        rationale: `PPO actor chose ${ACTIONS[a].label} (p=${st.choice.p.toFixed(2)}) at ${(100 * this.x[2]).toFixed(0)} % load per replica capacity, forecast p90 ×${Math.exp(this.x[7]).toFixed(2)} of now over 15 min`,
        evidence,
        expectedEffect: `${svc.name} runs ${to} replicas (was ${svc.replicas})`,
      });
    }
    if (lead && this.nodes && this.nodeAllowed(lead.node)) out.push(...this.nodeProposals(ctx, lead));
    return out;
  }

  private nodeProposals(ctx: PlanContext, lead: { service: string; node: number; p: number }): Proposal[] {
    const nodes = this.nodes;
    if (!nodes) return [];
    // Services out of distribution keep the room they have.
    for (const svc of ctx.snapshot.services) {
      const st = this.services.get(svc.name);
      const need = st?.nodeNeed;
      if (need) nodes.want(svc.name, { ...need, replicas: Math.max(svc.replicas, need.replicas) });
      else nodes.want(svc.name, { replicas: svc.replicas, rate: st ? st.actuator.rising(svc.requestRate) : svc.requestRate, outlook: st?.forecast.outlook(3) ?? null });
    }
    const act = this.nodeActs[lead.node];
    return nodes.decide(lead.node, ctx).map((p) => ({
      ...p,
      source: this.name,
      rationale: `PPO node head chose ${act.label} (p=${lead.p.toFixed(2)}, for ${lead.service}): ${p.rationale}`,
      evidence: { ...p.evidence, nodeAction: act.label, nodeProbability: round(lead.p) },
    }));
  }

  private stateOf(name: string, replicas: number): ServiceState {
    let st = this.services.get(name);
    if (!st) {
      st = { forecast: new LoadForecast(), actuator: new ReplicaActuator(), nodeNeed: null, lastReplicas: replicas, lastDirection: 0, lastChangeAt: -Infinity, nextDecisionAt: -Infinity, choice: null, ood: false };
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
