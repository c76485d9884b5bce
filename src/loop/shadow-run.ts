/**
 * `autonomic simulate --shadow rl`: the RL policy in shadow mode beside the simulation's active policy. Each tick
 * it decides on the active loop's snapshot (agreement, shadow-agreement.ts), and a forked twin runs it in charge
 * for the same window (counterfactual, shadow-counterfactual.ts). Journal: `shadow.agreement` for every tick where
 * either wanted a change (ticks where both hold are counted, not journaled: they are most ticks),
 * `shadow.counterfactual` per window, and the candidate's own notes as `shadow.<kind>` (e.g. its out-of-distribution
 * fallbacks). Nothing the shadow does reaches the real twin.
 */
import { UserError } from '../core/errors.js';
import { Guardrails } from '../govern/guardrails.js';
import { MemoryApprovalRepository } from '../govern/memory-approval-repository.js';
import { ModelRegistry } from '../knowledge/model-registry.js';
import type { Store } from '../knowledge/store.js';
import type { ScalingPolicy } from '../plan/scaling/policy.js';
import { ClusterAutoscalerPolicy } from '../plan/scaling/cluster-autoscaler.js';
import { HpaPolicy } from '../plan/scaling/hpa.js';
import { PredictivePolicy } from '../plan/scaling/predictive.js';
import { StaticPolicy } from '../plan/scaling/static.js';
import { RlPolicy } from '../plan/rl/policy.js';
import { loadModel, modelFromJson, type RlModel } from '../plan/rl/model.js';
import { RL_MODEL_KIND } from '../plan/rl/registry.js';
import { ApprovalFlow } from './approval-flow.js';
import type { DecisionEntry, DecisionSink, TickResult } from './controller.js';
import { SHOP } from './scenario.js';
import { buildPlanners, type PreparedSimulation } from './simulation.js';
import { ShadowAgreement, type AgreementSummary, type AgreementTick } from './shadow-agreement.js';
import { ShadowCounterfactual, type CounterfactualSummary, type CounterfactualWindow } from './shadow-counterfactual.js';

import { DEFAULT_SHADOW_WINDOW_SECONDS, type ShadowPolicyName } from './shadow-options.js';
export { DEFAULT_SHADOW_WINDOW_SECONDS, SHADOW_POLICIES, type ShadowPolicyName } from './shadow-options.js';

export interface ShadowReport {
  policy: ShadowPolicyName;
  active: string;
  model: { source: string; episodes: number; convergedAt: number | null; finalReward: number };
  agreement: AgreementSummary;
  counterfactual: CounterfactualSummary;
}

/** The RL model: a file, or else the newest `rl-ppo` model in the store's registry (`autonomic train rl` puts it there). */
export async function resolveShadowModel(file: string | undefined, store: Store | null): Promise<{ model: RlModel; source: string }> {
  if (file) return { model: loadModel(file), source: file };
  const recs = store ? (await new ModelRegistry(store.db).history()).filter((m) => m.kind === RL_MODEL_KIND && m.state) : [];
  const rec = recs[recs.length - 1];
  if (!rec?.state) throw new UserError('no RL model: train one with `autonomic train rl --trace …` or pass --rl-model FILE', '--shadow');
  return { model: modelFromJson(new TextDecoder().decode(rec.state), `model #${rec.id}`), source: `registry model #${rec.id}` };
}

/** The shop's replica bounds, as buildPlanners gives them to the HPA and the predictive policy. */
const SHOP_REPLICAS = { minReplicas: 2, maxReplicas: Math.min(100, Math.max(...SHOP.map((s) => s.staticReplicas * 4))) };

/** The replica scaler of a planner set, which the RL policy replaces (healing, verification and nodes stay). */
const isReplicaScaler = (p: ScalingPolicy): boolean => p instanceof PredictivePolicy || p instanceof HpaPolicy || p instanceof StaticPolicy;
const isFallback = (p: { source: string }): boolean => p.source.includes('/fallback:');

