import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { ServiceTelemetry } from '../../core/snapshot.js';
import { AutoForecaster } from '../../analyze/forecast/select.js';
import { Z90, type Forecast } from '../../analyze/forecast/forecaster.js';
import { HpaPolicy, type HpaPolicyConfigInput } from './hpa.js';
import type { PlanContext, ScalingPolicy } from './policy.js';
import { replicasForLoad, slope } from './sizing.js';

export const PredictivePolicyConfigSchema = z.object({
  /** Share of a replica's service rate to plan for (the HPA's 80 % CPU target is ~79 % of it). */
  targetUtilization: z.number().gt(0).max(1).default(0.9),
  /**
   * The p99 latency objective per service (ms; `*` for the rest) — the seed framework's SLO is 200 ms. A fixed
   * utilisation is not enough for few replicas (an M/M/2 at 80 % waits far longer than an M/M/40), so the replicas
   * are also sized so the M/M/c p99 at the sized load stays within `latencyTargetShare` of the objective.
   */
  latencyObjectivesMs: z.record(z.string().min(1), z.number().positive()).default({ '*': 200 }),
  latencyTargetShare: z.number().gt(0).max(1).default(0.8),
  /**
   * Forecast quantile sized for, between p50 (cheapest) and p90 (safest); values between are read off the
   * forecast's p50–p90 spread assuming normal errors.
   */
  quantile: z.number().min(0.5).max(0.95).default(0.5),
  /** Pod start-up plus one loop period: replicas asked for now serve from now + this. */
  leadSeconds: z.number().nonnegative().default(45),
  /**
   * The 5-minute forecast cannot see a ramp inside a bucket, so the current rate is also extrapolated along its
   * slope (least squares over this window; rising only — a falling slope never removes capacity early)...
   */
  trendWindowSeconds: z.number().nonnegative().default(120),
  /** ...for at most this long ahead (a ramp does not go on for ever; 0 turns the trend off). */
  trendMaxSeconds: z.number().nonnegative().default(150),
  /** Forecast resolution (the forecasting models work on 5-minute buckets, 288 per day). */
  bucketSeconds: z.number().int().positive().default(300),
  /** Refit the forecaster (model choice by backtest) this often; between refits it only filters new points. */
  refitSeconds: z.number().positive().default(6 * 3600),
  /** Below this many 5-minute buckets the forecast's interval is not trusted: size on the point forecast and the current rate. */
  minHistoryBuckets: z.number().int().nonnegative().default(12),
  /** Scale-down: never below the largest need seen over this window (the HPA's stabilisation, applied to our own needs too). */
  scaleDownWindowSeconds: z.number().nonnegative().default(300),
  /** Scale-down: not within this long of a scale-up (an up then a down within 10 minutes counts as a flap). */
  scaleDownDelayAfterUpSeconds: z.number().nonnegative().default(300),
  /** Scale-down: never below the forecast need over this long ahead, so capacity is not removed just before it is needed... */
  scaleDownHorizonSeconds: z.number().nonnegative().default(600),
  /** ...at this quantile: a scale-down the load takes back within minutes is a flap, and costs a scale-up's lag. */
  scaleDownQuantile: z.number().min(0.5).max(0.95).default(0.75),
  /**
   * Scale-down sizes for this much more load than the window and the forecast show: hysteresis, so a load hovering
   * at a sizing threshold (noise, or the step from 3 to 4 replicas) does not move replicas back and forth.
   */
  scaleDownHysteresis: z.number().min(0).max(1).default(0.1),
  /** At most this share of the replicas removed per scale-down: smooth, so a wrong forecast costs little. */
  scaleDownMaxShare: z.number().gt(0).max(1).default(0.3),
  /** At least this long between two scale-downs: saves the guardrails' action budget for scale-ups. */
  scaleDownIntervalSeconds: z.number().nonnegative().default(60),
  /**
   * The guardrails' rate limit for one service (policy rateLimits): the planner spends it knowingly. Scale-downs
   * leave `reserveForScaleUp` actions of it unused, and the last actions before it runs out scale up for the
   * rest of the window, so a ramp is never left waiting for the limit to free.
   */
  actionBudget: z.object({ maxActions: z.number().int().positive(), windowSeconds: z.number().positive() }).default({ maxActions: 10, windowSeconds: 600 }),
  reserveForScaleUp: z.number().int().nonnegative().default(3),
  minReplicas: z.number().int().nonnegative().default(1),
  maxReplicas: z.number().int().positive().default(100),
  /** The exact HPA run beside the forecast; its choice is the floor (the safety net when the forecast is wrong). */
  hpa: z.custom<HpaPolicyConfigInput>().optional(),
});
export type PredictivePolicyConfig = z.output<typeof PredictivePolicyConfigSchema>;
export type PredictivePolicyConfigInput = z.input<typeof PredictivePolicyConfigSchema>;

