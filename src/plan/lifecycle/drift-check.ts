import type { Snapshot } from '../../core/snapshot.js';
import { readDesiredState, type DecisionReader, type DecisionScope } from './decision-history.js';
import { detectDrift, reconcileDrift, type DriftOptions, type DriftReconciliation, type DriftReport } from './drift.js';
import type { DriftPolicy } from './drift-policy.js';

export interface DriftCheck {
  report: DriftReport;
  reconciliation: DriftReconciliation;
}

/** One drift check (`autonomic drift`): desired state from the journal, compared with the snapshot, reconciled per policy. */
export async function checkDrift(o: {
  journal: DecisionReader;
  snapshot: Snapshot;
  policy: DriftPolicy;
  /** Whose decisions count (a simulation's acted on a simulated twin): one run id, or a predicate over run ids. */
  scope?: string | DecisionScope;
} & DriftOptions): Promise<DriftCheck> {
  const desired = await readDesiredState(o.journal, o.scope);
  const report = detectDrift(desired, o.snapshot, o.policy, { settleSeconds: o.settleSeconds, podsAfterDrain: o.podsAfterDrain });
  return { report, reconciliation: reconcileDrift(report, o.policy) };
}

/** The check for a terminal: each drift, then what would be done about it. */
export function formatDriftCheck(c: DriftCheck): string {
  const { report, reconciliation } = c;
  const lines: string[] = [];
  if (report.degraded !== undefined) {
    lines.push(`Drift not checked: the telemetry is degraded (${report.degraded}).`);
  } else if (report.items.length === 0) {
    lines.push(`No drift: ${report.checked} resource(s) match what Autonomic last applied (journal up to seq ${report.throughSeq}).`);
  } else {
    lines.push(`${report.items.length} drifted of ${report.checked} resource(s) Autonomic has applied (journal up to seq ${report.throughSeq}):`);
    for (const i of report.items) lines.push(`  ${i.resource} ${i.field}: desired ${String(i.desired)}, live ${String(i.live)} (seq ${i.sourceSeq})${i.ignored ? ' [ignored by policy]' : ''} — ${i.message}`);
  }
  if (report.settling > 0) lines.push(`${report.settling} recent change(s) not compared yet (still settling).`);
  for (const p of reconciliation.proposals) lines.push(`reconcile: ${p.rationale}`);
  for (const s of reconciliation.skipped) lines.push(`left as is: ${s.item.resource} (${s.reason})`);
  return lines.join('\n');
}
