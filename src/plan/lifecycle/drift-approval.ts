import type { Proposal, Verdict } from '../../core/proposal.js';
import type { Snapshot } from '../../core/snapshot.js';
import type { ProposalGate, RetirementApprovalSink } from './retirement-approval.js';

export const DRIFT_APPROVAL_REASON =
  'Queued by `autonomic drift`, which never changes the live system itself: a human approves and the loop runs it after the guardrails recheck it.';

export interface QueuedReconciliation {
  proposal: Proposal;
  verdict: Verdict;
  /** Set when it was queued; absent when the guardrails denied it. */
  approvalId?: string;
}

/**
 * Reconciling proposals from a one-shot drift check, through the guardrails into the approval queue. A verdict the
 * guardrails would allow or clamp still waits for a human (the command has no execute provider, and an operator
 * looking at a drift report is the one to decide); a denial stays a denial and is not queued.
 */
export async function queueDriftReconciliation(
  proposals: readonly Proposal[],
  o: { gate: Pick<ProposalGate, 'check'>; sink: RetirementApprovalSink; snapshot: Snapshot; now: number },
): Promise<QueuedReconciliation[]> {
  const out: QueuedReconciliation[] = [];
  for (const proposal of proposals) {
    const checked = o.gate.check(proposal, o.snapshot, o.now);
    const verdict: Verdict = checked.outcome === 'allow' || checked.outcome === 'clamp'
      ? { outcome: 'needs-approval', action: checked.action, reasons: [...checked.reasons, DRIFT_APPROVAL_REASON] }
      : checked;
    const q: QueuedReconciliation = { proposal, verdict };
    if (verdict.outcome === 'needs-approval') q.approvalId = (await o.sink.enqueue(verdict, proposal, o.now)).id;
    out.push(q);
  }
  return out;
}
