import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { NodeTelemetry, Snapshot } from '../../core/snapshot.js';
import { CATALOGUE, pricePerHour } from '../../execute/twin/catalogue.js';
import { allocatableCapacity, firstFitDecreasing, freeCapacity, nodeUtilization, podsFitElsewhere, type Capacity, type PodShape } from './cluster-autoscaler.js';
import type { PlanContext, ScalingPolicy } from './policy.js';
import type { LoadOutlook, ReplicaOutlook } from './predictive.js';

export const PredictiveNodePolicyConfigSchema = z.object({
  /** Node types it may add (catalogue names); the cheapest for the pods to place wins, ties go to the earlier one. */
  instanceTypes: z.array(z.string().min(1)).min(1),
  /** Add spot nodes (cheaper, can be reclaimed) when the guardrail policy allows spot. */
  spot: z.boolean().default(false),
  /** Node provisioning plus pod start-up plus a loop period: nodes asked for now hold pods from now + this. */
  leadSeconds: z.number().nonnegative().default(150),
  /** Remove a node only if the nodes left hold every pod the forecast asks for over this long ahead. */
  scaleDownHorizonSeconds: z.number().nonnegative().default(300),
  /** ...and it has been removable this long without a break (debounces a noisy forecast). */
  scaleDownUnneededSeconds: z.number().nonnegative().default(30),
  /** No removal this soon after this planner added nodes (an add then a remove is churn, paid twice). */
  scaleDownDelayAfterAddSeconds: z.number().nonnegative().default(60),
  /** Evicted pods restart elsewhere; while they do, the other ready replicas must carry the load at most at this utilisation. */
  evictionMaxUtilization: z.number().gt(0).max(1).default(0.9),
  scaleDownEnabled: z.boolean().default(true),
  /**
   * The guardrails' rate limit for a node pool (policy rateLimits): when the last adds of the window are being
   * spent, an add covers the forecast until the window frees instead of the provisioning lead only.
   */
  actionBudget: z.object({ maxActions: z.number().int().positive(), windowSeconds: z.number().positive() }).default({ maxActions: 10, windowSeconds: 600 }),
  /** The guardrail policy's cluster bounds, so proposals fit them instead of being clamped or denied. */
  minNodes: z.number().int().nonnegative().default(1),
  maxNodes: z.number().int().positive().default(100),
  allowedInstanceTypes: z.array(z.string()).default([]),
  allowSpot: z.boolean().default(true),
});
export type PredictiveNodePolicyConfig = z.output<typeof PredictiveNodePolicyConfigSchema>;
export type PredictiveNodePolicyConfigInput = z.input<typeof PredictiveNodePolicyConfigSchema>;

interface Option {
  instanceType: string;
  spot: boolean;
  price: number;
  capacity: Capacity;
}

interface Need {
  /** Pods (one per replica) the forecast asks for, every service. */
  pods: PodShape[];
  /** The service whose forecast drives most of it, for the rationale. */
  lead?: { service: string; replicas: number; outlook: LoadOutlook };
}

/**
 * Predictive node pools. Scale-up: provisions nodes ahead for the replicas the forecast asks for one provisioning
 * delay from now, so pods scheduled for a ramp find room instead of waiting Pending for a node (the cluster
 * autoscaler only reacts to Pending pods, a provisioning delay too late); Pending pods count too, so it covers
 * what the cluster autoscaler would add. Among the allowed instance types (and spot, if the config and the
 * guardrails allow it) it adds the cheapest set of nodes that holds the pods. Scale-down: removes the emptiest node
 * whose pods fit on the others, once the nodes left hold everything the forecast asks for over the next
 * minutes — without the cluster autoscaler's fixed 10-minute wait and 50 % threshold, which keep nodes the
 * forecast already knows are not needed.
 */
export class PredictiveNodePolicy implements ScalingPolicy {
  readonly name = 'predictive-nodes';
  readonly config: PredictiveNodePolicyConfig;
  private readonly options: Option[];
  /** Since when some node has been removable without a break; null when none is. */
  private removableSince: number | null = null;
  private lastAddAt = Number.NEGATIVE_INFINITY;
  /** When nodes were added (seen as a larger node count), within the action-budget window. */
  private readonly adds: number[] = [];
  private lastNodeCount = -1;

