/**
 * Shadow counterfactual: what would have happened had the candidate policy been in charge. At the start of each
 * window the real twin is forked (TwinCluster.fork: same state, same random streams) and a second controller,
 * with the candidate's planners, its own guardrails (same policy file) and approvals, runs the fork in lockstep
 * with the real loop. At the window's end the fork's cost and SLO-violation minutes over the window are compared
 * with the real twin's over the same window, then the next window forks the real twin again. Re-forking keeps each
 * comparison anchored to the state the real system was in, so an early divergence cannot dominate a long run;
 * the candidate's planners are built once and keep their state (forecast history, stabilisation) across windows.
 */
import type { TwinCluster } from '../execute/twin/cluster.js';
import type { Analyzer } from '../analyze/assessment.js';
import type { ScalingPolicy } from '../plan/scaling/policy.js';
import { Controller, type ApprovalSink, type GuardrailGate, type TickResult } from './controller.js';

export interface Outcome {
  costDollars: number;
  sloViolationMinutes: number;
  actions: number;
}

export interface CounterfactualWindow {
  /** Epoch seconds: both worlds start from the real state at `from` and run to `to`. */
  from: number;
  to: number;
  actual: Outcome;
  counterfactual: Outcome;
  /** Counterfactual − actual (negative: the candidate would have been cheaper / violated the SLO less). */
  delta: { costDollars: number; sloViolationMinutes: number };
}

export interface CounterfactualSummary {
  windowSeconds: number;
  windows: number;
  actual: Outcome;
  counterfactual: Outcome;
  delta: { costDollars: number; sloViolationMinutes: number; costPct: number };
  /** Windows where the candidate was no more expensive and violated the SLO no longer. */
  windowsNoWorse: number;
}

export interface CounterfactualOptions {
  windowSeconds: number;
  /** Windows end at origin + k·windowSeconds (the run's start: a whole-hour run then ends on a window boundary). */
  origin: number;
  /** The candidate's planners (built once for the whole run) and analyzers. */
  planners: { policies: ScalingPolicy[]; analyzers: Analyzer[] };
  guardrails: GuardrailGate;
  approvals?: ApprovalSink;
}

const executed = (r: TickResult): number => r.decisions.filter((d) => d.outcome?.ok).length;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export class ShadowCounterfactual {
  readonly windows: CounterfactualWindow[] = [];
  private fork: TwinCluster | null = null;
  private controller: Controller | null = null;
  private from = 0;
  private end = 0;
  private realBase = { cost: 0, viol: 0 };
  private forkBase = { cost: 0, viol: 0 };
  private realActions = 0;
  private forkActions = 0;

  constructor(private readonly o: CounterfactualOptions) {
    if (!(o.windowSeconds > 0)) throw new Error('counterfactual window must be positive');
  }

  /**
   * Call after every real tick (the real twin already carries that tick's actions). Steps the fork to the same
   * time and lets the candidate decide there; returns the window it closed, if any.
   */
  async afterTick(real: TwinCluster, r: TickResult): Promise<CounterfactualWindow | null> {
    if (!this.fork || !this.controller) {
      this.open(real);
      return null;
    }
    this.realActions += executed(r);
    this.fork.advance(real.time - this.fork.time);
    this.forkActions += executed(await this.controller.tick());
    if (real.time < this.end - 1e-9) return null;
    const w = this.close(real);
    this.open(real);
    return w;
  }

  /** Closes the last, partial window (end of the run); null when it is empty. */
  finish(real: TwinCluster): CounterfactualWindow | null {
    if (!this.fork || real.time <= this.from) return null;
    const w = this.close(real);
    this.fork = null;
    this.controller = null;
    return w;
  }

  private open(real: TwinCluster): void {
    this.fork = real.fork();
    this.controller = new Controller({
      source: this.fork,
      provider: this.fork,
      policies: this.o.planners.policies,
      analyzers: this.o.planners.analyzers,
      guardrails: this.o.guardrails,
      approvals: this.o.approvals,
      mode: 'auto',
    });
    this.from = real.time;
    const W = this.o.windowSeconds;
    this.end = this.o.origin + (Math.floor((real.time - this.o.origin) / W + 1e-9) + 1) * W;
    const rs = real.stats();
    this.realBase = { cost: rs.costDollars, viol: rs.sloViolationSeconds };
    this.forkBase = { ...this.realBase };
    this.realActions = 0;
    this.forkActions = 0;
  }

  private close(real: TwinCluster): CounterfactualWindow {
    if (!this.fork) throw new Error('no open window');
    const rs = real.stats();
    const fs = this.fork.stats();
    const actual = { costDollars: rs.costDollars - this.realBase.cost, sloViolationMinutes: (rs.sloViolationSeconds - this.realBase.viol) / 60, actions: this.realActions };
    const counterfactual = { costDollars: fs.costDollars - this.forkBase.cost, sloViolationMinutes: (fs.sloViolationSeconds - this.forkBase.viol) / 60, actions: this.forkActions };
    const w: CounterfactualWindow = {
      from: this.from,
      to: real.time,
      actual,
      counterfactual,
      delta: { costDollars: counterfactual.costDollars - actual.costDollars, sloViolationMinutes: counterfactual.sloViolationMinutes - actual.sloViolationMinutes },
    };
    this.windows.push(w);
    return w;
  }

  summary(): CounterfactualSummary {
    const sum = (f: (w: CounterfactualWindow) => number): number => this.windows.reduce((a, w) => a + f(w), 0);
    const actual = { costDollars: r2(sum((w) => w.actual.costDollars)), sloViolationMinutes: r2(sum((w) => w.actual.sloViolationMinutes)), actions: sum((w) => w.actual.actions) };
    const counterfactual = {
      costDollars: r2(sum((w) => w.counterfactual.costDollars)),
      sloViolationMinutes: r2(sum((w) => w.counterfactual.sloViolationMinutes)),
      actions: sum((w) => w.counterfactual.actions),
    };
    const dc = sum((w) => w.delta.costDollars);
    return {
      windowSeconds: this.o.windowSeconds,
      windows: this.windows.length,
      actual,
      counterfactual,
      delta: {
        costDollars: r2(dc),
        sloViolationMinutes: r2(sum((w) => w.delta.sloViolationMinutes)),
        costPct: actual.costDollars > 0 ? Math.round((1000 * dc) / sum((w) => w.actual.costDollars)) / 10 : NaN,
      },
      windowsNoWorse: this.windows.filter((w) => w.delta.costDollars <= 1e-9 && w.delta.sloViolationMinutes <= 1e-9).length,
    };
  }
}
