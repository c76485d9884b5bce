import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { NodeTelemetry, Snapshot } from '../../core/snapshot.js';
import type { PlanContext, ScalingPolicy } from './policy.js';
import { CATALOGUE } from '../../execute/twin/catalogue.js';

/**
 * A cluster-autoscaler-like node baseline (kubernetes/autoscaler cluster-autoscaler, defaults of its FAQ):
 * scale up by a first-fit-decreasing bin-packing estimate of the pending pods (BinpackingNodeEstimator),
 * after letting nodes that are still provisioning absorb what they can (CA's "upcoming nodes"); scale down a
 * node that has been unneeded — utilisation below the threshold and pods movable elsewhere — for
 * scale-down-unneeded-time, one node per tick, never within scale-down-delay-after-add of a scale-up.
 */
export const ClusterAutoscalerConfigSchema = z
  .object({
    /** The node type added on scale-up, with its allocatable capacity (from the catalogue). */
    node: z.object({
      instanceType: z.string().min(1),
      cpuAllocatableMillis: z.number().positive(),
      memoryAllocatableMiB: z.number().positive(),
      /** Pod limit of a new node; default: the catalogue's for `instanceType`, else none. */
      maxPods: z.number().int().positive().optional(),
      spot: z.boolean().default(false),
    }),
    /** Bounds on the total node count (ready + provisioning), like a node group's min/max size. */
    minNodes: z.number().int().nonnegative().default(1),
    maxNodes: z.number().int().positive().default(100),
    /** --scale-down-utilization-threshold */
    scaleDownUtilizationThreshold: z.number().min(0).max(1).default(0.5),
    /** --scale-down-unneeded-time (10 min) */
    scaleDownUnneededTimeSeconds: z.number().nonnegative().default(600),
    /** --scale-down-delay-after-add (10 min) */
    scaleDownDelayAfterAddSeconds: z.number().nonnegative().default(600),
    /** --scale-down-enabled */
    scaleDownEnabled: z.boolean().default(true),
  })
  .refine((c) => c.minNodes <= c.maxNodes, { message: 'minNodes must not exceed maxNodes' });
export type ClusterAutoscalerConfig = z.output<typeof ClusterAutoscalerConfigSchema>;
export type ClusterAutoscalerConfigInput = z.input<typeof ClusterAutoscalerConfigSchema>;

export interface PodShape {
  cpuMillis: number;
  memoryMiB: number;
}

export interface Capacity {
  cpuMillis: number;
  memoryMiB: number;
  /** Pod slots left under the node's pod limit; undefined: no known limit. Small pods hit it before CPU or memory. */
  pods?: number;
}

const fits = (b: Capacity, p: PodShape): boolean => b.cpuMillis >= p.cpuMillis && b.memoryMiB >= p.memoryMiB && (b.pods === undefined || b.pods >= 1);

function take(b: Capacity, p: PodShape): void {
  b.cpuMillis -= p.cpuMillis;
  b.memoryMiB -= p.memoryMiB;
  if (b.pods !== undefined) b.pods -= 1;
}

/** A node's whole allocatable (cpu, memory and pod slots), as if it were empty. */
export function allocatableCapacity(n: NodeTelemetry): Capacity {
  return { cpuMillis: n.cpuAllocatableMillis, memoryMiB: n.memoryAllocatableMiB, ...(n.podsAllocatable !== undefined ? { pods: n.podsAllocatable } : {}) };
}

/** Room left on a node (cpu, memory and pod slots) by its requests. */
export function freeCapacity(n: NodeTelemetry): Capacity {
  return {
    cpuMillis: Math.max(0, n.cpuAllocatableMillis - n.cpuRequestedMillis),
    memoryMiB: Math.max(0, n.memoryAllocatableMiB - n.memoryRequestedMiB),
    ...(n.podsAllocatable !== undefined ? { pods: Math.max(0, n.podsAllocatable - n.pods) } : {}),
  };
}

export interface PackResult {
  /** New nodes needed for the pods the existing bins could not take. */
  newNodes: number;
  /** Pods placed in the given (existing) bins. */
  placedInExisting: number;
  /** Pods larger than an empty new node: no scale-up can help them. */
  unfittable: number;
}

/**
 * First-fit decreasing: pods sorted by their share of a node (cpu + memory fractions, largest first, as
 * CA's binpacking estimator scores them), each into the first bin with room — existing bins first (free
 * capacity of provisioning nodes), then new empty nodes opened as needed.
 */
