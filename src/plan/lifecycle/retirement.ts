import { z } from 'zod';
import type { Action } from '../../core/action.js';
import { UserError } from '../../core/errors.js';
import type { Proposal } from '../../core/proposal.js';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../../core/snapshot.js';

/**
 * Retirement: resources that cost money and do nothing. A service that saw no requests for N days (or that nothing
 * routes to and has no traffic now), a node that ran no pods for N hours. Each candidate carries an impact analysis
 * for the human who must approve it: retirement proposals never run by themselves (retirement-approval.ts).
 */

export const RetirementOptionsSchema = z.strictObject({
  /** Days of zero traffic before a service is proposed for retirement. */
  idleServiceDays: z.number().positive().max(365).default(14),
  /** Hours without pods before a node is proposed for removal. */
  idleNodeHours: z.number().positive().max(24 * 365).default(24),
  /** A bucket mean at or below this (req/s) counts as no traffic. */
  idleRequestRate: z.number().nonnegative().default(0),
  /** Share of the window's 5-minute buckets that must hold data: missing history is not evidence of idleness. */
  minCoverage: z.number().min(0).max(1).default(0.9),
});
export type RetirementOptions = z.output<typeof RetirementOptionsSchema>;
export type RetirementOptionsInput = z.input<typeof RetirementOptionsSchema>;

/** One value per bucket (knowledge/telemetry.ts StoredSeries has this shape). */
export interface BucketSeries {
  values: ArrayLike<number>;
  /** Seconds of values[0]. */
  start: number;
  stepSeconds: number;
}

export interface RetirementInput {
  /** The inventory now. */
  snapshot: Snapshot;
  /** Stored request rate (req/s) per service. */
  requestRates: ReadonlyMap<string, BucketSeries>;
  /** Stored pod count per node (node-occupancy.ts records it). */
  nodePods: ReadonlyMap<string, BucketSeries>;
  /** Service → the services it calls. Whatever calls a candidate depends on it. */
  dependencies?: Readonly<Record<string, readonly string[]>>;
  /**
   * Service → what routes traffic to it (Kubernetes Services selecting its pods, Ingresses, gateways). An empty list
   * means nothing selects it (orphaned); a service not listed is unknown.
   */
  routes?: Readonly<Record<string, readonly string[]>>;
}

export interface TrafficSeen {
  windowSeconds: number;
  /** Share of the window's buckets that hold data. */
  coverage: number;
  /** Over the buckets that hold data; 0 when none do. */
  max: number;
  mean: number;
  /** req/s for a service, pods for a node. */
  unit: 'req/s' | 'pods';
}

export interface RetirementImpact {
  /** Services that call it. */
  dependents: string[];
  /** What routes to it (empty: nothing selects it, if routing is known at all). */
  routedBy: string[] | 'unknown';
  /** For a service: its request history; for a node: its pod history. */
  traffic: TrafficSeen;
  /** Replicas (service) or pods (node) running now. */
  running: number;
  /** What goes away: the reserved node capacity of the replicas, or the node's price; 730 h a month. */
  costSavedPerMonth: number;
  /** Human-readable consequences. */
  notes: string[];
}

export interface RetirementCandidate {
  resource: string;
  kind: 'service' | 'node';
  reason: string;
  action: Action;
  impact: RetirementImpact;
}

export const HOURS_PER_MONTH = 730;

/** Validated options; a bad value (a CLI flag, a config field) is a UserError naming the field. */
export function retirementOptions(input: RetirementOptionsInput = {}): RetirementOptions {
  const r = RetirementOptionsSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UserError(`${issue.path.join('.') || '(options)'}: ${issue.message}`, 'retirement options');
}

