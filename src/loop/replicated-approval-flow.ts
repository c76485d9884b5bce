import { randomUUID } from 'node:crypto';
import type { Proposal, Verdict } from '../core/proposal.js';
import type { Approval } from '../govern/approval.js';
import type { Fence } from '../knowledge/leader-election.js';
import type { ClaimOutcome, LoopApprovalLedger } from '../knowledge/loop-approvals.js';
import type { ApprovalSink, ApprovedAction } from './controller.js';

export interface ReplicatedApprovalFlowOptions {
  ledger: Pick<LoopApprovalLedger, 'enqueue' | 'claimable' | 'claim' | 'settle'>;
  /** The replicated loop's name (knowledge/loop-approvals.ts keys its queue by it). */
  loopId: string;
  expirySeconds: number;
  /** Approved proposals made outside the loop (API, MCP) that the leader takes over and runs. */
  adoptExternal: (a: Approval) => boolean;
  wallClock?: () => number;
}

/**
 * The approval queue as the leader of `autonomic run --ha` sees it. Unlike ApprovalFlow it keeps nothing in
 * memory: what waits, and what was already taken, is read from the shared store every tick, so a new leader after
 * a failover picks up exactly where the old one stopped. Every write carries the leader's fencing token.
 */
export class ReplicatedApprovalFlow implements ApprovalSink {
  private fence: Fence | undefined;
  private holder = '';
  private readonly wall: () => number;

  constructor(private readonly o: ReplicatedApprovalFlowOptions) {
    if (!(o.expirySeconds > 0)) throw new Error(`expirySeconds must be positive, got ${o.expirySeconds}`);
    this.wall = o.wallClock ?? (() => Date.now() / 1000);
  }

  /** This replica (`holder`, as the election names it) now leads in `fence.term`: called on each gain of leadership. */
  lead(fence: Fence, holder: string): void {
    this.fence = fence;
    this.holder = holder;
  }

  async enqueue(verdict: Verdict, proposal: Proposal, _now: number): Promise<{ id: string; duplicate: boolean }> {
    // As ApprovalQueue.enqueue: only what the guardrails sent to a human is queued.
    if (verdict.outcome !== 'needs-approval') throw new Error(`only needs-approval verdicts are queued, got ${verdict.outcome}`);
    const now = this.wall();
    const a: Approval = {
      id: randomUUID(), createdAt: now, expiresAt: now + this.o.expirySeconds, action: verdict.action,
      source: proposal.source, rationale: proposal.rationale, reasons: [...verdict.reasons], status: 'pending',
    };
    return this.o.ledger.enqueue(this.o.loopId, this.mustLead(), a, now);
  }

  /** Approved actions this leader has just claimed: each runs once, whichever replica leads when it is approved. */
  async approved(_now: number): Promise<ApprovedAction[]> {
    const fence = this.mustLead();
    const out: ApprovedAction[] = [];
    for (const { approval } of await this.o.ledger.claimable(this.o.loopId, this.o.adoptExternal)) {
      if (await this.o.ledger.claim(approval.id, this.o.loopId, fence, this.holder, this.wall())) {
        out.push({ id: approval.id, action: approval.action, decidedBy: approval.decidedBy ?? 'unknown' });
      }
    }
    return out;
  }

  async settle(id: string, executed: boolean): Promise<void> {
    const outcome: ClaimOutcome = executed ? 'executed' : 'not-executed';
    await this.o.ledger.settle(id, outcome);
  }

  private mustLead(): Fence {
    if (!this.fence) throw new Error(`this replica does not lead ${this.o.loopId}: it must not touch the approval queue`);
    return this.fence;
  }
}