export class ShadowSession {
  private readonly agreement: ShadowAgreement;
  private readonly counterfactual: ShadowCounterfactual;
  private journal: { sink: DecisionSink; runId: string | null; until?: number } | null = null;
  private readonly candidateName: string;

  constructor(private readonly prepared: PreparedSimulation, readonly model: RlModel, private readonly modelSource: string, windowSeconds = DEFAULT_SHADOW_WINDOW_SECONDS) {
    const { spec, guardrailPolicy, playbooks } = prepared;
    // Fresh planners for each use: policies keep state, and neither shadow may share the active loop's. No canary
    // rollouts in the shadow's world (they need the real twin's revision telemetry): a limit of the counterfactual.
    const fresh = () => buildPlanners(spec.policy, guardrailPolicy, playbooks);
    const rl = (fallback: ScalingPolicy) => new RlPolicy(model, fallback, { ...SHOP_REPLICAS, cluster: guardrailPolicy.cluster });
    const fallbackFor = (): ScalingPolicy => {
      const p = fresh().policies.find(isReplicaScaler);
      if (!p) throw new Error(`policy ${spec.policy} has no replica scaler`);
      return p;
    };
    const candidate = rl(fallbackFor());
    this.candidateName = candidate.name;
    this.agreement = new ShadowAgreement(candidate, isFallback);
    // The candidate in charge: the active set with its replica scaler replaced by the RL policy (falling back to
    // it), healing kept, and a cluster autoscaler beside its node head (the static set has none), as in training.
    const set = fresh();
    // Node removal is the node head's, so the cluster autoscaler only adds for Pending pods.
    const backstop = (ca: ClusterAutoscalerPolicy) => new ClusterAutoscalerPolicy({ ...ca.config, scaleDownEnabled: false });
    const policies = set.policies.map((p) => (isReplicaScaler(p) ? rl(p) : p instanceof ClusterAutoscalerPolicy ? backstop(p) : p));
    if (!policies.some((p) => p instanceof ClusterAutoscalerPolicy)) {
      const ca = buildPlanners('hpa', guardrailPolicy).policies.find((p) => p instanceof ClusterAutoscalerPolicy);
      if (ca instanceof ClusterAutoscalerPolicy) policies.push(backstop(ca));
    }
    this.counterfactual = new ShadowCounterfactual({
      windowSeconds,
      origin: prepared.twin.time,
      planners: { policies, analyzers: set.analyzers },
      guardrails: new Guardrails(guardrailPolicy),
      approvals: new ApprovalFlow({
        repo: new MemoryApprovalRepository(),
        expirySeconds: guardrailPolicy.approvals.expirySeconds,
        simulatedOperatorSeconds: spec.approveAfterSeconds ?? undefined,
      }),
    });
  }

  /** Journal the shadow's entries into `sink` (entries at or before `until` are already there: a resumed run). */
  attachJournal(sink: DecisionSink, runId: string | null, until?: number): void {
    this.journal = { sink, runId, until };
  }

  /** runSimulation's onTick. */
  async onTick(r: TickResult): Promise<void> {
    const a = this.agreement.observe(r);
    const w = await this.counterfactual.afterTick(this.prepared.twin, r);
    await this.write([...this.agreementEntries(a), ...(w ? [this.windowEntry(w)] : [])]);
  }

  /** Closes the last window and returns the report. */
  async finish(): Promise<ShadowReport> {
    const w = this.counterfactual.finish(this.prepared.twin);
    if (w) await this.write([this.windowEntry(w)]);
    const t = this.model.training;
    return {
      policy: 'rl',
      active: this.prepared.spec.policy,
      model: { source: this.modelSource, episodes: t.episodes, convergedAt: t.convergedAt, finalReward: t.finalReward },
      agreement: this.agreement.summary(),
      counterfactual: this.counterfactual.summary(),
    };
  }

  private async write(entries: DecisionEntry[]): Promise<void> {
    const j = this.journal;
    if (!j || entries.length === 0) return;
    const fresh = j.until === undefined ? entries : entries.filter((e) => e.at > (j.until ?? -Infinity));
    if (fresh.length > 0) await j.sink.appendBatch(fresh);
  }

