import { describeAction, type Action } from '../../core/action.js';
import type { Proposal } from '../../core/proposal.js';
import type { PlanContext, PlanNote, PlanOutcome, ScalingPolicy } from '../scaling/policy.js';
import { ActionVerifier, type VerificationResult } from './action-verifier.js';
import type { VerificationConfigInput } from './config.js';

/** An undo in progress: the verdict it follows, and what is left to propose. */
interface Undo {
  result: VerificationResult;
  /** Actions not yet proposed (node actions), or the scale to reach (re-proposed while clamped). */
  queue: Action[];
  scaleTo?: { service: string; to: number };
  steps: number;
  executed: Action[];
  /** The verdict was journaled (on the fate of the first undo proposal). */
  journaled: boolean;
}

/**
 * The loop's adapter for the ActionVerifier, as a planner that goes first in the controller's priority order:
 * every action executed last tick (PlanContext.outcomes, by any planner or an approval) is watched; when a window
 * ends, the verdict is journaled as an `action-verification` note {action, baseline, observed, verdict,
 * rolledBack}; a blamed one is undone with its inverse, proposed like any other action so the guardrails (bounds,
 * rate limits, risk tiers and approval) decide. An undone scale-in is held as a replica floor for `holdSeconds`,
 * so the planner that scaled in does not repeat it at once. Its own undo actions are not verified again.
 */
export class VerificationPlanner implements ScalingPolicy {
  readonly name = 'verification';
  readonly verifier: ActionVerifier;
  private readonly pending = new Map<Proposal, Undo>();
  private readonly undos: Undo[] = [];
  private readonly holds = new Map<string, { replicas: number; until: number; why: string }>();
  /** Times of undone scale-ins per service: a planner that keeps scaling in is held back longer each time. */
  private readonly undoneAt = new Map<string, number[]>();
  private lastTick = -Infinity;

  constructor(config: VerificationConfigInput = {}) {
    this.verifier = new ActionVerifier(config);
  }

  decide(ctx: PlanContext): Proposal[] {
    const notes = ctx.notes ?? [];
    const { snapshot, now } = ctx;
    this.settle(ctx.outcomes ?? [], notes);
    this.lastTick = now;
    const out: Proposal[] = [];
    for (const r of this.verifier.observe(snapshot)) {
      if (r.blamed && !r.observeOnly && r.undo?.ok) {
        const scale = r.undo.actions.find((a) => a.kind === 'scale');
        const u: Undo = { result: r, queue: scale ? [] : [...r.undo.actions], steps: 0, executed: [], journaled: false, ...(scale?.kind === 'scale' ? { scaleTo: { service: scale.service, to: scale.to } } : {}) };
        this.undos.push(u);
      } else notes.push(this.note(r, false, r.blamed ? (r.observeOnly ? `not undone here: ${r.source} verifies and undoes its own actions` : r.undo && !r.undo.ok ? `cannot be undone: ${r.undo.why}` : 'no undo') : null));
    }
    for (const u of [...this.undos]) out.push(...this.propose(u, ctx));
    this.publishFloors(ctx, now);
    return out;
  }

  /** Last tick's outcomes: start watching executed actions; learn the fate of our undo proposals. */
  private settle(outcomes: readonly PlanOutcome[], notes: PlanNote[]): void {
    const at = this.lastTick;
    for (const o of outcomes) {
      const undo = this.pending.get(o.proposal);
      if (undo) {
        this.pending.delete(o.proposal);
        this.undoOutcome(undo, o, at, notes);
        continue;
      }
      if (!o.outcome?.ok || o.proposal.source.startsWith(this.name)) continue;
      for (const r of this.verifier.executed({ action: o.verdict.action, source: o.proposal.source, at })) notes.push(this.note(r, false, null));
    }
    // Undo proposals the controller did not decide on (an approved action took the resource) are made again.
    for (const [p, u] of this.pending) if (!u.scaleTo && this.undos.includes(u)) u.queue.push(p.action);
    this.pending.clear();
  }

