import type { Action } from '../core/action.js';
import { actionTarget, describeAction } from '../core/action.js';
import type { Proposal, Verdict } from '../core/proposal.js';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../core/snapshot.js';
import type { GuardrailPolicy, RiskTier, ServiceBounds } from './policy.js';
import { resolveServiceBounds } from './policy.js';

/** $/hour for one node of a type; undefined when unknown. */
export type PriceLookup = (instanceType: string, spot: boolean) => number | undefined;

/**
 * Something that may raise an action's risk tier above the policy's (never lower it), with the reason a human
 * reads in the approval queue: govern/deployment-risk.ts raises risky rollouts to high.
 */
export interface RiskRaiser {
  raise(action: Action, snapshot: Snapshot, now: number): { tier: RiskTier; reason: string } | undefined;
}

export interface GuardrailOptions {
  /** Consulted for every proposal (not for approved actions, whose risk the approval settled). */
  riskRaisers?: readonly RiskRaiser[];
  /**
   * Price source for the cost cap. When it has no answer, the price of a node of the same type
   * and spot-ness in the snapshot is used; with neither, adding nodes under a cost cap is denied.
   */
  priceOf?: PriceLookup;
}

/**
 * One snapshot indexed for O(1) lookups, plus the effects of actions executed since it was taken.
 * The overlay matters because the loop checks many proposals against one snapshot: without it two
 * add-nodes for different pools could each fit under maxNodes and together exceed it.
 * A new snapshot starts a fresh overlay, on the assumption that it shows what was executed
 * (new nodes appear as provisioning, scaled services with their new spec replicas).
 */
interface Prepared {
  services: Map<string, ServiceTelemetry>;
  nodes: Map<string, NodeTelemetry>;
  prices: Map<string, number>;
  nodeCount: number;
  costPerHour: number;
  replicas: Map<string, number>;
  addedNodes: number;
  addedCost: number;
  /** Nodes removed or drained since the snapshot: they no longer count towards minNodes. */
  takenOut: Set<string>;
}

const priceKey = (instanceType: string, spot: boolean): string => `${instanceType}\u0000${spot ? 1 : 0}`;
const money = (x: number): string => `$${x.toFixed(2)}/h`;

/**
 * The last word before an action reaches a provider. `check` returns allow, clamp (the action was
 * reduced to fit), needs-approval (high risk tier; carries the already-clamped action) or deny.
 * Whatever it returns other than deny satisfies every bound of the policy.
 */
export class Guardrails {
  private readonly prepared = new WeakMap<Snapshot, Prepared>();
  private latest: Prepared | undefined;
  private readonly bounds = new Map<string, ServiceBounds>();
  private readonly allowedTypes: Set<string> | undefined;
  /** Executed-action times per resource, oldest first, capped at the limit (older ones cannot matter). */
  private readonly history = new Map<string, number[]>();

  constructor(readonly policy: GuardrailPolicy, private readonly options: GuardrailOptions = {}) {
    const types = policy.cluster.allowedInstanceTypes;
    this.allowedTypes = types.length > 0 ? new Set(types) : undefined;
  }

  /** Index a snapshot; check() does this itself, calling it up front only moves the cost. */
  prepare(snapshot: Snapshot): void {
    this.latest = this.indexed(snapshot);
  }

  check(proposal: Proposal, snapshot: Snapshot, now: number): Verdict {
    return this.evaluate(proposal.action, snapshot, now, true);
  }

  /**
   * Check an action a human already approved, just before executing it: every bound again (the
   * world moved on since it was queued) but not the risk tier, which the approval settled.
   */
  recheckApproved(action: Action, snapshot: Snapshot, now: number): Verdict {
    return this.evaluate(action, snapshot, now, false);
  }

