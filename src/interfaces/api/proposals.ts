import { z } from 'zod';
import { ActionSchema, describeAction } from '../../core/action.js';
import type { Proposal, Verdict } from '../../core/proposal.js';
import type { Approval } from '../../govern/approval.js';
import { ApprovalQueue } from '../../govern/approvals.js';
import { Guardrails } from '../../govern/guardrails.js';
import type { CoreContext } from './context.js';

/**
 * A proposal from outside the loop (API or MCP): it is checked by the guardrails and, unless denied, queued as a
 * pending approval. Never executed here: a person approves it, and the guardrails check it again before it runs.
 */

const text = (max: number) => z.string().trim().min(1).max(max);

export const ProposalInputSchema = z.strictObject({
  action: ActionSchema,
  rationale: text(2000).describe('why, in one or two sentences; stored and shown as plain text'),
  expectedEffect: text(2000).optional(),
});
export type ProposalInput = z.infer<typeof ProposalInputSchema>;

export type ProposalResult =
  | { status: 'queued'; verdict: Verdict; approval: Approval }
  | { status: 'denied'; verdict: Verdict };

export async function proposeAction(ctx: CoreContext, input: ProposalInput, who: string, via: 'api' | 'mcp'): Promise<ProposalResult> {
  const policy = ctx.policy.get();
  const now = ctx.now();
  const proposal: Proposal = {
    action: input.action,
    source: `${via}:${who}`,
    rationale: input.rationale,
    evidence: { proposedVia: via },
    expectedEffect: input.expectedEffect ?? describeAction(input.action),
  };
  const snapshot = await ctx.snapshot?.();
  const checked: Verdict = snapshot
    ? new Guardrails(policy).check(proposal, snapshot, now)
    : {
        outcome: 'needs-approval',
        action: input.action,
        reasons: ['No live snapshot in this process: replica and node bounds, blast radius, cost cap and rate limits are checked against the live cluster before the loop executes it.'],
      };
  const base = { at: now, runId: null, actor: who, payload: { via, proposed: input.action, rationale: input.rationale } };
  if (checked.outcome === 'deny') {
    await ctx.store.journal.append({
      ...base, kind: 'proposal',
      summary: `${who} proposed "${describeAction(input.action)}" via ${via}; the guardrails denied it.`,
      payload: { ...base.payload, verdict: 'deny', reasons: checked.reasons },
    });
    return { status: 'denied', verdict: checked };
  }
  // Whatever the risk tier says, an action from outside the loop waits for a human.
  const verdict: Verdict = {
    outcome: 'needs-approval',
    action: checked.action,
    reasons: [...checked.reasons, `Proposed from outside the loop by ${who} via ${via}, so a human must approve it.`],
  };
  const queue = new ApprovalQueue(ctx.store.approvals, { expirySeconds: policy.approvals.expirySeconds });
  const approval = await queue.enqueue(verdict, proposal, now);
  await ctx.store.journal.append({
    ...base, kind: 'proposal',
    summary: `${who} proposed "${describeAction(verdict.action)}" via ${via}; queued for approval.`,
    payload: { ...base.payload, verdict: checked.outcome, action: verdict.action, reasons: verdict.reasons, approvalId: approval.id },
  });
  return { status: 'queued', verdict, approval };
}
