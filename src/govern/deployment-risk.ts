/**
 * Deployment risk: how likely a rollout is to fail, learned from the journal's rollout history, and a RiskRaiser
 * that lifts a risky rollout's guardrail tier to high, so a human approves it before any canary traffic moves.
 *
 * Features (each a number, named in the output with its contribution to the log-odds):
 *   imageChanged, configKeys (log1p of keys changed), replicaDelta (log1p |Δ|): the size of the change;
 *   recentFailures: this service's rollouts rolled back or refused within `recentFailureDays`;
 *   serviceIncidents (log1p): detections, escalations and actions verified worse for the service within `lookbackDays`;
 *   offHours, friday: when it starts (in the configured UTC offset).
 * The model is a logistic regression fitted by analyze/anomaly/ensemble.ts's fitLogistic (reused: Newton/IRLS,
 * L2, class-balanced), its intercept moved back by log(failures/successes) so the balanced fit gives calibrated
 * probabilities again (King & Zeng 2001's prior correction). Each training row's features are computed from the
 * history strictly before it, as at scoring time. With too little history (or one class only) the prior weights
 * below stand: a hand-set judgement that a small, daytime change of a quiet service is safe (≈ 5 %) and that
 * recent failures weigh most.
 */
import { z } from 'zod';
import { describeAction, type Action } from '../core/action.js';
import type { Snapshot } from '../core/snapshot.js';
import { UserError } from '../core/errors.js';
import { fitLogistic } from '../analyze/anomaly/ensemble.js';
import type { RiskRaiser } from './guardrails.js';
import type { RiskTier } from './policy.js';
import { ROLLOUT_RESULT_KIND } from '../plan/rollout/rollout-planner.js';

export const FEATURES = ['imageChanged', 'configKeys', 'replicaDelta', 'recentFailures', 'serviceIncidents', 'offHours', 'friday'] as const;
export type RiskFeature = (typeof FEATURES)[number];

export const DeploymentRiskConfigSchema = z.strictObject({
  /** Risk at or above this raises a rollout's tier to high (a human approves it). */
  threshold: z.number().gt(0).lt(1).default(0.5),
  recentFailureDays: z.number().positive().default(14),
  lookbackDays: z.number().positive().default(30),
  /** Local working hours [start, end) in hours, and the local offset from UTC; outside them is off-hours, as are weekends. */
  workingHours: z.tuple([z.number().min(0).max(24), z.number().min(0).max(24)]).default([8, 18]),
  utcOffsetHours: z.number().min(-14).max(14).default(0),
  /** Fewer finished rollouts than this in the journal, or only one outcome among them: the prior model is used. */
  minTrainingRows: z.number().int().positive().default(10),
  l2: z.number().nonnegative().default(0.05),
});
export type DeploymentRiskConfig = z.output<typeof DeploymentRiskConfigSchema>;
export type DeploymentRiskConfigInput = z.input<typeof DeploymentRiskConfigSchema>;

/** Prior log-odds weights (see the file comment); bias −3 ≈ 5 % for a change with no risk feature. */
export const PRIOR_MODEL: { bias: number; weights: Record<RiskFeature, number> } = {
  bias: -3,
  weights: { imageChanged: 0.8, configKeys: 0.5, replicaDelta: 0.3, recentFailures: 1.1, serviceIncidents: 0.6, offHours: 0.8, friday: 0.7 },
};

export interface RolloutChangeSize {
  imageChanged: boolean;
  configKeysChanged: number;
  replicaDelta: number;
}

/** A finished rollout as the journal records it (plan/rollout's `rollout-result` note). */
export interface RolloutRecord {
  at: number;
  service: string;
  change: RolloutChangeSize;
  failed: boolean;
}

/** Something that went wrong with a service (a detection, an escalation, an action verified worse). */
export interface IncidentRecord {
  at: number;
  service: string;
}

export interface RiskScore {
  risk: number;
  tier: RiskTier;
  model: 'prior' | 'learned';
  /** Features with their values and contributions to the log-odds, largest contribution first. */
  contributions: { feature: RiskFeature; value: number; weight: number; contribution: number }[];
}