  constructor(private readonly replicas: ReplicaOutlook, config: PredictiveNodePolicyConfigInput) {
    this.config = PredictiveNodePolicyConfigSchema.parse(config);
    const allowed = this.config.allowedInstanceTypes.length > 0 ? new Set(this.config.allowedInstanceTypes) : undefined;
    const spot = this.config.spot && this.config.allowSpot;
    this.options = this.config.instanceTypes
      .filter((n) => !allowed || allowed.has(n))
      .map((n) => {
        const t = CATALOGUE.get(n);
        if (!t) throw new Error(`unknown instance type '${n}' (known: ${[...CATALOGUE.keys()].join(', ')})`);
        return { instanceType: n, spot, price: pricePerHour(t, spot), capacity: { cpuMillis: t.cpuAllocatableMillis, memoryMiB: t.memoryAllocatableMiB, pods: t.maxPods } };
      });
  }

  decide(ctx: PlanContext): Proposal[] {
    const count = ctx.snapshot.nodes.length;
    if (this.lastNodeCount >= 0 && count > this.lastNodeCount) this.adds.push(ctx.now);
    this.lastNodeCount = count;
    while (this.adds.length > 0 && this.adds[0] <= ctx.now - this.config.actionBudget.windowSeconds) this.adds.shift();
    const up = this.scaleUp(ctx.snapshot, ctx.now);
    if (up) {
      this.lastAddAt = ctx.now;
      this.removableSince = null;
      return [up];
    }
    const down = this.scaleDown(ctx.snapshot, ctx.now);
    return down ? [down] : [];
  }

  /** Pods every service needs `ahead` seconds from now: the forecast's replicas, never fewer than the spec now. */
  private need(snap: Snapshot, ahead: number): Need {
    const pods: PodShape[] = [];
    let lead: Need['lead'];
    let leadGrowth = -Infinity;
    for (const s of snap.services) {
      const planned = this.replicas.replicasAhead(s.name, ahead);
      const want = Math.max(s.replicas, planned?.replicas ?? 0);
      for (let k = 0; k < want; k++) pods.push({ cpuMillis: s.cpuRequestMillis, memoryMiB: s.memoryRequestMiB });
      // The rationale quotes the service whose forecast asks for the most beyond its replicas now.
      if (planned && want - s.replicas > leadGrowth) {
        leadGrowth = want - s.replicas;
        lead = { service: s.name, replicas: want, outlook: planned.outlook };
      }
    }
    return { pods, lead };
  }