/** The forecast load over a time span, as a decision quotes it. */
export interface LoadOutlook {
  /** Sized-for load (req/s): the configured quantile, the highest over the span. */
  load: number;
  p50: number;
  p10: number;
  p90: number;
  /** False when there is no forecast yet (first bucket) or its interval is not trusted (short history). */
  interval: boolean;
  /** The current rate and what its rising slope adds by the end of the span (req/s). */
  current: number;
  trend: number;
}

/** What a node planner needs from the replica planner: the replicas the forecast asks for some time ahead. */
export interface ReplicaOutlook {
  /** `trendSeconds`: how far the rising trend may be extrapolated (default: the policy's own cap). */
  replicasAhead(service: string, aheadSeconds: number, trendSeconds?: number): { replicas: number; outlook: LoadOutlook } | undefined;
}

interface ServiceModel {
  forecaster: AutoForecaster;
  /** Completed bucket means, oldest first. */
  history: number[];
  lastFitAt: number;
  bucketStart: number;
  bucketSum: number;
  bucketN: number;
  /** Forecast made when the current bucket started; index 0 is the current bucket. */
  forecast: Forecast | null;
  /** (time, request rate) of recent ticks, for the scale-down window. */
  seen: { at: number; rate: number }[];
  lastUpAt: number;
  lastDownAt: number;
  /** Times the service's replicas changed (executed scale actions, by anyone), within the action-budget window. */
  changes: number[];
  lastReplicas: number;
  /** (time, request rate) over the trend window. */
  recent: { at: number; rate: number }[];
  /** The latest telemetry, for replicasAhead. */
  svc: ServiceTelemetry;
  now: number;
}

/**
 * Predictive scaling: the replicas needed at now + lead time (pod start-up) from a forecast quantile of the
 * request rate and the per-replica capacity at the target utilisation; never below what the exact HPA would
 * choose right now (the safety floor); scale-down is smoothed (a window after any scale-up, the forecast over
 * the next minutes, hysteresis, bounded steps). Works from the first minutes: the forecaster's fallback ladder goes
 * naive → Holt → seasonal models as history grows, and until the interval can be trusted the current rate leads.
 */
export class PredictivePolicy implements ScalingPolicy, ReplicaOutlook {
  readonly name = 'predictive';
  readonly config: PredictivePolicyConfig;
  private readonly hpa: HpaPolicy;
  private readonly models = new Map<string, ServiceModel>();
  /** z of the configured quantile over z of p90: how far from p50 towards p90 (or past it) to size. */
  private readonly spreadFactor: number;
  private readonly downSpreadFactor: number;

  constructor(config: PredictivePolicyConfigInput = {}) {
    this.config = PredictivePolicyConfigSchema.parse(config);
    const { minReplicas, maxReplicas } = this.config;
    this.hpa = new HpaPolicy(this.config.hpa ?? { default: { minReplicas: Math.max(1, minReplicas), maxReplicas } });
    this.spreadFactor = normalQuantile(this.config.quantile) / Z90;
    this.downSpreadFactor = normalQuantile(this.config.scaleDownQuantile) / Z90;
  }

