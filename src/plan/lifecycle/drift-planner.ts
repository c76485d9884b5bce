import type { Proposal } from '../../core/proposal.js';
import type { PlanContext, ScalingPolicy } from '../scaling/policy.js';
import { applyToDesiredState, type DesiredState } from './applied-state.js';
import { readDesiredState, type DecisionReader, type DecisionScope } from './decision-history.js';
import { detectDrift, reconcileDrift, DRIFT_SOURCE, type DriftOptions } from './drift.js';
import type { DriftPolicy } from './drift-policy.js';

/**
 * Drift detection inside the loop. Starts from the journal's desired state, then learns each tick what the previous
 * tick executed (PlanContext.outcomes), so it needs no I/O while the loop runs. A drift is journaled once (a `drift`
 * note) when it appears or its live value changes; with `drift.reconcile: auto` it proposes the way back every tick
 * until the guardrails let it run.
 */
export class DriftPlanner implements ScalingPolicy {
  readonly name = DRIFT_SOURCE;
  /** resource/field → the live value last journaled, so a standing drift is not noted every tick. */
  private readonly noted = new Map<string, string>();

  constructor(private readonly desired: DesiredState, private readonly policy: DriftPolicy, private readonly options: DriftOptions = {}) {}

  static async fromJournal(journal: DecisionReader, policy: DriftPolicy, o: DriftOptions & { scope?: string | DecisionScope } = {}): Promise<DriftPlanner> {
    return new DriftPlanner(await readDesiredState(journal, o.scope), policy, { settleSeconds: o.settleSeconds, podsAfterDrain: o.podsAfterDrain });
  }

  decide(ctx: PlanContext): Proposal[] {
    // The previous tick's executions are not in the journal this planner read; they ran at most one tick ago.
    for (const o of ctx.outcomes ?? []) if (o.outcome?.ok) applyToDesiredState(this.desired, o.verdict.action, ctx.now, null);
    const report = detectDrift(this.desired, ctx.snapshot, this.policy, this.options);
    const current = new Set<string>();
    for (const item of report.items) {
      const key = `${item.resource}/${item.field}`;
      current.add(key);
      if (this.noted.get(key) === String(item.live)) continue;
      this.noted.set(key, String(item.live));
      ctx.notes?.push({
        kind: 'drift', actor: DRIFT_SOURCE,
        summary: `${item.message}${item.ignored ? ' (ignored by policy)' : this.policy.reconcile === 'auto' ? '' : ' (report-only)'}`,
        payload: { resource: item.resource, field: item.field, desired: item.desired, live: item.live, since: item.since, sourceSeq: item.sourceSeq, ignored: item.ignored },
      });
    }
    for (const key of [...this.noted.keys()]) if (!current.has(key)) this.noted.delete(key);
    return reconcileDrift(report, this.policy).proposals;
  }
}