  /** Call after an action was executed: feeds the rate limit and the snapshot overlay. */
  recordExecuted(action: Action, now: number): void {
    const target = actionTarget(action);
    let times = this.history.get(target);
    if (!times) this.history.set(target, (times = []));
    times.push(now);
    if (times.length > 1 && times[times.length - 2] > now) times.sort((a, b) => a - b);
    if (times.length > this.policy.rateLimits.maxActionsPerWindow) times.shift();

    const p = this.latest;
    if (!p) return;
    switch (action.kind) {
      case 'scale':
        p.replicas.set(action.service, action.to);
        break;
      case 'add-nodes': {
        p.addedNodes += action.count;
        const price = this.priceOf(p, action.instanceType, action.spot);
        if (price !== undefined) p.addedCost += action.count * price;
        break;
      }
      case 'remove-node':
      case 'cordon-drain':
        // Only nodes of this snapshot count: minNodes subtracts takenOut from the snapshot's count.
        if (p.nodes.has(action.node)) p.takenOut.add(action.node);
        break;
      default:
        break;
    }
  }

  /** Executed actions on a resource within the rate-limit window ending at `now`. */
  recentActions(target: string, now: number): number {
    const times = this.history.get(target);
    if (!times) return 0;
    const since = now - this.policy.rateLimits.windowSeconds;
    // Drop what has left the window for good (times are sorted and `now` only moves forward in the loop).
    while (times.length > 0 && times[0] <= since) times.shift();
    if (times.length === 0) {
      this.history.delete(target);
      return 0;
    }
    let n = 0;
    for (const t of times) if (t > since) n++;
    return n;
  }

  serviceBounds(service: string): ServiceBounds {
    let b = this.bounds.get(service);
    if (!b) this.bounds.set(service, (b = resolveServiceBounds(this.policy, service)));
    return b;
  }

  private indexed(snapshot: Snapshot): Prepared {
    let p = this.prepared.get(snapshot);
    if (!p) {
      const prices = new Map<string, number>();
      const nodes = new Map<string, NodeTelemetry>();
      for (const n of snapshot.nodes) {
        nodes.set(n.name, n);
        prices.set(priceKey(n.instanceType, n.spot), n.pricePerHour);
      }
      p = {
        services: new Map(snapshot.services.map((s) => [s.name, s])),
        nodes,
        prices,
        nodeCount: snapshot.nodes.length,
        costPerHour: snapshot.costPerHour,
        replicas: new Map(),
        addedNodes: 0,
        addedCost: 0,
        takenOut: new Set(),
      };
      this.prepared.set(snapshot, p);
    }
    return p;
  }

  private priceOf(p: Prepared, instanceType: string, spot: boolean): number | undefined {
    const given = this.options.priceOf?.(instanceType, spot);
    const price = given ?? p.prices.get(priceKey(instanceType, spot));
    return price !== undefined && Number.isFinite(price) && price >= 0 ? price : undefined;
  }

  private evaluate(proposed: Action, snapshot: Snapshot, now: number, gateOnTier: boolean): Verdict {
    const p = this.indexed(snapshot);
    this.latest = p;
    const denies: string[] = [];
    const clamps: string[] = [];
    let action: Action = proposed;

    switch (proposed.kind) {
      case 'scale':
        action = this.checkScale(proposed, p, denies, clamps);
        break;
      case 'add-nodes':
        action = this.checkAddNodes(proposed, p, denies, clamps);
        break;
      case 'remove-node':
      case 'cordon-drain':
        this.checkNodeRemoval(proposed, p, denies);
        break;
      case 'restart-pod':
      case 'rollback':
      case 'rollout':
        if (!p.services.has(proposed.service)) denies.push(unknownService(proposed.service));
        break;
    }

    if (snapshot.degraded !== undefined && takesCapacity(proposed, p)) {
      denies.push(`Degraded telemetry: ${snapshot.degraded}. Capacity is not taken away on stale or partial data, so ${describeAction(proposed)} waits for fresh data.`);
    }

    const target = actionTarget(proposed);
    const recent = this.recentActions(target, now);
    const { maxActionsPerWindow, windowSeconds } = this.policy.rateLimits;
    if (recent >= maxActionsPerWindow) {
      denies.push(
        `Rate limit: ${target} already had ${recent} action${recent === 1 ? '' : 's'} executed in the last ${windowSeconds} s, ` +
          `and the policy allows at most ${maxActionsPerWindow} per window.`,
      );
    }

    if (denies.length > 0) return { outcome: 'deny', action: proposed, reasons: denies };
    if (gateOnTier && this.policy.riskTiers[proposed.kind] === 'high') {
      return {
        outcome: 'needs-approval',
        action,
        reasons: [...clamps, `Risk tier: "${proposed.kind}" is high-risk under this policy, so a human must approve ${describeAction(action)}.`],
      };
    }
    if (gateOnTier) {
      for (const r of this.options.riskRaisers ?? []) {
        const raised = r.raise(action, snapshot, now);
        if (raised?.tier === 'high') {
          return { outcome: 'needs-approval', action, reasons: [...clamps, `Risk tier raised to high: ${raised.reason} A human must approve ${describeAction(action)}.`] };
        }
      }
    }
    return { outcome: clamps.length > 0 ? 'clamp' : 'allow', action, reasons: clamps };
  }

