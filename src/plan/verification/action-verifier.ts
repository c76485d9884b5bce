import { actionTarget, type Action } from '../../core/action.js';
import type { Snapshot } from '../../core/snapshot.js';
import { UserError } from '../../core/errors.js';
import { VerificationConfigSchema, type VerificationConfig, type VerificationConfigInput } from './config.js';
import { inverseOf, type Inverse } from './inverse.js';
import { judge, type ActionVerdict, type ServiceJudgement } from './judge.js';
import { objectiveFor } from './objectives.js';
import { meanSignals, rounded, signalsOf, type ServiceSignals } from './signals.js';

/** An action a provider carried out. */
export interface ExecutedAction {
  action: Action;
  /** The proposal's source (planner, playbook, `approval:NAME`). */
  source: string;
  /** When it was executed (the time of the snapshot it was decided on). */
  at: number;
}

export interface VerificationResult {
  id: string;
  action: Action;
  source: string;
  target: string;
  at: number;
  judgedAt: number;
  /** `inconclusive`: superseded by another action on the same resource, or too few snapshots in the window. */
  verdict: ActionVerdict | 'inconclusive';
  /** Worse because of the action (not the load): an undo is due unless the source verifies its own actions. */
  blamed: boolean;
  reasons: string[];
  /** Mean signals per service before and after, rounded for the journal. */
  baseline: Record<string, Record<string, number>>;
  observed: Record<string, Record<string, number>>;
  services: ServiceJudgement[];
  samples: number;
  /** Verified and journaled, but another component owns undoing it (config.observeOnlySources). */
  observeOnly: boolean;
  /** What would undo it; set only when blamed. */
  undo?: Inverse;
}

interface Watch {
  id: string;
  exec: ExecutedAction;
  target: string;
  services: string[];
  before: Snapshot;
  baseline: Map<string, ServiceSignals>;
  samples: Map<string, ServiceSignals>[];
  observeOnly: boolean;
}

/**
 * Post-action verification as a pure state machine: fed every snapshot (`observe`) and every executed action
 * (`executed`), it keeps a pre-action baseline (mean over `baselineSeconds` up to the action), collects the
 * snapshots of the window after a settle time, and judges the action (judge.ts: improved | neutral | worse, worse
 * blamed on the action only when the load does not explain it). No I/O: the loop adapter (verification-planner.ts)
 * turns blamed results into undo proposals through the guardrails and results into journal notes.
 */
export class ActionVerifier {
  readonly config: VerificationConfig;
  private readonly history: { snapshot: Snapshot; signals: Map<string, ServiceSignals> }[] = [];
  private readonly watches = new Map<string, Watch>();
  private seq = 0;

  constructor(config: VerificationConfigInput = {}) {
    const parsed = VerificationConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(issue.message, `verification config ${issue.path.join('.') || '(root)'}`);
    }
    this.config = parsed.data;
  }

  /** Actions being watched, for reports and tests. */
  active(): { id: string; target: string; at: number; samples: number }[] {
    return [...this.watches.values()].map((w) => ({ id: w.id, target: w.target, at: w.exec.at, samples: w.samples.length }));
  }

  /**
   * Start watching an executed action. A watch already running on the same resource is superseded (two actions
   * cannot be told apart) and returned as inconclusive.
   */
  executed(e: ExecutedAction): VerificationResult[] {
    const target = actionTarget(e.action);
    const out: VerificationResult[] = [];
    for (const w of this.watches.values()) {
      if (w.target !== target) continue;
      this.watches.delete(w.id);
      out.push(this.result(w, e.at, 'inconclusive', [`superseded by another action on ${target} before its window ended`], [], false));
    }
    const base = this.history.filter((h) => h.snapshot.at <= e.at && h.snapshot.at > e.at - this.config.baselineSeconds && !h.snapshot.degraded);
    const before = base.at(-1)?.snapshot ?? this.history.filter((h) => h.snapshot.at <= e.at).at(-1)?.snapshot;
    if (!before) {
      out.push({ ...this.empty(e, target), reasons: ['no snapshot before the action to compare with'] });
      return out;
    }
    const services = 'service' in e.action ? [e.action.service] : before.services.map((s) => s.name);
    // A rollout step is owned by its canary analysis (plan/rollout) whoever proposed or approved it.
    const observeOnly = e.action.kind === 'rollout' || this.config.observeOnlySources.some((p) => e.source === p || e.source.startsWith(`${p}/`) || e.source.startsWith(`${p}:`));
    const baseline = meanSignals(base.length > 0 ? base.map((h) => h.signals) : [signalsOf(before)], services);
    const id = `verify-${++this.seq}`;
    this.watches.set(id, { id, exec: e, target, services, before, baseline, samples: [], observeOnly });
    return out;
  }

  /** Feed one snapshot; returns the actions whose window ended with it. */
  observe(snapshot: Snapshot): VerificationResult[] {
    const c = this.config;
    const signals = signalsOf(snapshot);
    this.history.push({ snapshot, signals });
    while (this.history.length > 1 && this.history[0].snapshot.at <= snapshot.at - c.baselineSeconds) this.history.shift();
    const out: VerificationResult[] = [];
    for (const w of [...this.watches.values()]) {
      const start = w.exec.at + c.settleSeconds;
      const since = snapshot.at - start;
      // A stale snapshot says nothing about the action's effect.
      if (since > 0 && since <= 2 * c.windowSeconds && !snapshot.degraded) w.samples.push(signals);
      if (since < c.windowSeconds) continue;
      if (w.samples.length < c.minSamples) {
        if (since >= 2 * c.windowSeconds) {
          this.watches.delete(w.id);
          out.push(this.result(w, snapshot.at, 'inconclusive', [`only ${w.samples.length} usable snapshots in the window (${c.minSamples} needed)`], [], false));
        }
        continue;
      }
      this.watches.delete(w.id);
      const observed = meanSignals(w.samples, w.services);
      const j = judge(w.baseline, observed, (s) => objectiveFor(c.objectives, s), c);
      const r = this.result(w, snapshot.at, j.verdict, j.reasons, j.services, j.blamed, observed);
      if (j.blamed) r.undo = inverseOf(w.exec.action, w.before, snapshot);
      out.push(r);
    }
    return out;
  }

  private result(
    w: Watch, judgedAt: number, verdict: VerificationResult['verdict'], reasons: string[], services: ServiceJudgement[], blamed: boolean,
    observed = meanSignals(w.samples, w.services),
  ): VerificationResult {
    return {
      id: w.id, action: w.exec.action, source: w.exec.source, target: w.target, at: w.exec.at, judgedAt, verdict, blamed, reasons,
      baseline: roundAll(w.baseline), observed: roundAll(observed), services, samples: w.samples.length, observeOnly: w.observeOnly,
    };
  }

  private empty(e: ExecutedAction, target: string): VerificationResult {
    return { id: `verify-${++this.seq}`, action: e.action, source: e.source, target, at: e.at, judgedAt: e.at, verdict: 'inconclusive', blamed: false, reasons: [], baseline: {}, observed: {}, services: [], samples: 0, observeOnly: false };
  }
}

function roundAll(m: ReadonlyMap<string, ServiceSignals>): Record<string, Record<string, number>> {
  return Object.fromEntries([...m].map(([k, v]) => [k, rounded(v)]));
}