  private agreementEntries(a: AgreementTick): DecisionEntry[] {
    const runId = this.journal?.runId ?? null;
    const actor = `shadow:${this.candidateName}`;
    const out: DecisionEntry[] = a.notes.map((n) => ({ at: a.at, runId, kind: `shadow.${n.kind}`, actor, summary: n.summary, payload: n.payload }));
    const decisive = a.services.filter((s) => s.active !== s.replicas || s.shadow !== s.replicas);
    if (decisive.length === 0) return out;
    const active = this.prepared.spec.policy;
    const words = decisive.map(
      (s) => `${s.service} at ${s.replicas}: ${active} → ${s.active}, ${this.candidateName}${s.fallback ? ' (fallback)' : ''} → ${s.shadow} (${s.agree ? 'agree' : 'disagree'})`,
    );
    out.push({
      at: a.at,
      runId,
      kind: 'shadow.agreement',
      actor,
      summary: words.join('; '),
      payload: { active, shadow: this.candidateName, services: a.services.map((s) => ({ ...s })) },
    });
    return out;
  }

  private windowEntry(w: CounterfactualWindow): DecisionEntry {
    const f = (x: number, d = 2) => x.toFixed(d);
    const sign = (x: number, d = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;
    return {
      at: w.to,
      runId: this.journal?.runId ?? null,
      kind: 'shadow.counterfactual',
      actor: `shadow:${this.candidateName}`,
      summary:
        `${new Date(w.from * 1000).toISOString()}–${new Date(w.to * 1000).toISOString()}: with ${this.candidateName} in charge (forked twin) ` +
        `$${f(w.counterfactual.costDollars)} and ${f(w.counterfactual.sloViolationMinutes, 1)} SLO-violation min; actual (${this.prepared.spec.policy}) ` +
        `$${f(w.actual.costDollars)} and ${f(w.actual.sloViolationMinutes, 1)} min (Δ $${sign(w.delta.costDollars)}, ${sign(w.delta.sloViolationMinutes, 1)} min)`,
      payload: { from: w.from, to: w.to, actual: { ...w.actual }, counterfactual: { ...w.counterfactual }, delta: { ...w.delta } },
    };
  }
}

/** The text summary `autonomic simulate --shadow` prints. */
export function describeShadow(r: ShadowReport, runId?: string): string {
  const a = r.agreement;
  const c = r.counterfactual;
  const sign = (x: number, d = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;
  const conv = r.model.convergedAt === null ? 'not converged' : `converged at episode ${r.model.convergedAt}`;
  return [
    `shadow ${r.policy} (${r.model.source}: ${r.model.episodes} episodes, ${conv}) beside ${r.active}:`,
    `  agreement: ${a.agreementPct.toFixed(1)} % of ${a.serviceTicks} service-ticks chose the same direction; ` +
      `${Number.isNaN(a.decisiveAgreementPct) ? '-' : a.decisiveAgreementPct.toFixed(1)} % of the ${a.decisive} where either wanted a change; ` +
      `${a.fallbacks} service-ticks fell back (out of distribution)`,
    `  counterfactual (${c.windows} windows of ${c.windowSeconds / 60} min, forked twin): ${r.policy} $${c.counterfactual.costDollars.toFixed(2)}, ` +
      `${c.counterfactual.sloViolationMinutes.toFixed(1)} SLO-violation min, ${c.counterfactual.actions} actions vs actual $${c.actual.costDollars.toFixed(2)}, ` +
      `${c.actual.sloViolationMinutes.toFixed(1)} min, ${c.actual.actions} actions`,
    `  delta (${r.policy} − actual): $${sign(c.delta.costDollars)} (${Number.isNaN(c.delta.costPct) ? '-' : sign(c.delta.costPct, 1)} %), ` +
      `${sign(c.delta.sloViolationMinutes, 1)} SLO-violation min; no worse in ${c.windowsNoWorse}/${c.windows} windows` +
      (runId ? `\n  (autonomic audit list --run ${runId} --kind shadow.agreement|shadow.counterfactual)` : ''),
  ].join('\n');
}
