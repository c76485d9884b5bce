import type { Action } from '../core/action.js';

/** An action that the guardrails sent to a human. Lives in the store so the CLI and API can act on it. */
export interface Approval {
  id: string;
  /** When it was queued and when it stops being approvable (seconds since the epoch). */
  createdAt: number;
  expiresAt: number;
  action: Action;
  source: string;
  rationale: string;
  reasons: string[];
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'executed';
  decidedBy?: string;
  decidedAt?: number;
  note?: string;
}

/** Persistence for approvals: in memory for tests and simulations, SQLite/PostgreSQL in knowledge/. */
export interface ApprovalRepository {
  insert(a: Approval): Promise<void>;
  update(a: Approval): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  list(filter?: { status?: Approval['status'] }): Promise<Approval[]>;
}
