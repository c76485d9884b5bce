import { UserError } from '../../core/errors.js';
import type { Action } from '../../core/action.js';
import type { Proposal } from '../../core/proposal.js';
import type { PlanContext, PlanNote, PlanOutcome, ScalingPolicy } from '../scaling/policy.js';
import { analyseStep } from './canary-analysis.js';
import { CanaryRollout, RolloutRequestSchema, type RolloutRequestInput, type StepRecord } from './canary-rollout.js';
import type { RevisionMetricsSource } from './revision-metrics.js';

/** Journal kinds: one note per analysed step, one per finished rollout (govern/deployment-risk.ts learns from these). */
export const ROLLOUT_STEP_KIND = 'rollout-step';
export const ROLLOUT_RESULT_KIND = 'rollout-result';

interface Tracked {
  rollout: CanaryRollout;
  approvalId?: string;
  queuedAt?: number;
}

/**
 * Progressive (canary) rollouts as a planner: `start()` a request; every tick each rollout proposes its next step
 * (through the guardrails, so a risky start waits for approval), and once a step's pause is over its analysis
 * (canary vs the stable revision, from the RevisionMetricsSource) decides: advance, promote, extend, or abort — the
 * abort is a `rollout` action with weight 0, i.e. the rollback. Every analysed step and every outcome is a note.
 */
export class RolloutPlanner implements ScalingPolicy {
  readonly name = 'rollout';
  private readonly active = new Map<string, Tracked>();
  private readonly pending = new Map<Proposal, Tracked>();
  private readonly finished: CanaryRollout[] = [];
  private lastTick = -Infinity;

  constructor(private readonly metrics: RevisionMetricsSource, private readonly options: { approvalWaitSeconds?: number } = {}) {}