export function firstFitDecreasing(pods: readonly PodShape[], existing: readonly Capacity[], node: Capacity): PackResult {
  const score = (p: PodShape): number => p.cpuMillis / node.cpuMillis + p.memoryMiB / node.memoryMiB;
  const sorted = [...pods].sort((a, b) => score(b) - score(a));
  const bins: Capacity[] = existing.map((b) => ({ ...b }));
  const existingCount = bins.length;
  let placedInExisting = 0;
  let unfittable = 0;
  for (const p of sorted) {
    let i = bins.findIndex((b) => fits(b, p));
    if (i < 0) {
      if (!fits(node, p)) {
        unfittable++;
        continue;
      }
      bins.push({ ...node });
      i = bins.length - 1;
    }
    take(bins[i], p);
    if (i < existingCount) placedInExisting++;
  }
  return { newNodes: bins.length - existingCount, placedInExisting, unfittable };
}

/** Requested / allocatable, the larger of cpu and memory (CA's node utilisation). */
export function nodeUtilization(n: NodeTelemetry): { cpu: number; memory: number; max: number } {
  const cpu = n.cpuAllocatableMillis > 0 ? n.cpuRequestedMillis / n.cpuAllocatableMillis : 1;
  const memory = n.memoryAllocatableMiB > 0 ? n.memoryRequestedMiB / n.memoryAllocatableMiB : 1;
  return { cpu, memory, max: Math.max(cpu, memory) };
}

/**
 * Would this node's pods fit on the free capacity of the other `nodes` (the candidate itself is skipped)? The snapshot gives a node's pod count
 * and request totals, not each pod, so its pods are taken as equal shares of its requests.
 */
export function podsFitElsewhere(candidate: NodeTelemetry, nodes: readonly NodeTelemetry[]): boolean {
  if (candidate.pods === 0) return true;
  const pod = { cpuMillis: candidate.cpuRequestedMillis / candidate.pods, memoryMiB: candidate.memoryRequestedMiB / candidate.pods };
  const bins = nodes.filter((o) => o.name !== candidate.name).map(freeCapacity);
  for (let k = 0; k < candidate.pods; k++) {
    const b = bins.find((x) => fits(x, pod));
    if (!b) return false;
    take(b, pod);
  }
  return true;
}

