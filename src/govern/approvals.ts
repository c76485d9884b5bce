import { randomUUID } from 'node:crypto';
import { describeAction } from '../core/action.js';
import { UserError } from '../core/errors.js';
import type { Proposal, Verdict } from '../core/proposal.js';
import type { Approval, ApprovalRepository } from './approval.js';

export interface ApprovalQueueOptions {
  /** How long a queued action stays approvable (policy `approvals.expirySeconds`). */
  expirySeconds?: number;
}

type Decision = 'approved' | 'rejected';

/**
 * High-risk actions waiting for a human. Every state change goes through here so the rules hold
 * whichever process (loop, CLI, API) makes it: pending → approved | rejected | expired, approved → executed.
 */
export class ApprovalQueue {
  readonly expirySeconds: number;

  constructor(private readonly repo: ApprovalRepository, options: ApprovalQueueOptions = {}) {
    this.expirySeconds = options.expirySeconds ?? 3600;
    if (!(this.expirySeconds > 0)) throw new Error(`expirySeconds must be positive, got ${this.expirySeconds}`);
  }

  async enqueue(verdict: Verdict, proposal: Proposal, now: number): Promise<Approval> {
    // Queueing an allowed or denied action would let a human "approve" what the guardrails never sent them.
    if (verdict.outcome !== 'needs-approval') throw new Error(`only needs-approval verdicts are queued, got ${verdict.outcome}`);
    const a: Approval = {
      id: randomUUID(),
      createdAt: now,
      expiresAt: now + this.expirySeconds,
      action: verdict.action,
      source: proposal.source,
      rationale: proposal.rationale,
      reasons: [...verdict.reasons],
      status: 'pending',
    };
    await this.repo.insert(a);
    return a;
  }

  list(status?: Approval['status']): Promise<Approval[]> {
    return this.repo.list(status ? { status } : undefined);
  }

  get(id: string): Promise<Approval | undefined> {
    return this.repo.get(id);
  }

  approve(id: string, who: string, now: number, note?: string): Promise<Approval> {
    return this.decide(id, 'approved', who, now, note);
  }

  reject(id: string, who: string, now: number, note?: string): Promise<Approval> {
    return this.decide(id, 'rejected', who, now, note);
  }

  /** Mark every pending approval whose time is up as expired; returns the ones it expired. */
  async expire(now: number): Promise<Approval[]> {
    const out: Approval[] = [];
    for (const a of await this.repo.list({ status: 'pending' })) {
      if (now < a.expiresAt) continue;
      const expired: Approval = { ...a, status: 'expired', decidedAt: a.expiresAt };
      await this.repo.update(expired);
      out.push(expired);
    }
    return out;
  }

  /** Record that an approved action ran; anything but an approved one is refused so nothing runs twice. */
  async markExecuted(id: string): Promise<Approval> {
    const a = await this.mustGet(id);
    if (a.status !== 'approved') {
      throw new UserError(`approval ${id} cannot be marked executed: it is ${a.status}${a.status === 'executed' ? ' already' : ', not approved'}`);
    }
    const done: Approval = { ...a, status: 'executed' };
    await this.repo.update(done);
    return done;
  }

  private async decide(id: string, status: Decision, who: string, now: number, note?: string): Promise<Approval> {
    const verb = status === 'approved' ? 'approve' : 'reject';
    if (who.trim() === '') throw new UserError(`cannot ${verb} approval ${id}: say who is deciding`);
    const a = await this.mustGet(id);
    if (a.status === 'pending' && now >= a.expiresAt) {
      // Record the expiry we just noticed, so listings agree with the refusal.
      await this.repo.update({ ...a, status: 'expired', decidedAt: a.expiresAt });
      throw new UserError(`cannot ${verb} approval ${id} (${describeAction(a.action)}): it expired at ${stamp(a.expiresAt)}; the loop will propose again if it is still needed`);
    }
    if (a.status !== 'pending') {
      const by = a.decidedBy ? ` by ${a.decidedBy}` : '';
      const at = a.decidedAt !== undefined ? ` at ${stamp(a.decidedAt)}` : '';
      throw new UserError(`cannot ${verb} approval ${id} (${describeAction(a.action)}): it was already ${a.status}${by}${at}`);
    }
    const decided: Approval = { ...a, status, decidedBy: who, decidedAt: now };
    if (note !== undefined) decided.note = note;
    await this.repo.update(decided);
    return decided;
  }

  private async mustGet(id: string): Promise<Approval> {
    const a = await this.repo.get(id);
    if (!a) throw new UserError(`no approval with id "${id}"`);
    return a;
  }
}

function stamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
