import { z } from 'zod';
import type { Proposal } from '../../core/proposal.js';
import type { ServiceTelemetry } from '../../core/snapshot.js';
import { AutoForecaster } from '../../analyze/forecast/select.js';
import type { Forecast } from '../../analyze/forecast/forecaster.js';
import { HpaPolicy, type HpaPolicyConfigInput } from './hpa.js';
import type { PlanContext, ScalingPolicy } from './policy.js';

export const PredictivePolicyConfigSchema = z.object({
  /** Fraction of a replica's service rate to plan for: headroom for noise the forecast does not see. */
  targetUtilization: z.number().gt(0).max(1).default(0.7),
  /** Forecast quantile sized for: p50 saves money, p90 protects the SLO. */
  quantile: z.enum(['p50', 'p90']).default('p90'),
  /** Seconds from deciding to serving: pod start-up plus the metrics pipeline. Capacity must be ready by then. */
  leadSeconds: z.number().nonnegative().default(120),
  /** Forecast resolution (the forecasting models work on 5-minute buckets, 288 per day). */
  bucketSeconds: z.number().int().positive().default(300),
  /** Refit the forecaster (model choice by backtest) this often; between refits it only filters new points. */
  refitSeconds: z.number().positive().default(6 * 3600),
  /** Scale down only to the largest need seen over this window, so a dip does not cost a scale-up later. */
  scaleDownWindowSeconds: z.number().nonnegative().default(600),
  minReplicas: z.number().int().nonnegative().default(1),
  maxReplicas: z.number().int().positive().default(100),
  /** The exact HPA run beside the forecast; its choice is the floor (the safety net when the forecast is wrong). */
  hpa: z.custom<HpaPolicyConfigInput>().optional(),
});
export type PredictivePolicyConfig = z.output<typeof PredictivePolicyConfigSchema>;
export type PredictivePolicyConfigInput = z.input<typeof PredictivePolicyConfigSchema>;

interface ServiceModel {
  forecaster: AutoForecaster;
  /** Completed bucket means, oldest first. */
  history: number[];
  fittedAtLength: number;
  lastFitAt: number;
  bucketStart: number;
  bucketSum: number;
  bucketN: number;
  forecast: Forecast | null;
  /** (time, need) of recent decisions, for the scale-down window. */
  needs: { at: number; need: number }[];
}

/**
 * Predictive scaling: replicas needed at now + lead time from a forecast quantile of the request rate and the
 * per-replica capacity at the target utilisation; never below what the exact HPA would choose right now; scale-down
 * smoothed over a window. Works from the first minutes (the forecaster's fallback ladder goes naive → Holt →
 * seasonal models as history grows).
 */
export class PredictivePolicy implements ScalingPolicy {
  readonly name = 'predictive';
  readonly config: PredictivePolicyConfig;
  private readonly hpa: HpaPolicy;
  private readonly models = new Map<string, ServiceModel>();

  constructor(config: PredictivePolicyConfigInput = {}) {
    this.config = PredictivePolicyConfigSchema.parse(config);
    const { minReplicas, maxReplicas } = this.config;
    this.hpa = new HpaPolicy(this.config.hpa ?? { default: { minReplicas: Math.max(1, minReplicas), maxReplicas } });
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

  /** Feeds the request rate into 5-minute buckets and refreshes the forecast when a bucket closes. */
  private observe(svc: ServiceTelemetry, now: number): ServiceModel {
    const b = this.config.bucketSeconds;
    let m = this.models.get(svc.name);
    if (!m) {
      m = { forecaster: new AutoForecaster(), history: [], fittedAtLength: -1, lastFitAt: -Infinity, bucketStart: Math.floor(now / b) * b, bucketSum: 0, bucketN: 0, forecast: null, needs: [] };
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
    return m;
  }

  private refresh(m: ServiceModel, newest: number, now: number): void {
    const n = m.history.length;
    // Refit while history is short (the fallback ladder changes model as it grows) and then periodically.
    const due = n < 48 || n === 2 * 288 || now - m.lastFitAt >= this.config.refitSeconds;
    if (due || m.fittedAtLength < 0) {
      m.forecaster.fit(m.history);
      m.lastFitAt = now;
    } else m.forecaster.update([newest]);
    m.fittedAtLength = n;
    m.forecast = m.forecaster.predict(this.horizonSteps());
  }

  private horizonSteps(): number {
    return Math.max(1, Math.ceil(this.config.leadSeconds / this.config.bucketSeconds) + 1);
  }

  private decideService(svc: ServiceTelemetry, m: ServiceModel, hpaFloor: number, now: number): Proposal | undefined {
    const { targetUtilization, quantile, minReplicas, maxReplicas, scaleDownWindowSeconds } = this.config;
    const perReplica = svc.serviceRatePerReplica * targetUtilization;
    const current = svc.requestRate;
    let predicted = current;
    let p10 = current;
    let p90 = current;
    if (m.forecast) {
      const q = m.forecast[quantile];
      // The highest quantile over the lead horizon: capacity must cover the worst bucket until new pods serve.
      predicted = Math.max(...q);
      p10 = Math.max(...m.forecast.p10);
      p90 = Math.max(...m.forecast.p90);
    }
    const wanted = Math.max(predicted, current);
    const forecastNeed = Math.ceil(wanted / perReplica);
    const need = clamp(Math.max(forecastNeed, hpaFloor), Math.max(minReplicas, 1), maxReplicas);
    m.needs.push({ at: now, need });
    while (m.needs.length > 0 && m.needs[0].at < now - scaleDownWindowSeconds) m.needs.shift();
    // Scale down only to the largest need in the window; scale up at once.
    const windowMax = m.needs.reduce((a, x) => Math.max(a, x.need), 0);
    const target = need >= svc.replicas ? need : Math.min(svc.replicas, windowMax);
    if (target === svc.replicas) return undefined;
    const interval = m.forecast ? `forecast ${fmt(predicted)} req/s (${quantile}; p10–p90 ${fmt(p10)}–${fmt(p90)}) within ${this.config.leadSeconds}s` : `no forecast yet (first ${this.config.bucketSeconds / 60} min), current ${fmt(current)} req/s`;
    const why = target > svc.replicas
      ? (forecastNeed >= hpaFloor ? `${interval} needs ${forecastNeed} replicas at ${Math.round(targetUtilization * 100)}% of ${fmt(svc.serviceRatePerReplica)} req/s each` : `the HPA floor is ${hpaFloor} (forecast ${interval} would need ${forecastNeed})`)
      : `${interval} needs ${need}; the largest need in the last ${scaleDownWindowSeconds}s is ${windowMax}`;
    return {
      action: { kind: 'scale', service: svc.name, from: svc.replicas, to: target },
      source: this.name,
      rationale: `Predictive: ${svc.name} ${target > svc.replicas ? 'up' : 'down'} ${svc.replicas}→${target} because ${why}.`,
      evidence: { requestRate: round(current), forecast: round(predicted), p10: round(p10), p90: round(p90), quantile, forecastNeed, hpaFloor, windowMax, leadSeconds: this.config.leadSeconds, model: m.forecaster.choice.mode, history5m: m.history.length },
      expectedEffect: `${svc.name} has capacity for ${fmt(target * perReplica)} req/s at ${Math.round(targetUtilization * 100)}% utilisation`,
    };
  }
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round = (x: number): number => Math.round(x * 100) / 100;
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
