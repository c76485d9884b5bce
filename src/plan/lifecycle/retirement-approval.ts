import type { Action } from '../../core/action.js';
import type { Proposal, Verdict } from '../../core/proposal.js';
import type { Snapshot } from '../../core/snapshot.js';
import { RETIREMENT_SOURCE, retirementProposal, type RetirementCandidate } from './retirement.js';

/** The guardrails as the loop uses them (the same shape as loop/controller.ts GuardrailGate). */
export interface ProposalGate {
  check(proposal: Proposal, snapshot: Snapshot, now: number): Verdict;
  recheckApproved(action: Action, snapshot: Snapshot, now: number): Verdict;
  recordExecuted(action: Action, now: number): void;
}

export const RETIREMENT_APPROVAL_REASON =
  'Retirement always waits for a human, whatever the risk tier or loop mode: removing something idle is only safe when someone confirms it is unused.';

/**
 * Retirement is the one decision the policy's risk tiers cannot make low-risk: a retirement proposal that the
 * guardrails would allow (or clamp) needs approval instead. A denial stays a denial.
 */
export function requireRetirementApproval(verdict: Verdict, proposal: Proposal): Verdict {
  if (proposal.source !== RETIREMENT_SOURCE || verdict.outcome === 'deny' || verdict.outcome === 'needs-approval') return verdict;
  return { outcome: 'needs-approval', action: verdict.action, reasons: [...verdict.reasons, RETIREMENT_APPROVAL_REASON] };
}

/** Wrap the loop's guardrails so retirement proposals from any planner are queued, never executed directly. */
export function withRetirementApproval(inner: ProposalGate): ProposalGate {
  return {
    check: (proposal, snapshot, now) => requireRetirementApproval(inner.check(proposal, snapshot, now), proposal),
    recheckApproved: (action, snapshot, now) => inner.recheckApproved(action, snapshot, now),
    recordExecuted: (action, now) => inner.recordExecuted(action, now),
  };
}

/** Where queued retirements wait (govern/approvals.ts ApprovalQueue and loop/approval-flow.ts ApprovalFlow fit). */
export interface RetirementApprovalSink {
  enqueue(verdict: Verdict, proposal: Proposal, now: number): Promise<{ id: string }>;
}

export interface QueuedRetirement {
  candidate: RetirementCandidate;
  proposal: Proposal;
  verdict: Verdict;
  /** Set when it was queued; absent when the guardrails denied it. */
  approvalId?: string;
}

/**
 * Check each candidate against the guardrails and queue it for a human: the only way a retirement leaves this module.
 * Denied ones are returned with their reasons and not queued.
 */
export async function queueRetirements(
  candidates: readonly RetirementCandidate[],
  o: { gate: Pick<ProposalGate, 'check'>; sink: RetirementApprovalSink; snapshot: Snapshot; now: number },
): Promise<QueuedRetirement[]> {
  const out: QueuedRetirement[] = [];
  for (const candidate of candidates) {
    const proposal = retirementProposal(candidate);
    const verdict = requireRetirementApproval(o.gate.check(proposal, o.snapshot, o.now), proposal);
    const q: QueuedRetirement = { candidate, proposal, verdict };
    if (verdict.outcome === 'needs-approval') q.approvalId = (await o.sink.enqueue(verdict, proposal, o.now)).id;
    out.push(q);
  }
  return out;
}