  decide(ctx: PlanContext): Proposal[] {
    const floors = new Map<string, number>();
    for (const p of this.hpa.decide(ctx)) if (p.action.kind === 'scale') floors.set(p.action.service, p.action.to);
    const out: Proposal[] = [];
    for (const svc of ctx.snapshot.services) {
      const m = this.observe(svc, ctx.now);
      const p = this.decideService(svc, m, floors.get(svc.name) ?? svc.replicas, ctx.now);
      if (p) out.push(p);
    }
    return out;
  }

  /** Replicas the forecast asks for `aheadSeconds` from the latest decision (for node planners); never below the current spec. */
  replicasAhead(service: string, aheadSeconds: number, trendSeconds?: number): { replicas: number; outlook: LoadOutlook } | undefined {
    const m = this.models.get(service);
    if (!m) return undefined;
    const outlook = this.outlook(m, aheadSeconds, trendSeconds);
    return { replicas: Math.max(m.svc.replicas, this.clampReplicas(this.needFor(outlook.load, m.svc))), outlook };
  }

  /** Feeds the request rate into 5-minute buckets and refreshes the forecast when a bucket closes. */
  private observe(svc: ServiceTelemetry, now: number): ServiceModel {
    const b = this.config.bucketSeconds;
    let m = this.models.get(svc.name);
    if (!m) {
      m = {
        forecaster: new AutoForecaster(), history: [], lastFitAt: -Infinity, bucketStart: Math.floor(now / b) * b, bucketSum: 0, bucketN: 0,
        forecast: null, seen: [], lastUpAt: -Infinity, lastDownAt: -Infinity, changes: [], lastReplicas: svc.replicas, recent: [], svc, now,
      };
      this.models.set(svc.name, m);
    }
    if (now >= m.bucketStart + b) {
      if (m.bucketN > 0) {
        const mean = m.bucketSum / m.bucketN;
        m.history.push(mean);
        this.refresh(m, mean, now);
      }
      m.bucketStart = Math.floor(now / b) * b;
      m.bucketSum = 0;
      m.bucketN = 0;
    }
    m.bucketSum += svc.requestRate;
    m.bucketN++;
    m.recent.push({ at: now, rate: svc.requestRate });
    while (m.recent.length > 0 && m.recent[0].at < now - this.config.trendWindowSeconds) m.recent.shift();
    if (svc.replicas !== m.lastReplicas) m.changes.push(now);
    m.lastReplicas = svc.replicas;
    const since = now - this.config.actionBudget.windowSeconds;
    while (m.changes.length > 0 && m.changes[0] <= since) m.changes.shift();
    m.svc = svc;
    m.now = now;
    return m;
  }

  private refresh(m: ServiceModel, newest: number, now: number): void {
    const n = m.history.length;
    // Refit while history is short (the fallback ladder changes model as it grows), when two seasons are
    // first available, and then periodically; in between only filter the new point (cheap).
    const due = n < 48 || n === 2 * 288 || now - m.lastFitAt >= this.config.refitSeconds;
    if (due) {
      m.forecaster.fit(m.history);
      m.lastFitAt = now;
    } else m.forecaster.update([newest]);
    const { leadSeconds, scaleDownHorizonSeconds, bucketSeconds } = this.config;
    // Long enough for the scale-down horizon and for node planners (provisioning ≈ minutes).
    const steps = Math.ceil(Math.max(leadSeconds, scaleDownHorizonSeconds, 900) / bucketSeconds) + 2;
    m.forecast = m.forecaster.predict(steps);
  }

