import type { Approval, ApprovalRepository } from './approval.js';

/**
 * Approvals in a Map, for tests and simulations. Stores and returns copies, so a caller mutating
 * an Approval it was handed cannot change the stored one behind the queue's back (as with a database).
 */
export class MemoryApprovalRepository implements ApprovalRepository {
  private readonly rows = new Map<string, Approval>();

  async insert(a: Approval): Promise<void> {
    if (this.rows.has(a.id)) throw new Error(`approval ${a.id} already exists`);
    this.rows.set(a.id, structuredClone(a));
  }

  async update(a: Approval): Promise<void> {
    if (!this.rows.has(a.id)) throw new Error(`approval ${a.id} does not exist`);
    this.rows.set(a.id, structuredClone(a));
  }

  async get(id: string): Promise<Approval | undefined> {
    const a = this.rows.get(id);
    return a ? structuredClone(a) : undefined;
  }

  /** Oldest first, ties by id: the same order as the SQL repository's ORDER BY created_at, id. */
  async list(filter?: { status?: Approval['status'] }): Promise<Approval[]> {
    const out: Approval[] = [];
    for (const a of this.rows.values()) if (!filter?.status || a.status === filter.status) out.push(structuredClone(a));
    return out.sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }
}