  private undoOutcome(u: Undo, o: PlanOutcome, at: number, notes: PlanNote[]): void {
    const a = o.verdict.action;
    if (o.outcome?.ok) {
      u.executed.push(a);
      const complete = u.queue.length === 0 && (!u.scaleTo || (a.kind === 'scale' && a.to === u.scaleTo.to));
      if (a.kind === 'scale' && u.scaleTo && a.to > a.from && !u.journaled) this.hold(a.service, a.to, at, u.result.action);
      else if (a.kind === 'scale' && u.scaleTo && a.to > a.from) {
        const h = this.holds.get(a.service);
        if (h) h.replicas = Math.max(h.replicas, a.to);
      }
      if (!u.journaled) {
        u.journaled = true;
        notes.push(this.note(u.result, true, complete ? 'undone' : `undo started: ${describeAction(a)} (clamped; the rest follows)`, u.executed));
      }
      if (complete) this.drop(u);
      return;
    }
    const status = o.verdict.outcome === 'needs-approval' ? `undo ${describeAction(a)} waits for approval${o.approvalId ? ` (${o.approvalId})` : ''}`
      : o.verdict.outcome === 'deny' ? `undo ${describeAction(a)} denied by the guardrails (${o.verdict.reasons.join('; ')})`
      : o.outcome ? `undo ${describeAction(a)} failed (${o.outcome.message})` : `undo ${describeAction(a)} not executed in this mode`;
    if (!u.journaled) {
      u.journaled = true;
      notes.push(this.note(u.result, false, status, u.executed));
    }
    // Waiting for approval: the approval queue runs it; a refusal ends the undo (the journal says why).
    this.drop(u);
  }

  private propose(u: Undo, ctx: PlanContext): Proposal[] {
    const r = u.result;
    const actions: Action[] = [];
    if (u.scaleTo) {
      const svc = ctx.snapshot.services.find((s) => s.name === u.scaleTo?.service);
      if (svc && svc.replicas !== u.scaleTo.to && u.steps < this.verifier.config.maxUndoSteps) {
        actions.push({ kind: 'scale', service: svc.name, from: svc.replicas, to: u.scaleTo.to });
      }
    } else actions.push(...u.queue.splice(0));
    if (actions.length === 0) {
      if (!u.journaled) ctx.notes?.push(this.note(r, u.executed.length > 0, 'nothing left to undo', u.executed));
      this.drop(u);
      return [];
    }
    u.steps++;
    return actions.map((action) => {
      const p: Proposal = {
        action,
        source: `${this.name}/undo`,
        rationale: `Undo of ${describeAction(r.action)} (by ${r.source}): verification found it made things worse (${r.reasons.join('; ')}).`,
        evidence: { verification: r.id, verdict: r.verdict, undoOf: describeAction(r.action), samples: r.samples },
        expectedEffect: `${describeAction(action)}: back to the state before ${describeAction(r.action)}`,
      };
      this.pending.set(p, u);
      return p;
    });
  }

  /** Hold `replicas` as a floor: holdSeconds, doubled for each other undone scale-in of the service in the last day (at most 16×). */
  private hold(service: string, replicas: number, at: number, undone: Action): void {
    const times = (this.undoneAt.get(service) ?? []).filter((t) => t > at - 86_400);
    const factor = 2 ** Math.min(4, times.length);
    times.push(at);
    this.undoneAt.set(service, times);
    const seconds = this.verifier.config.holdSeconds * factor;
    this.holds.set(service, { replicas, until: at + seconds, why: `${describeAction(undone)} made it worse and was undone${factor > 1 ? ` (scale-in undone ${times.length} times in a day: held ${factor}× longer)` : ''}` });
  }

  private drop(u: Undo): void {
    const i = this.undos.indexOf(u);
    if (i >= 0) this.undos.splice(i, 1);
  }

  private publishFloors(ctx: PlanContext, now: number): void {
    for (const [service, h] of this.holds) if (h.until <= now) this.holds.delete(service);
    const floors = ctx.floors;
    if (!floors) return;
    for (const [service, h] of this.holds) {
      const existing = floors.get(service);
      if (existing && existing.replicas >= h.replicas) continue;
      floors.set(service, { replicas: h.replicas, holder: `${this.name}/undo`, reason: `${h.why}; held for ${Math.round(h.until - now)} s more` });
    }
  }

  private note(r: VerificationResult, rolledBack: boolean, undoStatus: string | null, undoActions: Action[] = []): PlanNote {
    const what = describeAction(r.action);
    const tail = r.verdict === 'worse' ? (rolledBack ? ' — rolled back' : undoStatus ? ` — ${undoStatus}` : '') : '';
    return {
      kind: 'action-verification',
      actor: this.name,
      summary: `${what} (${r.source}) verified ${r.verdict}: ${r.reasons.join('; ') || 'no data'}${tail}.`,
      payload: {
        action: r.action, source: r.source, target: r.target, actedAt: r.at, judgedAt: r.judgedAt, verification: r.id,
        baseline: r.baseline, observed: r.observed, verdict: r.verdict, blamed: r.blamed, reasons: r.reasons, samples: r.samples,
        rolledBack, undo: undoActions, undoStatus,
        attribution: r.services.map((s) => ({ service: s.service, loadRatio: round(s.loadRatio), counterfactualDemand: round(s.counterfactualDemand), loadExplains: s.loadExplains })),
      },
    };
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