  private scaleUp(snap: Snapshot, now: number): Proposal | undefined {
    if (this.options.length === 0) return undefined;
    const { maxNodes, actionBudget } = this.config;
    // Almost out of adds for this window: cover the forecast until the oldest add leaves it.
    const lowBudget = this.adds.length >= actionBudget.maxActions - 2;
    const leadSeconds = lowBudget ? Math.max(this.config.leadSeconds, this.adds[0] + actionBudget.windowSeconds - now) : this.config.leadSeconds;
    const pods: PodShape[] = [];
    const parts: string[] = [];
    let lead: Need['lead'];
    for (const s of snap.services) {
      const planned = this.replicas.replicasAhead(s.name, leadSeconds, lowBudget ? leadSeconds : undefined);
      const want = Math.max(s.replicas, planned?.replicas ?? 0);
      // Pods on a node already hold their room; the rest (Pending now, or yet to be created) need some.
      const unplaced = want - (s.replicas - s.pendingReplicas);
      if (unplaced <= 0) continue;
      for (let k = 0; k < unplaced; k++) pods.push({ cpuMillis: s.cpuRequestMillis, memoryMiB: s.memoryRequestMiB });
      parts.push(`${s.name} ${unplaced}×${s.cpuRequestMillis}m/${s.memoryRequestMiB}Mi`);
      if (planned && (!lead || unplaced > lead.replicas)) lead = { service: s.name, replicas: planned.replicas, outlook: planned.outlook };
    }
    if (pods.length === 0) return undefined;
    const free = snap.nodes.map((n) => freeOf(n));
    const headroom = Math.max(0, maxNodes - snap.nodes.length);
    let best: { opt: Option; count: number } | undefined;
    for (const opt of this.options) {
      const count = firstFitDecreasing(pods, free, opt.capacity).newNodes;
      if (!best || count * opt.price < best.count * best.opt.price - 1e-9) best = { opt, count };
    }
    if (!best || best.count === 0 || headroom === 0) return undefined;
    const count = Math.min(best.count, headroom);
    const { opt } = best;
    const provisioning = snap.nodes.filter((n) => n.provisioning).length;
    return {
      action: { kind: 'add-nodes', instanceType: opt.instanceType, count, spot: opt.spot },
      source: this.name,
      rationale:
        `Predictive nodes: in ${Math.round(leadSeconds)}s ${pods.length} more pod${pods.length === 1 ? '' : 's'} (${parts.join(', ')})${forecastText(lead)} ` +
        `than fit on the ${snap.nodes.length - provisioning} ready and ${provisioning} provisioning nodes will be needed, so add ${count} ${opt.instanceType}${opt.spot ? ' (spot)' : ''} ` +
        `now ($${(count * opt.price).toFixed(3)}/h, the cheapest allowed option)${count < best.count ? `, capped at maxNodes ${maxNodes}` : ''}` +
        (lowBudget ? `; ${this.adds.length} of the ${actionBudget.maxActions} adds per ${actionBudget.windowSeconds}s the guardrails allow are spent, so it looks ahead until one frees.` : '.'),
      evidence: {
        pods: pods.length,
        leadSeconds,
        nodes: snap.nodes.length,
        provisioningNodes: provisioning,
        estimatedNodes: best.count,
        count,
        pricePerHour: opt.price,
        ...outlookEvidence(lead),
      },
      expectedEffect: `${count} ${opt.instanceType} node${count === 1 ? '' : 's'} ready within ${this.config.leadSeconds}s, before the forecast pods need them`,
    };
  }

  private scaleDown(snap: Snapshot, now: number): Proposal | undefined {
    const c = this.config;
    if (!c.scaleDownEnabled || now - this.lastAddAt < c.scaleDownDelayAfterAddSeconds || snap.nodes.length <= c.minNodes) {
      this.removableSince = null;
      return undefined;
    }
    // Only when nothing waits for room and nothing is being provisioned: the cluster is settled.
    if (snap.nodes.some((n) => n.provisioning) || snap.services.some((s) => s.pendingReplicas > 0)) {
      this.removableSince = null;
      return undefined;
    }
    const ready = snap.nodes.filter((n) => n.ready);
    const need = this.need(snap, c.scaleDownHorizonSeconds);
    const totalPods = ready.reduce((a, n) => a + n.pods, 0);
    // Emptiest first (fewest pods to move), then by name so the choice is deterministic; the first that passes is it.
    const order = ready.map((n) => ({ n, util: nodeUtilization(n).max })).sort((a, b) => a.n.pods - b.n.pods || a.util - b.util || a.n.name.localeCompare(b.n.name));
    // Candidates leaving the same capacities behind (same-type nodes, mostly) share one packing; it runs every tick.
    const packed = new Map<string, boolean>();
    const pick = order.find(({ n }) => this.removable(n, ready, need.pods, packed) && podsFitElsewhere(n, ready) && this.evictionSafe(snap, n.pods, totalPods));
    // The wait runs while some node is removable, not one node: which one is emptiest changes as pods come and go.
    if (!pick) {
      this.removableSince = null;
      return undefined;
    }
    this.removableSince ??= now;
    const since = now - this.removableSince;
    if (since < c.scaleDownUnneededSeconds) return undefined;
    const { n, util } = pick;
    return {
      action: { kind: 'remove-node', node: n.name },
      source: this.name,
      rationale:
        `Predictive nodes: the other ${ready.length - 1} nodes hold the ${need.pods.length} pods the forecast asks for over the next ${c.scaleDownHorizonSeconds}s${forecastText(need.lead)}, ` +
        `and ${n.name}'s ${n.pods} pod${n.pods === 1 ? '' : 's'} (${Math.round(util * 100)}% of its allocatable) fit on them; a node has been removable for ${Math.round(since)}s, so remove it.`,
      evidence: {
        pods: n.pods,
        utilization: round(util),
        forecastPods: need.pods.length,
        horizonSeconds: c.scaleDownHorizonSeconds,
        removableSeconds: since,
        nodes: snap.nodes.length,
        ...outlookEvidence(need.lead),
      },
      expectedEffect: `${n.name} is drained and removed; its pods restart on the remaining nodes`,
    };
  }

