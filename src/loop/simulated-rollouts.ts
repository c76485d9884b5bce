import type { TwinRollouts } from '../execute/twin/rollout.js';
import type { RolloutPlanner } from '../plan/rollout/rollout-planner.js';
import type { CanaryRollout, RolloutPhase } from '../plan/rollout/canary-rollout.js';
import type { StepAnalysis } from '../plan/rollout/canary-analysis.js';
import type { ScheduledRollout } from './rollout-spec.js';

/** One `--rollout` as the run's report gives it. */
export interface RolloutOutcome {
  service: string;
  revision: string;
  /** As given on the command line. */
  spec: string;
  /** Scheduled start, seconds after the run's start; `startedAt`: when it did start (simulated epoch seconds). */
  at: number;
  startedAt: number | null;
  /** `not-started`: the run ended first (e.g. an earlier rollout of the service was still going). */
  outcome: RolloutPhase | 'not-started';
  /** The last analysed step (the one that rolled it back, or promoted it). */
  decidedAtStep: number | null;
  why: string | null;
  steps: { step: number; weight: number; verdict: StepAnalysis['verdict']; decision: string; reasons: string[]; errors: StepAnalysis['errors']; latency: StepAnalysis['latency'] }[];
}

/**
 * The `--rollout`s of a simulation: each revision's behaviour is declared in the twin up front (its ground truth),
 * and its canary is started with the RolloutPlanner once the simulated clock reaches its time — later if that
 * service is still rolling out something else (one rollout per service at a time).
 */
export class SimulatedRollouts {
  private readonly waiting: ScheduledRollout[];
  private readonly started = new Map<ScheduledRollout, CanaryRollout>();

  constructor(private readonly scheduled: readonly ScheduledRollout[], private readonly planner: RolloutPlanner, private readonly startTime: number) {
    this.waiting = [...scheduled].sort((a, b) => a.at - b.at);
  }

  /** Declare every revision's behaviour in the twin (before the run: a bad service name fails before anything is written). */
  static define(twin: TwinRollouts, scheduled: readonly ScheduledRollout[]): void {
    for (const r of scheduled) twin.define(r.service, r.revision, { errorRate: r.errorRate, latencyFactor: r.latencyFactor });
  }

  /** Start the rollouts due at `now` (before the tick, so the first step is proposed in it). */
  startDue(now: number): void {
    const busy = new Set(this.planner.rollouts().active.map((r) => r.request.service));
    for (const r of [...this.waiting]) {
      if (this.startTime + r.at > now) break;
      if (busy.has(r.service)) continue;
      this.started.set(r, this.planner.start({ service: r.service, revision: r.revision }, now));
      busy.add(r.service);
      this.waiting.splice(this.waiting.indexOf(r), 1);
    }
  }

  outcomes(): RolloutOutcome[] {
    return this.scheduled.map((s) => {
      const r = this.started.get(s);
      const last = r?.history.at(-1);
      return {
        service: s.service, revision: s.revision, spec: s.text, at: s.at, startedAt: r?.startedAt ?? null,
        outcome: r?.phase ?? 'not-started', decidedAtStep: last?.step ?? null, why: r?.why ?? null,
        steps: (r?.history ?? []).map((h) => ({
          step: h.step, weight: h.weight, verdict: h.analysis.verdict, decision: h.decision, reasons: h.analysis.reasons,
          errors: h.analysis.errors, latency: h.analysis.latency,
        })),
      };
    });
  }
}

/** One line per rollout for the text report. */
export function describeOutcome(o: RolloutOutcome): string {
  const last = o.steps.at(-1);
  const head = `${o.service} ${o.revision} (${o.spec})`;
  switch (o.outcome) {
    case 'promoted': return `${head}: promoted after ${o.steps.length} canary step${o.steps.length === 1 ? '' : 's'} (${o.steps.map((s) => `${s.weight}%`).join(' → ')})`;
    case 'rolled-back': return `${head}: rolled back at step ${o.decidedAtStep ?? 0}${last ? ` (${last.weight}%)` : ''}: ${o.why ?? last?.reasons.join('; ') ?? 'canary failed'}`;
    case 'refused': return `${head}: refused: ${o.why ?? 'by the guardrails'}`;
    case 'not-started': return `${head}: not started before the end of the run`;
    default: return `${head}: ${o.outcome} at the end of the run${last ? ` (step ${last.step} at ${last.weight}%)` : ''}`;
  }
}