/** The journal entry fields the risk model reads (JournalEntry and the loop's DecisionEntry both have them). */
export interface JournalLike {
  at: number;
  kind: string;
  payload: unknown;
}

const ChangeSchema = z.object({ imageChanged: z.boolean(), configKeysChanged: z.number(), replicaDelta: z.number() });
const RolloutResultPayload = z.object({ service: z.string(), outcome: z.enum(['promoted', 'rolled-back', 'refused']), change: ChangeSchema, startedAt: z.number() });
const TargetPayload = z.object({ target: z.string() });
const VerifiedPayload = z.object({ target: z.string(), verdict: z.string() });
const INCIDENT_KINDS = new Set(['detection', 'escalation']);

/** Rollout history and incidents from journal entries; unreadable entries are skipped (the journal is append-only history, not input to reject). */
export function historyFromJournal(entries: readonly JournalLike[]): { rollouts: RolloutRecord[]; incidents: IncidentRecord[] } {
  const rollouts: RolloutRecord[] = [];
  const incidents: IncidentRecord[] = [];
  for (const e of entries) {
    if (e.kind === ROLLOUT_RESULT_KIND) {
      const p = RolloutResultPayload.safeParse(e.payload);
      // A refused rollout never ran: it says nothing about whether the change would have failed.
      if (p.success && p.data.outcome !== 'refused') rollouts.push({ at: p.data.startedAt, service: p.data.service, change: p.data.change, failed: p.data.outcome === 'rolled-back' });
    } else if (INCIDENT_KINDS.has(e.kind)) {
      const p = TargetPayload.safeParse(e.payload);
      if (p.success && p.data.target.startsWith('service/')) incidents.push({ at: e.at, service: p.data.target.slice('service/'.length) });
    } else if (e.kind === 'action-verification') {
      const p = VerifiedPayload.safeParse(e.payload);
      if (p.success && p.data.verdict === 'worse' && p.data.target.startsWith('service/')) incidents.push({ at: e.at, service: p.data.target.slice('service/'.length) });
    }
  }
  rollouts.sort((a, b) => a.at - b.at);
  incidents.sort((a, b) => a.at - b.at);
  return { rollouts, incidents };
}

/** The feature vector of a rollout of `service` starting at `at`, from the history before `at`. Pure. */
export function riskFeatures(
  service: string, change: RolloutChangeSize, at: number, history: { rollouts: readonly RolloutRecord[]; incidents: readonly IncidentRecord[] }, c: DeploymentRiskConfig,
): Record<RiskFeature, number> {
  const day = 86_400;
  const recentFailures = history.rollouts.filter((r) => r.service === service && r.failed && r.at < at && r.at >= at - c.recentFailureDays * day).length;
  const incidents = history.incidents.filter((i) => i.service === service && i.at < at && i.at >= at - c.lookbackDays * day).length;
  const local = new Date((at + c.utcOffsetHours * 3600) * 1000);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
  const weekday = local.getUTCDay();
  const [start, end] = c.workingHours;
  const working = start <= end ? hour >= start && hour < end : hour >= start || hour < end;
  return {
    imageChanged: change.imageChanged ? 1 : 0,
    configKeys: Math.log1p(change.configKeysChanged),
    replicaDelta: Math.log1p(Math.abs(change.replicaDelta)),
    recentFailures: Math.min(5, recentFailures),
    serviceIncidents: Math.log1p(incidents),
    offHours: !working || weekday === 0 || weekday === 6 ? 1 : 0,
    friday: weekday === 5 ? 1 : 0,
  };
}

/** The journal as the risk model reads it (knowledge/journal.ts's Journal has this method). */
export interface JournalReader {
  list(q: { kind?: string; since?: number; limit?: number }): Promise<readonly JournalLike[]>;
}

/** The journal kinds the model learns from. */
export const RISK_HISTORY_KINDS = [ROLLOUT_RESULT_KIND, 'detection', 'escalation', 'action-verification'] as const;