  /**
   * Would the ready nodes other than `n` hold every pod of `pods` (placed afresh, first-fit decreasing)? `packed`
   * remembers the answer per sequence of capacities left, which is all the answer depends on.
   */
  private removable(n: NodeTelemetry, ready: readonly NodeTelemetry[], pods: readonly PodShape[], packed: Map<string, boolean>): boolean {
    const cap: Capacity[] = [];
    let cpu = 0;
    let mem = 0;
    for (const o of ready) {
      if (o.name === n.name) continue;
      cap.push(allocatableCapacity(o));
      cpu += o.cpuAllocatableMillis;
      mem += o.memoryAllocatableMiB;
    }
    const key = cap.map((c) => `${c.cpuMillis}/${c.memoryMiB}/${c.pods ?? ''}`).join(',');
    const known = packed.get(key);
    if (known !== undefined) return known;
    // The totals are a cheap necessary condition; the packing is the real test.
    let needCpu = 0;
    let needMem = 0;
    for (const p of pods) {
      needCpu += p.cpuMillis;
      needMem += p.memoryMiB;
    }
    const fits = needCpu <= cpu && needMem <= mem && firstFitDecreasing(pods, cap, { cpuMillis: 0, memoryMiB: 0 }).placedInExisting === pods.length;
    packed.set(key, fits);
    return fits;
  }

  /**
   * While evicted pods restart elsewhere (pod start-up), the rest must carry each service's load. The snapshot does
   * not say which service's pods a node runs, so they are taken as a proportional share of every service.
   */
  private evictionSafe(snap: Snapshot, nodePods: number, totalPods: number): boolean {
    if (nodePods === 0) return true;
    const share = totalPods > 0 ? nodePods / totalPods : 1;
    return snap.services.every((s) => {
      const left = s.readyReplicas - Math.ceil(s.readyReplicas * share);
      return s.requestRate <= left * s.serviceRatePerReplica * this.config.evictionMaxUtilization;
    });
  }
}

/** Room left on a node; a provisioning node whose allocatable the source does not know yet counts as its type's. */
function freeOf(n: NodeTelemetry): Capacity {
  if (n.provisioning && n.cpuAllocatableMillis === 0 && n.memoryAllocatableMiB === 0) {
    const t = CATALOGUE.get(n.instanceType);
    if (t) return { cpuMillis: t.cpuAllocatableMillis, memoryMiB: t.memoryAllocatableMiB, pods: t.maxPods };
  }
  // A node that is neither ready nor provisioning (crashed) takes nothing.
  if (!n.ready && !n.provisioning) return { cpuMillis: 0, memoryMiB: 0, pods: 0 };
  return freeCapacity(n);
}

function forecastText(lead: Need['lead']): string {
  if (!lead) return '';
  const o = lead.outlook;
  return ` (${lead.service}: ${lead.replicas} replicas for a forecast of ${fmt(o.p50)} req/s, p10–p90 ${fmt(o.p10)}–${fmt(o.p90)}, sized for ${fmt(o.load)} req/s)`;
}

function outlookEvidence(lead: Need['lead']): Record<string, number | string> {
  if (!lead) return {};
  return { service: lead.service, forecastReplicas: lead.replicas, forecastP50: round(lead.outlook.p50), forecastP10: round(lead.outlook.p10), forecastP90: round(lead.outlook.p90), sizedLoad: round(lead.outlook.load) };
}

const round = (x: number): number => Math.round(x * 100) / 100;
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
