import type { Transaction } from 'kysely';
import { actionTarget } from '../core/action.js';
import type { Approval } from '../govern/approval.js';
import type { Fence } from './leader-election.js';
import type { KnowledgeSchema, KnowledgeDb, SqlFlavor } from './migrations.js';
import { SqliteApprovalRepository } from './sqlite-approval-repository.js';
import { FencedError } from './tick-ledger.js';

/**
 * The approval queue of a replicated loop (`autonomic run --ha`), kept in the shared store so it outlives any one
 * leader: which approvals the loop queued (one waiting per resource, whoever leads), and which leader took each
 * approved one to execute. An approval is claimed at most once (the claim's primary key), only by the leader of
 * the current term (the same fencing token the tick ledger checks), and only while it is approved and was decided
 * before it expired. So a replayed approval, an expired one, or one a deposed leader reaches for does nothing.
 */

export type ClaimOutcome = 'executed' | 'not-executed';

export interface ClaimableApproval {
  approval: Approval;
  /** Queued by this loop (else proposed from outside, through the API or MCP, and taken over). */
  queuedByLoop: boolean;
}

export class LoopApprovalLedger {
  constructor(private readonly db: KnowledgeDb, private readonly flavor: SqlFlavor) {}

  /**
   * Queue `approval` for the loop, unless one for the same resource is still waiting (pending and unexpired, or
   * approved and unclaimed): then that one's id, and nothing is written. Refused (FencedError) if `fence` is over.
   */
  async enqueue(loopId: string, fence: Fence, approval: Approval, now: number): Promise<{ id: string; duplicate: boolean }> {
    const target = actionTarget(approval.action);
    return this.db.transaction().execute(async (trx) => {
      await this.checkFence(trx, fence, `queueing ${target}`);
      const waiting = await trx
        .selectFrom('loop_approvals')
        .innerJoin('approvals', 'approvals.id', 'loop_approvals.approval_id')
        .leftJoin('approval_claims', 'approval_claims.approval_id', 'loop_approvals.approval_id')
        .select(['approvals.id as id', 'approvals.status as status', 'approvals.expires_at as expires_at', 'approval_claims.approval_id as claimed'])
        .where('loop_approvals.loop_id', '=', loopId)
        .where('loop_approvals.target', '=', target)
        .where('approvals.status', 'in', ['pending', 'approved'])
        .execute();
      const open = waiting.find((w) => w.claimed === null && (w.status === 'approved' || Number(w.expires_at) > now));
      if (open) return { id: open.id, duplicate: true };
      await new SqliteApprovalRepository(trx).insert(approval);
      await trx.insertInto('loop_approvals').values({ approval_id: approval.id, loop_id: loopId, target, term: fence.term, queued_at: now }).execute();
      return { id: approval.id, duplicate: false };
    });
  }

  /**
   * Approved actions nobody has claimed: the loop's own, and those `external` accepts (proposals made through the
   * API or MCP). One decided after its expiry (a race with the expiry, or a hand-edited row) is left alone.
   */
  async claimable(loopId: string, external: (a: Approval) => boolean): Promise<ClaimableApproval[]> {
    const rows = await this.db
      .selectFrom('approvals')
      .leftJoin('approval_claims', 'approval_claims.approval_id', 'approvals.id')
      .leftJoin('loop_approvals', 'loop_approvals.approval_id', 'approvals.id')
      .select(['approvals.id as id', 'loop_approvals.loop_id as loop_id'])
      .where('approvals.status', '=', 'approved')
      .where('approval_claims.approval_id', 'is', null)
      .orderBy('approvals.created_at')
      .orderBy('approvals.id')
      .execute();
    const repo = new SqliteApprovalRepository(this.db);
    const out: ClaimableApproval[] = [];
    for (const r of rows) {
      if (r.loop_id !== null && r.loop_id !== loopId) continue; // another loop's
      const a = await repo.get(r.id);
      if (!a || a.status !== 'approved' || a.decidedAt === undefined || a.decidedAt > a.expiresAt) continue;
      const queuedByLoop = r.loop_id === loopId;
      if (queuedByLoop || external(a)) out.push({ approval: a, queuedByLoop });
    }
    return out;
  }

  /** Take an approved action to execute it: true exactly once per approval, and only for the current term's leader. */
  async claim(approvalId: string, loopId: string, fence: Fence, holder: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await this.checkFence(trx, fence, `claiming approval ${approvalId}`);
      let q = trx.selectFrom('approvals').select(['status', 'decided_at', 'expires_at']).where('id', '=', approvalId);
      if (this.flavor === 'postgres') q = q.forUpdate();
      const a = await q.executeTakeFirst();
      if (!a || a.status !== 'approved' || a.decided_at === null || Number(a.decided_at) > Number(a.expires_at)) return false;
      const r = await trx
        .insertInto('approval_claims')
        .values({ approval_id: approvalId, loop_id: loopId, term: fence.term, holder, claimed_at: now, outcome: null })
        .onConflict((oc) => oc.column('approval_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    });
  }

  /** Record what became of a claimed action; an executed one is marked so in the queue (and can never run again). */
  async settle(approvalId: string, outcome: ClaimOutcome): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('approval_claims').set({ outcome }).where('approval_id', '=', approvalId).execute();
      if (outcome === 'executed') await trx.updateTable('approvals').set({ status: 'executed' }).where('id', '=', approvalId).where('status', '=', 'approved').execute();
    });
  }

  /** Who claimed an approval, in which term, and what became of it. */
  async claimOf(approvalId: string): Promise<{ loopId: string; term: number; holder: string; claimedAt: number; outcome: string | null } | undefined> {
    const r = await this.db.selectFrom('approval_claims').selectAll().where('approval_id', '=', approvalId).executeTakeFirst();
    return r ? { loopId: r.loop_id, term: Number(r.term), holder: r.holder, claimedAt: Number(r.claimed_at), outcome: r.outcome } : undefined;
  }

  private async checkFence(trx: Transaction<KnowledgeSchema>, fence: Fence, what: string): Promise<void> {
    // FOR SHARE: a new leader's term bump waits for this write, as for a tick commit (knowledge/tick-ledger.ts).
    let q = trx.selectFrom('leader_terms').select('term').where('name', '=', fence.name);
    if (this.flavor === 'postgres') q = q.forShare();
    const row = await q.executeTakeFirst();
    if (!row || Number(row.term) !== fence.term) throw new FencedError(`${what} refused: term ${fence.term} is over (current ${row ? Number(row.term) : 'none'})`);
  }
}