/** Read the history the model needs (the lookback window, and all rollout results) and (re)fit `risk` on it. */
export async function learnFromJournal(risk: DeploymentRisk, journal: JournalReader, now: number): Promise<ReturnType<DeploymentRisk['learn']>> {
  const entries: JournalLike[] = [];
  for (const kind of RISK_HISTORY_KINDS) {
    const since = kind === ROLLOUT_RESULT_KIND ? undefined : now - risk.config.lookbackDays * 86_400;
    entries.push(...(await journal.list({ kind, ...(since !== undefined ? { since } : {}), limit: 100_000 })));
  }
  return risk.learn(entries);
}

/**
 * The deployment-risk model and guardrail hook. `learn` (re)fits it from journal entries; `score` rates a change;
 * as a RiskRaiser it raises the first step of a rollout (the one that carries its `change`) to high at or above
 * the threshold. Later steps and aborts carry no change and are never raised: taking traffic away must not wait.
 */
export class DeploymentRisk implements RiskRaiser {
  readonly config: DeploymentRiskConfig;
  private model: { bias: number; weights: Record<RiskFeature, number> } = PRIOR_MODEL;
  private source: 'prior' | 'learned' = 'prior';
  private history: { rollouts: RolloutRecord[]; incidents: IncidentRecord[] } = { rollouts: [], incidents: [] };

  constructor(config: DeploymentRiskConfigInput = {}) {
    const parsed = DeploymentRiskConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(issue.message, `deployment-risk config ${issue.path.join('.') || '(root)'}`);
    }
    this.config = parsed.data;
  }

  /** Replace the history with the journal's and refit. Returns which model is now in use and on how many rollouts. */
  learn(entries: readonly JournalLike[]): { model: 'prior' | 'learned'; rollouts: number; failures: number } {
    this.history = historyFromJournal(entries);
    const rows = this.history.rollouts.map((r) => riskFeatures(r.service, r.change, r.at, this.history, this.config));
    const y: number[] = this.history.rollouts.map((r) => (r.failed ? 1 : 0));
    const failures = y.reduce((a, b) => a + b, 0);
    const n = y.length;
    if (n < this.config.minTrainingRows || failures === 0 || failures === n) {
      this.model = PRIOR_MODEL;
      this.source = 'prior';
    } else {
      const fit = fitLogistic(rows.map((r) => FEATURES.map((f) => r[f])), y, { l2: this.config.l2 });
      const weights = Object.fromEntries(FEATURES.map((f, i) => [f, fit.weights[i]])) as Record<RiskFeature, number>;
      this.model = { bias: fit.bias + Math.log(failures / (n - failures)), weights };
      this.source = 'learned';
    }
    return { model: this.source, rollouts: n, failures };
  }

  score(service: string, change: RolloutChangeSize, now: number): RiskScore {
    const x = riskFeatures(service, change, now, this.history, this.config);
    let z = this.model.bias;
    const contributions = FEATURES.map((feature) => {
      const weight = this.model.weights[feature];
      const contribution = weight * x[feature];
      z += contribution;
      return { feature, value: round(x[feature]), weight: round(weight), contribution: round(contribution) };
    }).sort((a, b) => b.contribution - a.contribution);
    const risk = 1 / (1 + Math.exp(-z));
    return { risk, tier: risk >= this.config.threshold ? 'high' : 'low', model: this.source, contributions };
  }

  raise(action: Action, _snapshot: Snapshot, now: number): { tier: RiskTier; reason: string } | undefined {
    if (action.kind !== 'rollout' || !action.change || action.weight === 0) return undefined;
    const s = this.score(action.service, action.change, now);
    if (s.tier !== 'high') return undefined;
    const top = s.contributions.filter((c) => c.contribution > 0).slice(0, 3).map((c) => `${c.feature} ${c.value} (+${c.contribution.toFixed(2)})`).join(', ');
    return {
      tier: 'high',
      reason: `deployment risk ${(s.risk * 100).toFixed(0)}% ≥ ${(this.config.threshold * 100).toFixed(0)}% for ${describeAction(action)} (${s.model} model; most: ${top || 'none'}).`,
    };
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
