import { actionTarget, describeAction } from '../core/action.js';
import type { Proposal, Verdict } from '../core/proposal.js';
import type { Approval, ApprovalRepository } from '../govern/approval.js';
import { ApprovalQueue } from '../govern/approvals.js';
import type { ApprovalSink, ApprovedAction, DecisionSink } from './controller.js';

export interface ApprovalFlowOptions {
  repo: ApprovalRepository;
  expirySeconds: number;
  /** Wall clock for approvals: people decide in real time even when the loop runs in simulated time. */
  wallClock?: () => number;
  /**
   * Simulations only: a stand-in on-call engineer who approves every queued action this many simulated
   * seconds after it was queued (recorded as `simulated-operator`). Undefined: only real people approve.
   */
  simulatedOperatorSeconds?: number;
  journal?: DecisionSink;
  runId?: string | null;
  /**
   * Live loops only: approved actions this flow did not queue itself, but which a person proposed from outside the
   * loop (the API or MCP; their source says so) and approved. The loop takes them over so they run, after the
   * guardrails recheck them, exactly once (settled as executed, or forgotten if refused).
   */
  adoptExternal?: (a: Approval) => boolean;
}

interface Waiting {
  target: string;
  queuedAt: number;
}

/**
 * The loop's side of the approval queue: one waiting approval per resource (a planner that proposes the same
 * removal every tick queues it once), approved actions handed back to the controller, outcomes settled.
 */
export class ApprovalFlow implements ApprovalSink {
  private readonly queue: ApprovalQueue;
  private readonly waiting = new Map<string, Waiting>();
  private readonly byTarget = new Map<string, string>();
  private readonly wall: () => number;

  constructor(private readonly o: ApprovalFlowOptions) {
    this.queue = new ApprovalQueue(o.repo, { expirySeconds: o.expirySeconds });
    this.wall = o.wallClock ?? (() => Date.now() / 1000);
  }

  async enqueue(verdict: Verdict, proposal: Proposal, now: number): Promise<{ id: string; duplicate: boolean }> {
    const target = actionTarget(verdict.action);
    const existing = this.byTarget.get(target);
    if (existing) return { id: existing, duplicate: true };
    const a = await this.queue.enqueue(verdict, proposal, this.wall());
    this.waiting.set(a.id, { target, queuedAt: now });
    this.byTarget.set(target, a.id);
    return { id: a.id, duplicate: false };
  }

  async approved(now: number): Promise<ApprovedAction[]> {
    if (this.o.adoptExternal) {
      for (const a of await this.o.repo.list({ status: 'approved' })) {
        if (!this.waiting.has(a.id) && this.o.adoptExternal(a)) this.adopt(a.id, actionTarget(a.action), now);
      }
    }
    if (this.waiting.size === 0) return [];
    const out: ApprovedAction[] = [];
    for (const [id, w] of [...this.waiting]) {
      let a = await this.queue.get(id);
      if (a?.status === 'pending' && this.o.simulatedOperatorSeconds !== undefined && now - w.queuedAt >= this.o.simulatedOperatorSeconds) {
        a = await this.queue.approve(id, 'simulated-operator', this.wall(), 'simulation stand-in for the on-call engineer');
        await this.o.journal?.appendBatch([{
          at: now, runId: this.o.runId ?? null, kind: 'approval', actor: 'simulated-operator',
          summary: `simulated-operator approved "${describeAction(a.action)}" after ${Math.round(now - w.queuedAt)} s.`,
          payload: { approvalId: id, action: a.action },
        }]);
      }
      if (a?.status === 'approved') out.push({ id, action: a.action, decidedBy: a.decidedBy ?? 'unknown' });
      else if (!a || a.status !== 'pending') this.forget(id);
    }
    return out;
  }

  /** Approvals this flow waits on (queued or approved, not yet settled), with the resource and loop time of queueing. */
  waitingApprovals(): { id: string; target: string; queuedAt: number }[] {
    return [...this.waiting].map(([id, w]) => ({ id, target: w.target, queuedAt: w.queuedAt }));
  }

  /** The approval waiting for a resource (`actionTarget`), if any. */
  waitingFor(target: string): string | undefined {
    return this.byTarget.get(target);
  }

  /**
   * Wait on an approval that is already in the repository (queued by an earlier process of the same run) as if
   * this flow had queued it at loop time `queuedAt`: it is approved, expires or is rejected there, and the same
   * resource is not queued twice.
   */
  adopt(id: string, target: string, queuedAt: number): void {
    const other = this.byTarget.get(target);
    if (other !== undefined && other !== id) this.forget(other);
    this.waiting.set(id, { target, queuedAt });
    this.byTarget.set(target, id);
  }

  /** Stop waiting on an approval without settling it (another flow takes it over). */
  release(id: string): void {
    this.forget(id);
  }

  async settle(id: string, executed: boolean): Promise<void> {
    if (executed) await this.queue.markExecuted(id);
    this.forget(id);
  }

  private forget(id: string): void {
    const w = this.waiting.get(id);
    if (w && this.byTarget.get(w.target) === id) this.byTarget.delete(w.target);
    this.waiting.delete(id);
  }
}