  /**
   * The load over [now, now + span]: per forecast bucket the configured quantile, the highest bucket wins (capacity
   * must cover the worst one); never below the current rate extrapolated along its rising slope, which the
   * bucket forecast cannot undercut for the present.
   */
  private outlook(m: ServiceModel, span: number, trendSeconds = this.config.trendMaxSeconds, spreadFactor = this.spreadFactor): LoadOutlook {
    const current = m.svc.requestRate;
    const trend = Math.max(0, slope(m.recent)) * Math.min(span, trendSeconds);
    const f = m.forecast;
    if (!f) return { load: current + trend, p50: 0, p10: 0, p90: 0, interval: false, current, trend };
    const b = this.config.bucketSeconds;
    const last = f.p50.length - 1;
    const k0 = Math.min(last, Math.max(0, Math.floor((m.now - m.bucketStart) / b)));
    const k1 = Math.min(last, Math.max(k0, Math.floor((m.now + span - m.bucketStart) / b)));
    const trusted = m.history.length >= this.config.minHistoryBuckets;
    let load = current + trend;
    let p50 = 0;
    let p10 = 0;
    let p90 = 0;
    for (let k = k0; k <= k1; k++) {
      const spread = Math.max(0, f.p90[k] - f.p50[k]);
      const q = trusted ? f.p50[k] + spreadFactor * spread : f.p50[k];
      if (q > load) load = q;
      if (f.p50[k] >= p50) {
        p50 = f.p50[k];
        p10 = f.p10[k];
        p90 = f.p90[k];
      }
    }
    return { load: Math.max(0, load), p50: Math.max(0, p50), p10: Math.max(0, p10), p90: Math.max(0, p90), interval: trusted, current, trend };
  }

  /** Replicas for a load: the target utilisation, and enough that the M/M/c p99 meets the latency objective. */
  private needFor(load: number, svc: ServiceTelemetry): number {
    const objective = this.config.latencyObjectivesMs[svc.name] ?? this.config.latencyObjectivesMs['*'];
    return replicasForLoad(load, svc.serviceRatePerReplica, this.config.targetUtilization, objective === undefined ? undefined : (objective * this.config.latencyTargetShare) / 1000);
  }

  private clampReplicas(n: number): number {
    return Math.min(this.config.maxReplicas, Math.max(this.config.minReplicas, 1, n));
  }

  private decideService(svc: ServiceTelemetry, m: ServiceModel, hpaFloor: number, now: number): Proposal | undefined {
    const c = this.config;
    const up = this.outlook(m, c.leadSeconds);
    const upNeed = this.needFor(up.load, svc);
    const need = this.clampReplicas(Math.max(upNeed, hpaFloor));
    // The window remembers the rates seen — not the extrapolations that drove scale-ups (holding a ramp's projected
    // peak after it stopped only costs), nor the HPA floor, which has its own stabilisation window.
    m.seen.push({ at: now, rate: svc.requestRate });
    while (m.seen.length > 0 && m.seen[0].at < now - c.scaleDownWindowSeconds) m.seen.shift();

    const used = m.changes.length;
    const { maxActions, windowSeconds } = c.actionBudget;
    if (need > svc.replicas) {
      m.lastUpAt = now;
      let why = upNeed >= hpaFloor
        ? `${describe(up, c.quantile, `the next ${c.leadSeconds}s`)} needs ${upNeed} replicas at ${pct(c.targetUtilization)} of ${fmt(svc.serviceRatePerReplica)} req/s each`
        : `the HPA floor is ${hpaFloor} (${describe(up, c.quantile, `the next ${c.leadSeconds}s`)} would need ${upNeed})`;
      let target = need;
      if (used >= maxActions - 2) {
        // Almost out of the guardrails' action budget: cover the forecast until the oldest action leaves the window.
        const span = Math.max(c.leadSeconds, m.changes[0] + windowSeconds - now);
        // The trend too: the ramp under way is the reason the budget is running out.
        const longer = this.outlook(m, span, span);
        const longerNeed = this.clampReplicas(this.needFor(longer.load, svc));
        if (longerNeed > target) {
          target = longerNeed;
          why += `; ${used} of the ${maxActions} actions per ${windowSeconds}s the guardrails allow are spent, so it covers the next ${Math.round(span)}s, for which ${describe(longer, c.quantile, 'that span')} needs ${longerNeed}`;
        }
      }
      return this.proposal(svc, target, why, { up, upNeed, hpaFloor, need, m });
    }
    if (svc.replicas <= need) return undefined;
    if (now - m.lastUpAt < c.scaleDownDelayAfterUpSeconds || now - m.lastDownAt < c.scaleDownIntervalSeconds) return undefined;
    // Keep the last actions of the budget for scale-ups: a scale-down denied costs nothing, a scale-up denied costs the SLO.
    if (used >= maxActions - c.reserveForScaleUp) return undefined;
    const ahead = this.outlook(m, c.scaleDownHorizonSeconds, c.trendMaxSeconds, this.downSpreadFactor);
    const margin = 1 + c.scaleDownHysteresis;
    const aheadNeed = this.needFor(ahead.load * margin, svc);
    const windowMax = this.needFor(m.seen.reduce((a, x) => Math.max(a, x.rate), 0) * margin, svc);
    const keep = this.clampReplicas(Math.max(windowMax, aheadNeed, hpaFloor));
    if (keep >= svc.replicas) return undefined;
    const target = Math.max(keep, svc.replicas - Math.max(1, Math.floor(c.scaleDownMaxShare * svc.replicas)));
    m.lastDownAt = now;
    const why =
      `${describe(ahead, c.scaleDownQuantile, `the next ${c.scaleDownHorizonSeconds}s`)} needs ${aheadNeed} with ${pct(c.scaleDownHysteresis)} to spare, ` +
      `the busiest moment of the last ${c.scaleDownWindowSeconds}s needs ${windowMax}, the HPA floor is ${hpaFloor}` +
      (target > keep ? `; stepping down at most ${pct(c.scaleDownMaxShare)} at a time` : '');
    return this.proposal(svc, target, why, { up: ahead, upNeed: aheadNeed, hpaFloor, need: keep, m });
  }

