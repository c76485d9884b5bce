import type { Selectable } from 'kysely';
import { ActionSchema } from '../core/action.js';
import type { Approval, ApprovalRepository } from '../govern/approval.js';
import type { ApprovalsTable, KnowledgeDb } from './migrations.js';

/**
 * Approvals persisted in the knowledge store, so a CLI or API process can decide what the loop
 * queued. Written with the query builder only, so it works unchanged on PostgreSQL.
 */

const STATUSES: readonly Approval['status'][] = ['pending', 'approved', 'rejected', 'expired', 'executed'];

function toRow(a: Approval): Selectable<ApprovalsTable> {
  return {
    id: a.id,
    created_at: a.createdAt,
    expires_at: a.expiresAt,
    action: JSON.stringify(a.action),
    source: a.source,
    rationale: a.rationale,
    reasons: JSON.stringify(a.reasons),
    status: a.status,
    decided_by: a.decidedBy ?? null,
    decided_at: a.decidedAt ?? null,
    note: a.note ?? null,
  };
}

function fromRow(r: Selectable<ApprovalsTable>): Approval {
  const status = r.status as Approval['status'];
  if (!STATUSES.includes(status)) throw new Error(`approval ${r.id} has unknown status ${r.status}`);
  // Validate on the way out: the row may predate a schema change or have been edited by hand.
  const action = ActionSchema.parse(JSON.parse(r.action));
  const reasons: unknown = JSON.parse(r.reasons);
  if (!Array.isArray(reasons) || !reasons.every((x) => typeof x === 'string')) {
    throw new Error(`approval ${r.id}: reasons is not a list of strings`);
  }
  const a: Approval = {
    id: r.id,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    action,
    source: r.source,
    rationale: r.rationale,
    reasons,
    status,
  };
  // Optional fields are omitted rather than set to undefined, so round-trips compare equal.
  if (r.decided_by !== null) a.decidedBy = r.decided_by;
  if (r.decided_at !== null) a.decidedAt = Number(r.decided_at);
  if (r.note !== null) a.note = r.note;
  return a;
}

export class SqliteApprovalRepository implements ApprovalRepository {
  constructor(private readonly db: KnowledgeDb) {}

  /** Rejects a duplicate id (primary key). */
  async insert(a: Approval): Promise<void> {
    ActionSchema.parse(a.action);
    await this.db.insertInto('approvals').values(toRow(a)).execute();
  }

  /** Replaces every field of an existing approval; throws if the id is unknown. */
  async update(a: Approval): Promise<void> {
    ActionSchema.parse(a.action);
    const { id, ...rest } = toRow(a);
    const r = await this.db.updateTable('approvals').set(rest).where('id', '=', id).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Error(`approval ${id} does not exist`);
  }

  async get(id: string): Promise<Approval | undefined> {
    const r = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  /** Oldest first. */
  async list(filter: { status?: Approval['status'] } = {}): Promise<Approval[]> {
    let q = this.db.selectFrom('approvals').selectAll();
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    return rows.map(fromRow);
  }
}