/** The pod limit of a node type: as configured, else the catalogue's. */
function podSlots(node: { instanceType: string; maxPods?: number }): { pods?: number } {
  const pods = node.maxPods ?? CATALOGUE.get(node.instanceType)?.maxPods;
  return pods !== undefined ? { pods } : {};
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const minutes = (s: number): string => `${Number((s / 60).toFixed(1))} min`;

export class ClusterAutoscalerPolicy implements ScalingPolicy {
  readonly name = 'cluster-autoscaler';
  readonly config: ClusterAutoscalerConfig;
  /** Node name → when it was first seen unneeded (continuously since). */
  private readonly unneededSince = new Map<string, number>();
  private lastScaleUpAt = Number.NEGATIVE_INFINITY;

  constructor(config: ClusterAutoscalerConfigInput) {
    this.config = ClusterAutoscalerConfigSchema.parse(config);
  }

  /** Seconds a node has been continuously unneeded, or undefined if it is not. */
  unneededFor(node: string, now: number): number | undefined {
    const since = this.unneededSince.get(node);
    return since === undefined ? undefined : now - since;
  }

  decide(ctx: PlanContext): Proposal[] {
    const up = this.scaleUp(ctx.snapshot);
    if (up) this.lastScaleUpAt = ctx.now;
    // Unneeded times are tracked every tick, in cooldown too, as CA does, so removals can follow it at once.
    const down = this.scaleDown(ctx.snapshot, ctx.now, up !== undefined);
    return [up, down].filter((p): p is Proposal => p !== undefined);
  }

  private scaleUp(snap: Snapshot): Proposal | undefined {
    const pods: PodShape[] = [];
    const pendingByService: string[] = [];
    for (const s of snap.services) {
      if (s.pendingReplicas <= 0) continue;
      pendingByService.push(`${s.name} ${s.pendingReplicas}×${s.cpuRequestMillis}m/${s.memoryRequestMiB}Mi`);
      for (let k = 0; k < s.pendingReplicas; k++) pods.push({ cpuMillis: s.cpuRequestMillis, memoryMiB: s.memoryRequestMiB });
    }
    if (pods.length === 0) return undefined;
    const { node, maxNodes } = this.config;
    const provisioning = snap.nodes.filter((n) => n.provisioning);
    const nodeCap: Capacity = { cpuMillis: node.cpuAllocatableMillis, memoryMiB: node.memoryAllocatableMiB, ...podSlots(node) };
    // A source may not know a provisioning node's allocatable yet; for our own type the catalogue does.
    const upcoming = provisioning.map((n) =>
      n.cpuAllocatableMillis === 0 && n.memoryAllocatableMiB === 0 && n.instanceType === node.instanceType ? { ...nodeCap } : freeCapacity(n),
    );
    const pack = firstFitDecreasing(pods, upcoming, nodeCap);
    const headroom = Math.max(0, maxNodes - snap.nodes.length);
    const count = Math.min(pack.newNodes, headroom);
    if (count <= 0) return undefined;
    const capped = count < pack.newNodes;
    const absorbed = pack.placedInExisting > 0 ? `, after ${provisioning.length} provisioning node${provisioning.length === 1 ? '' : 's'} absorb ${pack.placedInExisting},` : '';
    return {
      action: { kind: 'add-nodes', instanceType: node.instanceType, count, spot: node.spot },
      source: this.name,
      rationale:
        `Cluster autoscaler: ${pods.length} pending pod${pods.length === 1 ? '' : 's'} (${pendingByService.join(', ')})${absorbed} need ${pack.newNodes} more ${node.instanceType} node${pack.newNodes === 1 ? '' : 's'} by first-fit` +
        (capped ? `, capped at ${count} by maxNodes ${maxNodes}.` : '.'),
      evidence: {
        pendingPods: pods.length,
        provisioningNodes: provisioning.length,
        absorbedByProvisioning: pack.placedInExisting,
        unfittablePods: pack.unfittable,
        estimatedNodes: pack.newNodes,
        count,
        cappedByMaxNodes: capped,
        nodes: snap.nodes.length,
        maxNodes,
      },
      expectedEffect: `${count} ${node.instanceType} node${count === 1 ? '' : 's'} join and the pending pods schedule`,
    };
  }

  private scaleDown(snap: Snapshot, now: number, scaledUpThisTick: boolean): Proposal | undefined {
    const c = this.config;
    const ready = snap.nodes.filter((n) => n.ready && !n.provisioning);
    const seen = new Set<string>();
    for (const n of ready) {
      // The fit check only for underutilised nodes: it is the expensive part.
      const unneeded = nodeUtilization(n).max < c.scaleDownUtilizationThreshold && podsFitElsewhere(n, ready);
      if (unneeded) {
        seen.add(n.name);
        if (!this.unneededSince.has(n.name)) this.unneededSince.set(n.name, now);
      }
    }
    // A node that stops being unneeded (or disappears) starts over.
    for (const name of [...this.unneededSince.keys()]) if (!seen.has(name)) this.unneededSince.delete(name);

    if (!c.scaleDownEnabled || scaledUpThisTick) return undefined;
    if (now - this.lastScaleUpAt < c.scaleDownDelayAfterAddSeconds) return undefined;
    if (snap.nodes.length <= c.minNodes) return undefined;

    const eligible = ready
      .filter((n) => {
        const since = this.unneededSince.get(n.name);
        return since !== undefined && now - since >= c.scaleDownUnneededTimeSeconds;
      })
      .map((n) => ({ n, util: nodeUtilization(n), since: this.unneededSince.get(n.name) ?? now }))
      // Emptiest first, then the one unneeded longest, then by name so the choice is deterministic.
      .sort((a, b) => a.util.max - b.util.max || a.since - b.since || a.n.name.localeCompare(b.n.name));
    const pick = eligible[0];
    if (!pick) return undefined;
    const { n, util } = pick;
    const unneededFor = now - pick.since;
    return {
      action: { kind: 'remove-node', node: n.name },
      source: this.name,
      rationale:
        `Cluster autoscaler: node ${n.name} has had ${pct(util.max)} of its allocatable requested (cpu ${pct(util.cpu)}, memory ${pct(util.memory)}) ` +
        `for ${minutes(unneededFor)}, below the ${pct(c.scaleDownUtilizationThreshold)} threshold, and its ${n.pods} pod${n.pods === 1 ? '' : 's'} fit on the other nodes, so remove it.`,
      evidence: {
        utilization: util.max,
        cpuUtilization: util.cpu,
        memoryUtilization: util.memory,
        threshold: c.scaleDownUtilizationThreshold,
        unneededSeconds: unneededFor,
        unneededTimeSeconds: c.scaleDownUnneededTimeSeconds,
        pods: n.pods,
        nodes: snap.nodes.length,
        minNodes: c.minNodes,
        candidates: eligible.length,
      },
      expectedEffect: `${n.name} is drained and removed; its pods reschedule on the remaining nodes`,
    };
  }
}
