import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { IntentsTable, KnowledgeDb } from './migrations.js';

/**
 * Intent bundles in the knowledge store (SQLite or PostgreSQL): the request, answers, spec, plan,
 * artefact files and open findings, with the decision (approve / reject) and where it was applied.
 * `intent list|show|approve|reject|apply` and "add one more worker to that cluster" (a bundle
 * that grows its parent) read them back from here.
 */

export const INTENT_STATUSES = ['needs-answers', 'ready', 'escalated', 'no-builder', 'approved', 'rejected', 'applied'] as const;
export type StoredIntentStatus = (typeof INTENT_STATUSES)[number];

const FileSchema = z.object({ path: z.string(), kind: z.string(), content: z.string() });
const FindingSchema = z.object({ ruleId: z.string(), severity: z.string(), object: z.string(), message: z.string() }).loose();

/** A validator finding as stored (the full Finding shape, with its optional fields, round-trips). */
export interface StoredFinding {
  ruleId: string;
  severity: string;
  object: string;
  message: string;
  path?: string;
  source?: string;
}

export interface StoredIntent {
  id: string;
  createdAt: number;
  updatedAt: number;
  text: string;
  target: string;
  status: StoredIntentStatus;
  answers: Record<string, string>;
  spec: unknown;
  plan: unknown;
  files: z.infer<typeof FileSchema>[];
  findings: StoredFinding[];
  parentId: string | null;
  approvalRequired: boolean;
  decidedBy: string | null;
  decidedAt: number | null;
  appliedTo: string | null;
}

export type NewIntent = Omit<StoredIntent, 'id' | 'createdAt' | 'updatedAt' | 'decidedBy' | 'decidedAt' | 'appliedTo'> & { id?: string; now: number };

function fromRow(r: Selectable<IntentsTable>): StoredIntent {
  const status = r.status as StoredIntentStatus;
  if (!INTENT_STATUSES.includes(status)) throw new Error(`intent ${r.id} has unknown status ${r.status}`);
  return {
    id: r.id,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    text: r.text,
    target: r.target,
    status,
    answers: z.record(z.string(), z.string()).parse(JSON.parse(r.answers)),
    spec: JSON.parse(r.spec) as unknown,
    plan: r.plan === null ? null : (JSON.parse(r.plan) as unknown),
    files: z.array(FileSchema).parse(JSON.parse(r.files)),
    findings: z.array(FindingSchema).parse(JSON.parse(r.findings)),
    parentId: r.parent_id,
    approvalRequired: Number(r.approval_required) === 1,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    appliedTo: r.applied_to,
  };
}

export class IntentStore {
  constructor(private readonly db: KnowledgeDb) {}

  async insert(n: NewIntent): Promise<StoredIntent> {
    const id = n.id ?? `int-${randomUUID().slice(0, 8)}`;
    await this.db
      .insertInto('intents')
      .values({
        id,
        created_at: n.now,
        updated_at: n.now,
        text: n.text,
        target: n.target,
        status: n.status,
        answers: JSON.stringify(n.answers),
        spec: JSON.stringify(n.spec),
        plan: n.plan === null || n.plan === undefined ? null : JSON.stringify(n.plan),
        files: JSON.stringify(n.files),
        findings: JSON.stringify(n.findings),
        parent_id: n.parentId,
        approval_required: n.approvalRequired ? 1 : 0,
        decided_by: null,
        decided_at: null,
        applied_to: null,
      })
      .execute();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<StoredIntent | undefined> {
    const r = await this.db.selectFrom('intents').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  /** The bundle with this id, or a clear error listing how to find one. */
  async require(id: string): Promise<StoredIntent> {
    const found = await this.get(id);
    if (!found) throw new UserError("not in the store; `autonomic intent list` shows the bundles there", `intent ${id}`);
    return found;
  }

  /** Newest first. */
  async list(opts: { limit?: number; status?: StoredIntentStatus } = {}): Promise<StoredIntent[]> {
    let q = this.db.selectFrom('intents').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (opts.status) q = q.where('status', '=', opts.status);
    const rows = await q.limit(opts.limit ?? 50).execute();
    return rows.map(fromRow);
  }

  /** The newest bundle for a target that produced artefacts: what "that cluster" refers to. */
  async latestBuilt(target: string): Promise<StoredIntent | undefined> {
    const rows = await this.db
      .selectFrom('intents')
      .selectAll()
      .where('target', '=', target)
      .where('status', 'in', ['ready', 'approved', 'applied'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * Move to approved/rejected/applied only from the states that allow it, atomically (a concurrent
   * second decision finds the status changed and fails), so a replayed approval does nothing.
   */
  async transition(id: string, from: readonly StoredIntentStatus[], to: StoredIntentStatus, fields: { by?: string; at: number; appliedTo?: string }): Promise<StoredIntent> {
    const res = await this.db
      .updateTable('intents')
      .set({
        status: to,
        updated_at: fields.at,
        ...(fields.by !== undefined ? { decided_by: fields.by, decided_at: fields.at } : {}),
        ...(fields.appliedTo !== undefined ? { applied_to: fields.appliedTo } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const now = await this.require(id);
      throw new UserError(`is ${now.status}; it can become ${to} only from ${from.join(' or ')}`, `intent ${id}`);
    }
    return (await this.get(id))!;
  }
}
