import { z } from 'zod';
import { describeAction, type Action } from '../../core/action.js';
import { CanaryAnalysisConfigSchema, type StepAnalysis } from './canary-analysis.js';

/** The canary strategy: traffic steps, the pause (analysis window) per step, and how each step is judged. */
export const CanaryStrategySchema = z
  .strictObject({
    /** Canary traffic per step, %, increasing; after the last one passes, the revision is promoted (100 %). */
    steps: z.array(z.number().int().min(1).max(99)).min(1).default([10, 25, 50]),
    /** Each step runs this long before it is analysed. */
    pauseSeconds: z.number().positive().default(120),
    /** An inconclusive step (too little traffic) is extended by another pause at most this often, then aborted. */
    maxExtensions: z.number().int().nonnegative().default(2),
    analysis: CanaryAnalysisConfigSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    for (let i = 1; i < s.steps.length; i++) {
      if (s.steps[i] <= s.steps[i - 1]) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `step ${s.steps[i]}% is not above the previous ${s.steps[i - 1]}%` });
    }
  });
export type CanaryStrategy = z.output<typeof CanaryStrategySchema>;
export type CanaryStrategyInput = z.input<typeof CanaryStrategySchema>;

export const RolloutChangeSchema = z.strictObject({
  imageChanged: z.boolean().default(true),
  configKeysChanged: z.number().int().nonnegative().default(0),
  replicaDelta: z.number().int().default(0),
});
export type RolloutChange = z.output<typeof RolloutChangeSchema>;

/** What someone asks to roll out. */
export const RolloutRequestSchema = z.strictObject({
  service: z.string().min(1),
  revision: z.string().min(1),
  change: RolloutChangeSchema.prefault({}),
  strategy: CanaryStrategySchema.prefault({}),
});
export type RolloutRequest = z.output<typeof RolloutRequestSchema>;
export type RolloutRequestInput = z.input<typeof RolloutRequestSchema>;

export type RolloutPhase = 'starting' | 'awaiting-approval' | 'analysing' | 'advancing' | 'aborting' | 'promoted' | 'rolled-back' | 'refused';

/** One step as the journal records it. */
export interface StepRecord {
  step: number;
  weight: number;
  from: number;
  to: number;
  analysis: StepAnalysis;
  decision: 'advance' | 'promote' | 'abort' | 'extend';
}

/**
 * One progressive rollout as a pure state machine: starting → (awaiting approval) → per step: analysing for the
 * pause → advance to the next weight | promote after the last | extend when inconclusive | abort on failure →
 * promoted | rolled-back | refused. The loop adapter (rollout-planner.ts) proposes `want()`, reports what became
 * of it (`executed`, `queued`, `refused`), and feeds the analysis when `analysisDue()`.
 */
export class CanaryRollout {
  phase: RolloutPhase = 'starting';
  /** Index into strategy.steps of the current (or next) step. */
  step = 0;
  weight = 0;
  stepStartedAt = 0;
  extensions = 0;
  readonly history: StepRecord[] = [];
  endedAt?: number;
  why?: string;

  constructor(readonly request: RolloutRequest, readonly startedAt: number) {}

  get done(): boolean {
    return this.phase === 'promoted' || this.phase === 'rolled-back' || this.phase === 'refused';
  }

  /** The action this rollout needs proposed now, if any. The first step carries the change (for the risk score). */
  want(): Action | undefined {
    const { service, revision, change, strategy } = this.request;
    switch (this.phase) {
      case 'starting':
        return { kind: 'rollout', service, revision, weight: strategy.steps[0], change };
      case 'advancing':
        return { kind: 'rollout', service, revision, weight: this.step < strategy.steps.length ? strategy.steps[this.step] : 100 };
      case 'aborting':
        return { kind: 'rollout', service, revision, weight: 0 };
      default:
        return undefined;
    }
  }

  /** The wanted action ran at `at`. */
  executed(action: Action, at: number): void {
    if (action.kind !== 'rollout') return;
    if (action.weight === 0) return this.end('rolled-back', at);
    if (action.weight === 100) return this.end('promoted', at);
    this.weight = action.weight;
    this.phase = 'analysing';
    this.stepStartedAt = at;
    this.extensions = 0;
  }

  /** The start waits in the approval queue (a raised risk tier). */
  queued(): void {
    if (this.phase === 'starting') this.phase = 'awaiting-approval';
  }

  /** The guardrails or the provider refused the wanted action. */
  refused(why: string, at: number): void {
    this.why = why;
    // Refused before any canary traffic: nothing to undo. Later: take the canary's traffic away.
    if (this.phase === 'starting' || this.phase === 'awaiting-approval' || this.weight === 0) this.end('refused', at);
    else if (this.phase === 'aborting') this.end('refused', at);
    else this.phase = 'aborting';
  }

  /** The step's analysis window: (since, until], due once the pause (with extensions) has passed. */
  analysisDue(now: number): { since: number; until: number } | undefined {
    if (this.phase !== 'analysing') return undefined;
    const pause = this.request.strategy.pauseSeconds * (1 + this.extensions);
    return now - this.stepStartedAt >= pause ? { since: this.stepStartedAt, until: now } : undefined;
  }

  /** Decide on the step from its analysis. */
  judged(a: StepAnalysis, now: number): StepRecord {
    const s = this.request.strategy;
    let decision: StepRecord['decision'];
    if (a.verdict === 'fail') decision = 'abort';
    else if (a.verdict === 'inconclusive') decision = this.extensions < s.maxExtensions ? 'extend' : 'abort';
    else decision = this.step + 1 < s.steps.length ? 'advance' : 'promote';
    const rec: StepRecord = { step: this.step + 1, weight: this.weight, from: this.stepStartedAt, to: now, analysis: a, decision };
    this.history.push(rec);
    if (decision === 'extend') this.extensions++;
    else if (decision === 'abort') {
      this.why = a.verdict === 'fail' ? a.reasons.filter((r) => r.endsWith('worse')).join('; ') : `still inconclusive after ${s.maxExtensions} extensions`;
      this.phase = 'aborting';
    } else {
      this.step++;
      this.phase = 'advancing';
    }
    return rec;
  }

  describe(): string {
    const a = this.want();
    return a ? describeAction(a) : `${this.request.service} ${this.request.revision}: ${this.phase}`;
  }

  private end(phase: 'promoted' | 'rolled-back' | 'refused', at: number): void {
    this.phase = phase;
    this.endedAt = at;
    if (phase !== 'promoted') this.weight = 0;
    else this.weight = 100;
  }
}