  /** Begin a rollout at `now`. Bad input is a UserError naming the field; one rollout per service at a time. */
  start(input: RolloutRequestInput, now: number): CanaryRollout {
    const parsed = RolloutRequestSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(issue.message, `rollout request ${issue.path.join('.') || '(root)'}`);
    }
    const req = parsed.data;
    const running = this.active.get(req.service);
    if (running) throw new UserError(`${req.service} is already rolling out ${running.rollout.request.revision} (${running.rollout.phase})`, `rollout request service`);
    const r = new CanaryRollout(req, now);
    this.active.set(req.service, { rollout: r });
    return r;
  }

  /** Rollouts in progress and finished ones, for reports and tests. */
  rollouts(): { active: CanaryRollout[]; finished: CanaryRollout[] } {
    return { active: [...this.active.values()].map((t) => t.rollout), finished: [...this.finished] };
  }

  decide(ctx: PlanContext): Proposal[] {
    const { now } = ctx;
    const notes = ctx.notes ?? [];
    this.settle(ctx.outcomes ?? []);
    this.lastTick = now;
    const out: Proposal[] = [];
    for (const [service, t] of [...this.active]) {
      const r = t.rollout;
      if (r.phase === 'awaiting-approval' && t.queuedAt !== undefined && now - t.queuedAt > (this.options.approvalWaitSeconds ?? 3600)) {
        r.refused(`not approved within ${this.options.approvalWaitSeconds ?? 3600} s`, now);
      }
      const due = r.analysisDue(now);
      if (due) {
        const stable = this.metrics.stableRevision(service);
        const a = analyseStep(
          this.metrics.revisionWindow(service, stable, due.since, due.until),
          this.metrics.revisionWindow(service, r.request.revision, due.since, due.until),
          r.request.strategy.analysis,
        );
        notes.push(this.stepNote(r, r.judged(a, now), stable));
      }
      if (r.done) {
        this.active.delete(service);
        this.finished.push(r);
        notes.push(this.resultNote(r));
        continue;
      }
      const action = r.want();
      if (action) out.push(this.proposal(t, action));
    }
    return out;
  }

  private settle(outcomes: readonly PlanOutcome[]): void {
    const at = this.lastTick;
    for (const o of outcomes) {
      let t = this.pending.get(o.proposal);
      if (!t && o.approvalId !== undefined && o.proposal.source.startsWith('approval:')) {
        t = [...this.active.values()].find((x) => x.approvalId === o.approvalId);
        if (t && !o.outcome?.ok) {
          t.rollout.refused(`approved, but ${o.verdict.outcome === 'deny' ? `denied on recheck (${o.verdict.reasons.join('; ')})` : (o.outcome?.message ?? 'not executed')}`, at);
          continue;
        }
      }
      if (!t) continue;
      const r = t.rollout;
      if (o.outcome?.ok) r.executed(o.verdict.action, at);
      else if (o.verdict.outcome === 'needs-approval') {
        r.queued();
        t.approvalId = o.approvalId;
        t.queuedAt ??= at;
      } else {
        r.refused(o.verdict.outcome === 'deny' ? `denied by the guardrails (${o.verdict.reasons.join('; ')})` : o.outcome ? `failed (${o.outcome.message})` : 'not executed in this mode', at);
      }
    }
    this.pending.clear();
  }

  private proposal(t: Tracked, action: Action): Proposal {
    const r = t.rollout;
    const last = r.history.at(-1);
    const { service, revision, strategy } = r.request;
    const why = r.phase === 'starting' ? `start the canary of ${revision} at ${strategy.steps[0]}% (steps ${strategy.steps.join(' → ')} %, ${strategy.pauseSeconds} s each, then promote)`
      : r.phase === 'aborting' ? `roll back: ${r.why ?? 'the canary failed its analysis'}`
      : last ? `step ${last.step} at ${last.weight}% passed its analysis (${last.analysis.reasons.join('; ')})` : 'next step';
    const p: Proposal = {
      action,
      source: `${this.name}/${service}`,
      rationale: `Rollout of ${service} ${revision}: ${why}.`,
      evidence: { revision, step: r.step + 1, weight: r.weight, ...(last ? { lastVerdict: last.analysis.verdict } : {}) },
      expectedEffect: action.kind === 'rollout' && action.weight === 0 ? `all ${service} traffic back on the stable revision` : action.kind === 'rollout' && action.weight === 100 ? `${revision} serves all of ${service}` : `${action.kind === 'rollout' ? action.weight : '?'}% of ${service} traffic on ${revision}, analysed after ${strategy.pauseSeconds} s`,
    };
    this.pending.set(p, t);
    return p;
  }

  private stepNote(r: CanaryRollout, s: StepRecord, stable: string): PlanNote {
    const { service, revision } = r.request;
    const words = { advance: 'advance', promote: 'promote', abort: 'roll back', extend: 'extend the step' }[s.decision];
    return {
      kind: ROLLOUT_STEP_KIND,
      actor: `${this.name}/${service}`,
      summary: `Canary ${service} ${revision} step ${s.step} (${s.weight}%) ${s.analysis.verdict} against ${stable}: ${s.analysis.reasons.join('; ')} → ${words}.`,
      payload: { service, revision, stable, step: s.step, weight: s.weight, window: { from: s.from, to: s.to }, decision: s.decision, analysis: { ...s.analysis } },
    };
  }

  private resultNote(r: CanaryRollout): PlanNote {
    const { service, revision, change } = r.request;
    const outcome = r.phase;
    return {
      kind: ROLLOUT_RESULT_KIND,
      actor: `${this.name}/${service}`,
      summary: `Rollout of ${service} ${revision} ${outcome === 'promoted' ? 'promoted' : outcome === 'rolled-back' ? `rolled back at ${r.history.at(-1)?.weight ?? 0}%` : 'refused'}${r.why ? `: ${r.why}` : ''}.`,
      payload: {
        service, revision, outcome, change, startedAt: r.startedAt, endedAt: r.endedAt ?? null, why: r.why ?? null,
        steps: r.history.map((s) => ({ step: s.step, weight: s.weight, verdict: s.analysis.verdict, decision: s.decision })),
      },
    };
  }
}
