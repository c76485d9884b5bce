/**
 * The agent's second action head: what to do with the node pool this decision. The choices are
 *   - "nodes: autoscaler": nothing; the cluster autoscaler adds nodes for Pending pods and removes a node after
 *     10 minutes under 50 % (it runs beside the agent in training and in the product),
 *   - "nodes: release": remove the emptiest node now if the others hold every pod the replica head wants,
 *   - "nodes: ahead <type>[ spot]": add nodes of that instance type (on-demand or spot) now for the replicas the
 *     replica head's fit wants at the forecast's p90, before the pods go Pending — one choice per allowed type and
 *     purchase option.
 * As with the replica fits, the agent chooses; the arithmetic (bin packing, eviction safety, min/max nodes) is the
 * predictive node planner's, reused here through a ReplicaOutlook that reports what the agent wants.
 */
import type { Proposal } from '../../core/proposal.js';
import { CATALOGUE } from '../../execute/twin/catalogue.js';
import type { PlanContext } from '../scaling/policy.js';
import { PredictiveNodePolicy } from '../scaling/predictive-nodes.js';
import type { LoadOutlook, ReplicaOutlook } from '../scaling/predictive.js';
import type { RateOutlook } from './load-forecast.js';

export type NodeAct =
  | { label: string; kind: 'autoscaler' }
  | { label: string; kind: 'release' }
  | { label: string; kind: 'ahead'; instanceType: string; spot: boolean };

/** What the node head may choose, from the environment's node-pool options (fixed order: the model stores the labels). */
export function nodeActions(pool: { instanceTypes: readonly string[]; allowSpot: boolean }): NodeAct[] {
  const out: NodeAct[] = [
    { label: 'nodes: autoscaler', kind: 'autoscaler' },
    { label: 'nodes: release', kind: 'release' },
  ];
  for (const t of pool.instanceTypes) {
    if (!CATALOGUE.has(t)) throw new Error(`unknown instance type '${t}'`);
    out.push({ label: `nodes: ahead ${t}`, kind: 'ahead', instanceType: t, spot: false });
    if (pool.allowSpot) out.push({ label: `nodes: ahead ${t} spot`, kind: 'ahead', instanceType: t, spot: true });
  }
  return out;
}

/** Whether a node action is possible under the guardrail policy's cluster section (types and spot). */
export function nodeActionAllowed(a: NodeAct, cluster: { allowedInstanceTypes: readonly string[]; allowSpot: boolean }): boolean {
  if (a.kind !== 'ahead') return true;
  if (a.spot && !cluster.allowSpot) return false;
  return cluster.allowedInstanceTypes.length === 0 || cluster.allowedInstanceTypes.includes(a.instanceType);
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

/** Runs the node head's choice: one predictive node planner per choice, fed the replicas the agent wants. */
export class NodePoolActuator implements ReplicaOutlook {
  private readonly needs = new Map<string, NodeNeed>();
  private readonly planners: (PredictiveNodePolicy | null)[];

  constructor(readonly actions: readonly NodeAct[], bounds: NodePoolBounds, defaultType: string) {
    this.planners = actions.map((a) => {
      const common = { ...bounds, scaleDownHorizonSeconds: 0, scaleDownUnneededSeconds: 0, scaleDownDelayAfterAddSeconds: 0 };
      switch (a.kind) {
        case 'autoscaler':
          return null;
        case 'release':
          return new PredictiveNodePolicy(this, { ...common, instanceTypes: [defaultType], scaleUpEnabled: false });
        case 'ahead':
          return new PredictiveNodePolicy(this, { ...common, instanceTypes: [a.instanceType], spot: a.spot, scaleDownEnabled: false });
      }
    });
  }

  /** Sets what `service` will need (call for every service before `decide`). */
  want(service: string, need: NodeNeed): void {
    this.needs.set(service, need);
  }

  replicasAhead(service: string): { replicas: number; outlook: LoadOutlook } | undefined {
    const n = this.needs.get(service);
    if (!n) return undefined;
    const o = n.outlook;
    return { replicas: n.replicas, outlook: { load: Math.max(n.rate, o?.p90 ?? 0), p50: o?.p50 ?? 0, p10: o?.p10 ?? 0, p90: o?.p90 ?? 0, interval: o !== null, current: n.rate, trend: 0 } };
  }

  /** Proposals of node action `a` on this snapshot (none for "autoscaler", or when nothing needs doing). */
  decide(a: number, ctx: PlanContext): Proposal[] {
    const planner = this.planners[a];
    if (planner === undefined) throw new Error(`unknown RL node action ${a}`);
    return planner ? planner.decide(ctx) : [];
  }
}
