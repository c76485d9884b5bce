/**
 * The agent's second action head: how much node capacity to hold for the replicas its first head wants, and of
 * which instance type and purchase option. Each choice is "nodes: fit ×h <type>[ spot]": keep the pool holding
 * h × the pods the replica head asks for — adding nodes of that type (on-demand or spot)
 * before the pods go Pending, and removing the emptiest node once the others hold them and the replicas left carry
 * the load while its pods restart. The arithmetic (bin packing with pod limits, eviction safety, removal debounce,
 * min/max nodes) is the predictive node planner's, reused through a ReplicaOutlook that reports what the agent wants;
 * the agent chooses the headroom, the type and spot or not, as its first head chooses the replicas' headroom.
 * A first version offered "leave it to the cluster autoscaler", "release a node" and "add ahead" as separate
 * one-shot choices: with node cost in the reward it learnt to release and never to add ahead (pods waited Pending
 * for nodes: 3.5× the predictive policy's SLO minutes on held-out traces); with it out of the reward, to always add.
 */
import type { Proposal } from '../../core/proposal.js';
import { CATALOGUE } from '../../execute/twin/catalogue.js';
import type { PlanContext } from '../scaling/policy.js';
import { PredictiveNodePolicy } from '../scaling/predictive-nodes.js';
import type { LoadOutlook, ReplicaOutlook } from '../scaling/predictive.js';
import { fitReplicas, type ActionContext, type ReplicaActuator } from './actions.js';
import type { RateOutlook } from './load-forecast.js';

export type NodeAct = { label: string; headroom: number; instanceType: string; spot: boolean };

/** Node headroom levels over the pods the replica fit wants. */
export const NODE_HEADROOM = [1, 1.2, 1.5] as const;
/**
 * Removals hold for the largest replicas wanted in this window (sized by the headroom chosen now), as the HPA's
 * downscale stabilisation holds replicas: a dip in the load does not release a node the next minutes need again.
 */
export const NODE_SCALE_DOWN_STABILISATION_SECONDS = 300;

/** What the node head may choose, from the environment's node-pool options (fixed order: the model stores the labels). */
export function nodeActions(pool: { instanceTypes: readonly string[]; allowSpot: boolean }): NodeAct[] {
  const out: NodeAct[] = [];
  for (const t of pool.instanceTypes) {
    if (!CATALOGUE.has(t)) throw new Error(`unknown instance type '${t}'`);
    for (const spot of pool.allowSpot ? [false, true] : [false]) {
      for (const h of NODE_HEADROOM) out.push({ label: `nodes: fit ×${h.toFixed(1)} ${t}${spot ? ' spot' : ''}`, headroom: h, instanceType: t, spot });
    }
  }
  return out;
}

/** Whether a node action is possible under the guardrail policy's cluster section (types and spot). */
export function nodeActionAllowed(a: NodeAct, cluster: { allowedInstanceTypes: readonly string[]; allowSpot: boolean }): boolean {
  if (a.spot && !cluster.allowSpot) return false;
  return cluster.allowedInstanceTypes.length === 0 || cluster.allowedInstanceTypes.includes(a.instanceType);
}

/** Nodes asked for now hold pods from about now + this (provisioning plus pod start-up), as the predictive node planner's default. */
export const NODE_LEAD_SECONDS = 150;

/**
 * The replicas to hold nodes for: the fit the replica head chose, sized for the rate extrapolated over the nodes'
 * lead rather than the pods' (a node takes minutes, a pod seconds). With the replicas' lead, nodes for a ramp were
 * asked for only when its pods were, and the pods then waited Pending for them.
 */
export function nodeNeed(fit: number, replicas: number, requestRate: number, ctx: ActionContext, actuator: ReplicaActuator, min: number, max: number): NodeNeed {
  const rate = actuator.rising(requestRate, NODE_LEAD_SECONDS);
  return { replicas: Math.max(replicas, fitReplicas(fit, { ...ctx, rate }, min, max)), rate, outlook: ctx.outlook };
}

/** What a service is expected to need, as the replica head sized it. */
export interface NodeNeed {
  replicas: number;
  rate: number;
  outlook: RateOutlook | null;
}

export interface NodePoolBounds {
  minNodes: number;
  maxNodes: number;
  allowedInstanceTypes: string[];
  allowSpot: boolean;
}

/** Runs the node head's choice: one predictive node planner per (type, purchase option), fed the pods the agent wants × its headroom. */
export class NodePoolActuator implements ReplicaOutlook {
  private readonly needs = new Map<string, NodeNeed>();
  /**
   * Per service, the replicas wanted over the stabilisation window; the headroom chosen now applies to all of them
   * (as the replica head's window holds loads, not past choices: actions.ts says why).
   */
  private readonly recent = new Map<string, { at: number; replicas: number }[]>();
  /** Per action, its planner; actions of the same type and option share one, so its removal debounce carries over. */
  private readonly planners: PredictiveNodePolicy[];
  private headroom = 1;

  constructor(readonly actions: readonly NodeAct[], bounds: NodePoolBounds) {
    const byPool = new Map<string, PredictiveNodePolicy>();
    this.planners = actions.map((a) => {
      const key = `${a.instanceType}/${a.spot}`;
      let p = byPool.get(key);
      if (!p) {
        p = new PredictiveNodePolicy(this, { ...bounds, instanceTypes: [a.instanceType], spot: a.spot, leadSeconds: NODE_LEAD_SECONDS, scaleDownHorizonSeconds: NODE_SCALE_DOWN_STABILISATION_SECONDS });
        byPool.set(key, p);
      }
      return p;
    });
  }

  /** Sets what `service` will need (call for every service before `decide`). */
  want(service: string, need: NodeNeed): void {
    this.needs.set(service, need);
  }

  /** The planner asks `leadSeconds` ahead to add and the scale-down horizon ahead to remove: the latter gets the window's largest want. */
  replicasAhead(service: string, aheadSeconds: number): { replicas: number; outlook: LoadOutlook } | undefined {
    const n = this.needs.get(service);
    if (!n) return undefined;
    const o = n.outlook;
    const now = Math.ceil(n.replicas * this.headroom - 1e-9);
    const held = aheadSeconds >= NODE_SCALE_DOWN_STABILISATION_SECONDS ? Math.max(now, ...(this.recent.get(service) ?? []).map((r) => Math.ceil(r.replicas * this.headroom - 1e-9))) : now;
    return {
      replicas: held,
      outlook: { load: Math.max(n.rate, o?.p90 ?? 0), p50: o?.p50 ?? 0, p10: o?.p10 ?? 0, p90: o?.p90 ?? 0, interval: o !== null, current: n.rate, trend: 0 },
    };
  }

  /** Proposals of node action `a` on this snapshot (none when the pool already fits). */
  decide(a: number, ctx: PlanContext): Proposal[] {
    const act = this.actions[a];
    const planner = this.planners[a];
    if (!act || !planner) throw new Error(`unknown RL node action ${a}`);
    this.headroom = act.headroom;
    for (const [service, n] of this.needs) {
      const rs = (this.recent.get(service) ?? []).filter((r) => r.at > ctx.now - NODE_SCALE_DOWN_STABILISATION_SECONDS);
      rs.push({ at: ctx.now, replicas: n.replicas });
      this.recent.set(service, rs);
    }
    return planner.decide(ctx);
  }
}
