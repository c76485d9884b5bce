/**
 * Shadow mode: the candidate policy (RL) decides beside the active one on the same context, but only the active
 * policy's proposals are returned. Per service and tick it records what each wanted (hold, or a target) and
 * whether they agreed on the direction; each disagreement is journaled as a `shadow` note with both choices.
 * This wrapper keeps the decision, not its outcome: for the outcome (the candidate in charge of a forked twin),
 * use the loop-level shadow mode, src/loop/shadow-run.ts (`autonomic simulate --shadow rl`).
 */
import type { Proposal } from '../../core/proposal.js';
import type { Snapshot } from '../../core/snapshot.js';
import type { PlanContext, ScalingPolicy } from '../scaling/policy.js';

export interface ShadowRecord {
  at: number;
  service: string;
  replicas: number;
  /** Target replicas each proposed (= replicas when it proposed nothing). */
  active: number;
  shadow: number;
  agree: boolean;
}

export interface ShadowReport {
  /** Service-ticks compared. */
  compared: number;
  agreements: number;
  agreementRate: number;
  /** Service-ticks where at least one of the two wanted a change, and agreement among those. */
  decisive: number;
  decisiveAgreementRate: number;
}

const MAX_RECORDS = 10000;

export class ShadowPolicy implements ScalingPolicy {
  readonly name: string;
  /** The latest disagreements and decisive agreements (bounded). */
  readonly records: ShadowRecord[] = [];
  private compared = 0;
  private agreements = 0;
  private decisive = 0;
  private decisiveAgreements = 0;

  constructor(readonly active: ScalingPolicy, readonly shadow: ScalingPolicy) {
    this.name = active.name;
  }

  decide(ctx: PlanContext): Proposal[] {
    const a = this.active.decide(ctx);
    // The shadow must not claim replica floors nor see the active policy's outcomes as its own.
    const s = this.shadow.decide({ snapshot: ctx.snapshot, now: ctx.now, findings: ctx.findings, notes: ctx.notes });
    const ta = targets(a, ctx.snapshot);
    const ts = targets(s, ctx.snapshot);
    for (const svc of ctx.snapshot.services) {
      const act = ta.get(svc.name) ?? svc.replicas;
      const sh = ts.get(svc.name) ?? svc.replicas;
      const agree = Math.sign(act - svc.replicas) === Math.sign(sh - svc.replicas);
      this.compared++;
      if (agree) this.agreements++;
      if (act === svc.replicas && sh === svc.replicas) continue;
      this.decisive++;
      if (agree) this.decisiveAgreements++;
      const rec = { at: ctx.now, service: svc.name, replicas: svc.replicas, active: act, shadow: sh, agree };
      this.records.push(rec);
      if (this.records.length > MAX_RECORDS) this.records.shift();
      if (!agree) {
        ctx.notes?.push({
          kind: 'shadow',
          actor: this.shadow.name,
          summary: `${svc.name}: ${this.shadow.name} would have scaled to ${sh}, ${this.active.name} chose ${act} (from ${svc.replicas})`,
          payload: { ...rec },
        });
      }
    }
    return a;
  }

  report(): ShadowReport {
    return {
      compared: this.compared,
      agreements: this.agreements,
      agreementRate: this.compared > 0 ? this.agreements / this.compared : NaN,
      decisive: this.decisive,
      decisiveAgreementRate: this.decisive > 0 ? this.decisiveAgreements / this.decisive : NaN,
    };
  }
}

function targets(ps: readonly Proposal[], snapshot: Snapshot): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of ps) {
    const a = p.action;
    // The first proposal per service wins, as in the controller.
    if (a.kind === 'scale' && !m.has(a.service) && snapshot.services.some((s) => s.name === a.service)) m.set(a.service, a.to);
  }
  return m;
}