  private checkScale(a: Extract<Action, { kind: 'scale' }>, p: Prepared, denies: string[], clamps: string[]): Action {
    const svc = p.services.get(a.service);
    if (!svc) {
      denies.push(unknownService(a.service));
      return a;
    }
    const current = p.replicas.get(a.service) ?? svc.replicas;
    const { minReplicas: min, maxReplicas: max } = this.serviceBounds(a.service);
    const { maxReplicaChangeShare: share, minAbsoluteChange } = this.policy.blastRadius;
    const clampsBefore = clamps.length;

    if (a.from !== current) {
      clamps.push(`The proposal assumed ${a.service} has ${a.from} replicas but it has ${current}; the change is applied from ${current}.`);
    }
    let to = Math.min(max, Math.max(min, a.to));
    if (to !== a.to) {
      clamps.push(`Replica bounds: ${a.service} may run ${min}–${max} replicas, so the target ${a.to} was clamped to ${to}.`);
    }
    const maxChange = maxReplicaStep(current, share, minAbsoluteChange);
    const stepped = Math.min(current + maxChange, Math.max(current - maxChange, to));
    if (stepped !== to) {
      clamps.push(
        `Blast radius: one action may change ${a.service} by at most ${maxChange} replicas ` +
          `(${Math.round(share * 100)}% of ${current}, but never less than ${minAbsoluteChange}), so the target became ${stepped}.`,
      );
      to = stepped;
    }

    const wanted = Math.sign(a.to - current);
    if (wanted === 0) {
      denies.push(`Nothing to do: ${a.service} already has ${current} replicas.`);
    } else if (to === current) {
      denies.push(
        `Replica bounds: ${a.service} has ${current} replicas and may run ${min}–${max}, so it cannot scale ${wanted > 0 ? 'up' : 'down'}.`,
      );
    } else if (Math.sign(to - current) !== wanted) {
      // Only reachable when the service is already outside its bounds: clamping would reverse the
      // planner's intent, which is not what "clamp" means, so refuse instead.
      denies.push(
        `Replica bounds: ${a.service} has ${current} replicas, outside its bounds of ${min}–${max}; ` +
          `scaling ${wanted > 0 ? 'up' : 'down'} would move it further out.`,
      );
    } else if (to < min || to > max) {
      clamps.push(`Replica bounds: ${a.service} is outside ${min}–${max}; it is moved back toward them one blast-radius step at a time.`);
    }
    // Bounds and blast radius can cancel out (clamped to the bound, then stepped back to exactly the
    // proposed target): the proposal is then legal as it stands, so it is allowed, not "clamped".
    if (to === a.to && current === a.from) {
      clamps.length = clampsBefore;
      return a;
    }
    return { ...a, from: current, to };
  }

