import type { Proposal } from '../../core/proposal.js';
import type { Snapshot } from '../../core/snapshot.js';
import type { DesiredState } from './applied-state.js';
import type { DriftPolicy } from './drift-policy.js';
import { matchesAny } from './resource-pattern.js';

/** One difference between what Autonomic last applied and what the live system shows. */
export interface DriftItem {
  /** `service/web`, `node/ip-10-0-1-7` (the same names as actionTarget). */
  resource: string;
  /** `replicas`: spec replicas; `present`: whether the resource exists; `pods`: pods on a node drained earlier. */
  field: 'replicas' | 'present' | 'pods';
  desired: number | boolean;
  live: number | boolean;
  /** When Autonomic set the desired value, and the journal entry that records it (null: set by this process this run, journaled after). */
  since: number;
  sourceSeq: number | null;
  /** Matches the policy's `drift.ignore`: reported, never reconciled. */
  ignored: boolean;
  /** One human sentence. */
  message: string;
}

export interface DriftReport {
  /** Time of the snapshot compared. */
  at: number;
  /** Resources with a desired value that were compared. */
  checked: number;
  /** Differences not reported because Autonomic set the value within the settle time (options.settleSeconds). */
  settling: number;
  /** Journal entries up to this seq were considered. */
  throughSeq: number;
  items: DriftItem[];
  /** Set when the snapshot was degraded: nothing was compared. */
  degraded?: string;
}

const stamp = (s: number): string => new Date(s * 1000).toISOString();
const seqText = (seq: number | null): string => (seq === null ? 'this run' : `journal seq ${seq}`);

export interface DriftOptions {
  /**
   * Values Autonomic set less than this many seconds before the snapshot are not compared yet: a live source
   * (kube-state-metrics through Prometheus) shows a change a scrape or two late. 0 for the twin, which shows it at once.
   */
  settleSeconds?: number;
  /**
   * Pods a drained node still runs by design (DaemonSets: log shippers, CNI). More than this on a node Autonomic
   * drained reads as an uncordon. 0 for the twin, which has no DaemonSets.
   */
  podsAfterDrain?: number;
}

/** Compare the desired state with a live snapshot. Pure: the same inputs give the same report. */
export function detectDrift(
  desired: DesiredState,
  snapshot: Snapshot,
  policy: Pick<DriftPolicy, 'ignore'> = { ignore: [] },
  options: DriftOptions = {},
): DriftReport {
  const settle = options.settleSeconds ?? 0;
  const podsAfterDrain = options.podsAfterDrain ?? 0;
  const items: DriftItem[] = [];
  let settling = 0;
  const checked = desired.services.size + desired.nodes.size;
  // Stale or partial data would show services as gone and counts as changed: no drift is read from it.
  if (snapshot.degraded !== undefined) return { at: snapshot.at, checked, settling, throughSeq: desired.throughSeq, items, degraded: snapshot.degraded };
  const services = new Map(snapshot.services.map((s) => [s.name, s]));
  const nodes = new Map(snapshot.nodes.map((n) => [n.name, n]));
  const add = (item: Omit<DriftItem, 'ignored'>): void => {
    if (snapshot.at - item.since < settle) settling++;
    else items.push({ ...item, ignored: matchesAny(item.resource, policy.ignore) });
  };

  for (const [name, want] of [...desired.services].sort(([a], [b]) => a.localeCompare(b))) {
    const resource = `service/${name}`;
    const live = services.get(name);
    const set = `Autonomic set ${want.replicas} replicas at ${stamp(want.since)} (${seqText(want.seq)})`;
    if (!live) {
      add({ resource, field: 'present', desired: true, live: false, since: want.since, sourceSeq: want.seq, message: `${name} is gone from the live system; ${set}.` });
    } else if (live.replicas !== want.replicas) {
      add({
        resource, field: 'replicas', desired: want.replicas, live: live.replicas, since: want.since, sourceSeq: want.seq,
        message: `${name} runs ${live.replicas} replicas but ${set}: changed outside Autonomic.`,
      });
    }
  }
  for (const [name, want] of [...desired.nodes].sort(([a], [b]) => a.localeCompare(b))) {
    const resource = `node/${name}`;
    const live = nodes.get(name);
    if (want.state === 'removed' && live) {
      add({
        resource, field: 'present', desired: false, live: true, since: want.since, sourceSeq: want.seq,
        message: `${name} exists again although Autonomic removed it at ${stamp(want.since)} (${seqText(want.seq)}).`,
      });
    } else if (want.state === 'cordoned' && live && live.pods > podsAfterDrain) {
      // The snapshot carries no cordon flag; pods on a node drained earlier are what an uncordon looks like.
      add({
        resource, field: 'pods', desired: podsAfterDrain, live: live.pods, since: want.since, sourceSeq: want.seq,
        message: `${name} runs ${live.pods} pods although Autonomic drained it at ${stamp(want.since)} (${seqText(want.seq)}): probably uncordoned.`,
      });
    }
  }
  return { at: snapshot.at, checked, settling, throughSeq: desired.throughSeq, items };
}

export interface DriftReconciliation {
  proposals: Proposal[];
  /** Drift left as it is, and why. */
  skipped: { item: DriftItem; reason: string }[];
}

export const DRIFT_SOURCE = 'lifecycle/drift';

/**
 * Proposals that put drifted resources back, only where the policy allows it (`drift.reconcile: auto`, not
 * ignored). Only replica counts are put back: a node that came back or runs pods again is capacity someone added,
 * and a vanished service cannot be scaled. The proposals still pass the guardrails before anything runs.
 */
export function reconcileDrift(report: DriftReport, policy: DriftPolicy): DriftReconciliation {
  const out: DriftReconciliation = { proposals: [], skipped: [] };
  for (const item of report.items) {
    if (item.ignored) out.skipped.push({ item, reason: `${item.resource} matches the policy's drift.ignore` });
    else if (policy.reconcile !== 'auto') out.skipped.push({ item, reason: 'the policy\'s drift.reconcile is report-only' });
    else if (item.field !== 'replicas' || typeof item.desired !== 'number' || typeof item.live !== 'number') {
      out.skipped.push({ item, reason: item.resource.startsWith('node/') ? 'node drift is reported, never reconciled automatically' : 'a missing service cannot be scaled back' });
    } else {
      const service = item.resource.slice('service/'.length);
      out.proposals.push({
        action: { kind: 'scale', service, from: item.live, to: item.desired },
        source: DRIFT_SOURCE,
        rationale: `${item.message} Reconciling back to ${item.desired} (drift.reconcile: auto).`,
        evidence: { desired: item.desired, live: item.live, since: item.since, sourceSeq: item.sourceSeq ?? 'this run' },
        expectedEffect: `${service} back at the ${item.desired} replicas Autonomic last applied`,
      });
    }
  }
  return out;
}