  private proposal(svc: ServiceTelemetry, target: number, why: string, e: { up: LoadOutlook; upNeed: number; hpaFloor: number; need: number; m: ServiceModel }): Proposal {
    const dir = target > svc.replicas ? 'up' : 'down';
    const perReplica = svc.serviceRatePerReplica * this.config.targetUtilization;
    return {
      action: { kind: 'scale', service: svc.name, from: svc.replicas, to: target },
      source: this.name,
      rationale: `Predictive: ${svc.name} ${dir} ${svc.replicas}→${target} because ${why}.`,
      evidence: {
        requestRate: round(svc.requestRate),
        sizedLoad: round(e.up.load),
        p50: round(e.up.p50),
        p10: round(e.up.p10),
        p90: round(e.up.p90),
        quantile: this.config.quantile,
        intervalTrusted: e.up.interval,
        forecastNeed: e.upNeed,
        hpaFloor: e.hpaFloor,
        need: e.need,
        leadSeconds: this.config.leadSeconds,
        model: e.m.forecaster.choice.mode,
        history5m: e.m.history.length,
      },
      expectedEffect: `${svc.name} has capacity for ${fmt(target * perReplica)} req/s at ${pct(this.config.targetUtilization)} utilisation`,
    };
  }
}

/** "the forecast for the next 45s is 950 req/s (p10–p90 880–1090); sized at q75 …: 1020 req/s". */
function describe(o: LoadOutlook, q: number, span: string): string {
  const trend = o.trend > 0 ? ` rising ${fmt(o.trend)} req/s` : '';
  const now = `the current ${fmt(o.current)} req/s${trend}`;
  if (o.p50 === 0 && o.p90 === 0 && !o.interval) return `with no forecast yet for ${span} (first bucket), ${now}`;
  const sized = o.interval ? `sized at q${Math.round(q * 100)}` : 'interval not trusted yet (short history), sized at p50';
  return `the forecast for ${span} is ${fmt(o.p50)} req/s (p10–p90 ${fmt(o.p10)}–${fmt(o.p90)}; ${sized}, or ${now}: ${fmt(o.load)} req/s)`;
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const round = (x: number): number => Math.round(x * 100) / 100;
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const pct = (x: number): string => `${Math.round(x * 100)}%`;