  private checkAddNodes(a: Extract<Action, { kind: 'add-nodes' }>, p: Prepared, denies: string[], clamps: string[]): Action {
    const { maxNodes, maxCostPerHour, allowSpot } = this.policy.cluster;
    if (this.allowedTypes && !this.allowedTypes.has(a.instanceType)) {
      denies.push(`Instance types: ${a.instanceType} is not in the policy's allowed list (${[...this.allowedTypes].join(', ')}).`);
    }
    if (a.spot && !allowSpot) denies.push(`Spot: the policy does not allow spot instances (asked for ${a.instanceType} spot).`);

    let count = a.count;
    // Removed nodes are not subtracted: they may still be draining, and a cap is about the worst moment.
    const nodes = p.nodeCount + p.addedNodes;
    const room = maxNodes - nodes;
    if (room <= 0) {
      denies.push(`Max nodes: the cluster has ${nodes} nodes (counting ones still provisioning) and the limit is ${maxNodes}; no node can be added.`);
    } else if (count > room) {
      clamps.push(`Max nodes: the cluster has ${nodes} of at most ${maxNodes} nodes, so ${count} new nodes were clamped to ${room}.`);
      count = room;
    }

    if (maxCostPerHour !== undefined) {
      const price = this.priceOf(p, a.instanceType, a.spot);
      const spend = p.costPerHour + p.addedCost;
      const kind = `${a.instanceType}${a.spot ? ' (spot)' : ''}`;
      if (price === undefined) {
        denies.push(`Cost cap: no price is known for ${kind}, so the cap of ${money(maxCostPerHour)} cannot be checked.`);
      } else {
        // A free node still may not be added while the cluster is already over the cap.
        const fit = nodesThatFit(spend, price, maxCostPerHour, count);
        if (fit <= 0) {
          denies.push(`Cost cap: the cluster spends ${money(spend)}; one more ${kind} at ${money(price)} would exceed the cap of ${money(maxCostPerHour)}.`);
        } else if (fit < count) {
          clamps.push(
            `Cost cap: the cluster spends ${money(spend)} and the cap is ${money(maxCostPerHour)}; at ${money(price)} each, ` +
              `only ${fit} of ${count} new ${kind} nodes fit.`,
          );
          count = fit;
        }
      }
    }
    return count === a.count ? a : { ...a, count };
  }

  private checkNodeRemoval(a: Extract<Action, { kind: 'remove-node' | 'cordon-drain' }>, p: Prepared, denies: string[]): void {
    if (!p.nodes.has(a.node)) {
      denies.push(`Unknown node: ${a.node} is not in the current snapshot.`);
      return;
    }
    if (p.takenOut.has(a.node)) {
      // Draining then removing the same node takes capacity away only once.
      if (a.kind === 'cordon-drain') denies.push(`Nothing to do: ${a.node} was already removed or drained.`);
      return;
    }
    const { minNodes } = this.policy.cluster;
    const left = p.nodeCount - p.takenOut.size - 1;
    if (left < minNodes) {
      const verb = a.kind === 'remove-node' ? 'removing' : 'draining';
      denies.push(`Min nodes: ${verb} ${a.node} would leave ${left} node${left === 1 ? '' : 's'} in service, below the minimum of ${minNodes}.`);
    }
  }
}

/** Scale-down, node removal and drain: what must never run on degraded data (scale-up and healing may). */
function takesCapacity(a: Action, p: Prepared): boolean {
  switch (a.kind) {
    case 'scale':
      return a.to < (p.replicas.get(a.service) ?? p.services.get(a.service)?.replicas ?? a.from);
    case 'remove-node':
    case 'cordon-drain':
      return true;
    default:
      return false;
  }
}

/** Largest replica change allowed in one action from `current` replicas. */
export function maxReplicaStep(current: number, share: number, minAbsoluteChange: number): number {
  return Math.max(minAbsoluteChange, Math.floor(current * share));
}

/** Largest n with spend + n·price ≤ cap (rechecked in floating point so the bound holds exactly as computed). */
function nodesThatFit(spend: number, price: number, cap: number, wanted: number): number {
  // Capped at `wanted`: a near-zero price would otherwise give an astronomically large (or infinite) n.
  if (price <= 0) return spend <= cap ? wanted : 0;
  const room = Math.floor((cap - spend) / price);
  let n = Math.max(0, Number.isFinite(room) ? Math.min(wanted, room) : room > 0 ? wanted : 0);
  while (n > 0 && spend + n * price > cap) n--;
  return n;
}

function unknownService(name: string): string {
  return `Unknown service: ${name} is not in the current snapshot, so the action cannot be checked.`;
}