/** Idle services and empty nodes, most money saved first. Pure. */
export function findRetirementCandidates(input: RetirementInput, options: RetirementOptionsInput = {}): RetirementCandidate[] {
  const o = retirementOptions(options);
  const now = input.snapshot.at;
  const out: RetirementCandidate[] = [];
  const pricing = clusterPricing(input.snapshot.nodes);

  for (const svc of input.snapshot.services) {
    if (svc.replicas === 0) continue; // already scaled away: nothing left to save
    const windowSeconds = o.idleServiceDays * 86_400;
    const traffic = trafficIn(input.requestRates.get(svc.name), now, windowSeconds, 'req/s');
    const routedBy = input.routes && Object.hasOwn(input.routes, svc.name) ? [...input.routes[svc.name]] : 'unknown';
    const idle = traffic.coverage >= o.minCoverage && traffic.max <= o.idleRequestRate && svc.requestRate <= o.idleRequestRate;
    const orphaned = routedBy !== 'unknown' && routedBy.length === 0 && svc.requestRate <= o.idleRequestRate && traffic.max <= o.idleRequestRate;
    if (!idle && !orphaned) continue;
    const dependents = Object.entries(input.dependencies ?? {}).filter(([, calls]) => calls.includes(svc.name)).map(([name]) => name).sort();
    const notes: string[] = [];
    if (dependents.length > 0) notes.push(`${dependents.join(', ')} declare${dependents.length === 1 ? 's' : ''} a dependency on ${svc.name}: check they no longer call it`);
    if (routedBy !== 'unknown' && routedBy.length > 0) notes.push(`still routed to by ${routedBy.join(', ')}: remove the route too`);
    notes.push(`scales ${svc.name} to 0; its manifest stays, so scaling back up undoes it`);
    const days = (x: number): string => `${+(x / 86_400).toFixed(1)} days`;
    out.push({
      resource: `service/${svc.name}`,
      kind: 'service',
      reason: idle
        ? `${svc.name} served no requests in the last ${days(windowSeconds)} (${Math.round(traffic.coverage * 100)} % of the history present)`
        : `${svc.name} has no traffic and nothing routes to it (orphaned)`,
      action: { kind: 'scale', service: svc.name, from: svc.replicas, to: 0 },
      impact: {
        dependents, routedBy, traffic, running: svc.replicas,
        costSavedPerMonth: round2(svc.replicas * replicaCostPerHour(svc, pricing) * HOURS_PER_MONTH), notes,
      },
    });
  }

  for (const node of input.snapshot.nodes) {
    if (node.provisioning || node.pods > 0) continue;
    const windowSeconds = o.idleNodeHours * 3600;
    const traffic = trafficIn(input.nodePods.get(node.name), now, windowSeconds, 'pods');
    if (traffic.coverage < o.minCoverage || traffic.max > 0) continue;
    out.push({
      resource: `node/${node.name}`,
      kind: 'node',
      reason: `${node.name} ran no pods in the last ${+(windowSeconds / 3600).toFixed(1)} hours`,
      action: { kind: 'remove-node', node: node.name },
      impact: {
        dependents: [], routedBy: 'unknown', traffic, running: 0,
        costSavedPerMonth: round2(node.pricePerHour * HOURS_PER_MONTH),
        notes: [`removes ${node.name} (${node.instanceType}${node.spot ? ', spot' : ''}); the cluster autoscaler adds capacity back when pods need it`],
      },
    });
  }
  return out.sort((a, b) => b.impact.costSavedPerMonth - a.impact.costSavedPerMonth || a.resource.localeCompare(b.resource));
}

export const RETIREMENT_SOURCE = 'lifecycle/retirement';

/** The proposal for a candidate: source `lifecycle/retirement`, which the retirement gate always sends to a human. */
export function retirementProposal(c: RetirementCandidate): Proposal {
  const t = c.impact.traffic;
  return {
    action: c.action,
    source: RETIREMENT_SOURCE,
    rationale: `Retire ${c.resource}: ${c.reason}; saves about $${c.impact.costSavedPerMonth.toFixed(2)}/month.`,
    evidence: {
      requiresApproval: true,
      windowSeconds: t.windowSeconds,
      coverage: round2(t.coverage),
      maxSeen: t.max,
      meanSeen: t.mean,
      dependents: c.impact.dependents.join(',') || 'none',
      routedBy: c.impact.routedBy === 'unknown' ? 'unknown' : c.impact.routedBy.join(',') || 'none',
      costSavedPerMonth: c.impact.costSavedPerMonth,
    },
    expectedEffect: c.impact.notes.join('; '),
  };
}

/** The series' buckets that fall in [now − window, now): coverage, max and mean of what is there. */
function trafficIn(series: BucketSeries | undefined, now: number, windowSeconds: number, unit: TrafficSeen['unit']): TrafficSeen {
  const seen: TrafficSeen = { windowSeconds, coverage: 0, max: 0, mean: 0, unit };
  if (!series || !(series.stepSeconds > 0)) return seen;
  const from = now - windowSeconds;
  const expected = Math.max(1, Math.floor(windowSeconds / series.stepSeconds));
  let present = 0;
  let sum = 0;
  let max = 0;
  const first = Math.max(0, Math.ceil((from - series.start) / series.stepSeconds));
  for (let i = first; i < series.values.length; i++) {
    const t = series.start + i * series.stepSeconds;
    if (t >= now) break;
    const v = series.values[i];
    if (!Number.isFinite(v)) continue;
    present++;
    sum += v;
    if (v > max) max = v;
  }
  seen.coverage = Math.min(1, present / expected);
  seen.max = max;
  seen.mean = present > 0 ? sum / present : 0;
  return seen;
}

interface Pricing {
  perCpuMilli: number;
  perMemMiB: number;
}

/** The cluster's mean price of a millicore and of a MiB of allocatable capacity (ready nodes). */
function clusterPricing(nodes: readonly NodeTelemetry[]): Pricing {
  let price = 0;
  let cpu = 0;
  let mem = 0;
  for (const n of nodes) {
    if (!n.ready) continue;
    price += n.pricePerHour;
    cpu += n.cpuAllocatableMillis;
    mem += n.memoryAllocatableMiB;
  }
  return { perCpuMilli: cpu > 0 ? price / cpu : 0, perMemMiB: mem > 0 ? price / mem : 0 };
}

/** A replica pays for the larger of its CPU and memory reservation: that is what stops other pods using the node. */
function replicaCostPerHour(svc: ServiceTelemetry, p: Pricing): number {
  return Math.max(svc.cpuRequestMillis * p.perCpuMilli, svc.memoryRequestMiB * p.perMemMiB);
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
