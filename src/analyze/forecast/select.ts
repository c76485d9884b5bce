import { quantileSorted } from './clean.js';
import { CombinedForecaster } from './combine.js';
import { EtsForecaster } from './ets.js';
import { DAY, toF64, type FitOptions, type Forecast, type Forecaster, type Series } from './forecaster.js';
import { NaiveForecaster } from './naive.js';
import { ProfileForecaster } from './profile.js';
import { SeasonalNaiveForecaster } from './seasonal-naive.js';

/** Lead-time buckets (in steps, [from, to)) over which `auto` picks a model: ~15 min, 1 h, 3 h, 8 h, 24 h. */
export const LEAD_BUCKETS: [number, number][] = [
  [0, 3],
  [3, 12],
  [12, 36],
  [36, 96],
  [96, 288],
];

/** Candidate models for series with at least two seasons of history (one global list for every series). */
export function seasonalCandidates(period = DAY): (() => Forecaster)[] {
  return [
    () => new NaiveForecaster(),
    () => new SeasonalNaiveForecaster(period),
    () => new EtsForecaster({ period }),
    () => new ProfileForecaster({ phi: 0.9, period }),
    () => new ProfileForecaster({ phi: 0.98, period }),
    () => new ProfileForecaster({ phi: 0.995, period, levelAdjust: true }),
    () => new CombinedForecaster([new EtsForecaster({ period }), new ProfileForecaster({ phi: 0.98, period })]),
    () => new CombinedForecaster([new EtsForecaster({ period }), new SeasonalNaiveForecaster(period)]),
  ];
}

export interface AutoOptions {
  period?: number;
  /** Inner validation length cap (steps), default 7 seasons. */
  maxValidation?: number;
  /** Below this many points: naive with wide intervals (default 48 = 4 h). */
  minForHolt?: number;
  /** Number of best candidates averaged per lead bucket (default 2). */
  topK?: number;
}

export interface AutoChoice {
  mode: 'naive' | 'holt' | 'seasonal';
  /** Chosen candidate name per lead bucket. */
  perBucket: string[];
}

/**
 * `auto`: per-series model choice by a rolling-origin backtest on the training history only.
 * Fallback ladder: < 4 h → naive with wide intervals; < 2 seasons → damped Holt (no season);
 * otherwise every seasonal candidate is backtested on the last quarter of the history (capped at
 * 7 days, hourly origins, 24 h horizon) and, per lead bucket, the forecasts of the two candidates with
 * the lowest MAE are averaged. Quantiles: the best candidate's empirical validation residual
 * quantiles per bucket.
 */
export class AutoForecaster implements Forecaster {
  readonly name = 'auto';
  private period: number;
  private maxValidation: number;
  private minForHolt: number;
  private chosen: Forecaster[] = [];
  /** Indices into `chosen` per bucket (forecasts averaged). */
  private bucketModels: number[][] = [];
  private topK: number;
  /** Sorted residuals (actual − forecast) per bucket, for quantiles. */
  private bucketResiduals: Float64Array[] = [];
  choice: AutoChoice = { mode: 'naive', perBucket: [] };

  constructor(o: AutoOptions = {}) {
    this.period = o.period ?? DAY;
    this.maxValidation = o.maxValidation ?? 7 * (o.period ?? DAY);
    this.minForHolt = o.minForHolt ?? 48;
    this.topK = o.topK ?? 2;
  }

  fit(history: Series, opts?: FitOptions): void {
    if (opts?.season) this.period = opts.season;
    const y = toF64(history);
    const n = y.length;
    const m = this.period;
    this.bucketResiduals = [];
    if (n < this.minForHolt || n < 2 * m) {
      const f = n < this.minForHolt ? new NaiveForecaster() : new EtsForecaster({ seasonal: 'none', damped: true, name: 'holt' });
      f.fit(y);
      this.chosen = [f];
      this.bucketModels = LEAD_BUCKETS.map(() => [0]);
      this.choice = { mode: n < this.minForHolt ? 'naive' : 'holt', perBucket: LEAD_BUCKETS.map(() => f.name) };
      return;
    }
    const factories = seasonalCandidates(m);
    const valLen = Math.min(Math.floor(0.25 * n), this.maxValidation);
    const ti = n - valLen;
    const H = LEAD_BUCKETS[LEAD_BUCKETS.length - 1][1];
    // abs error sums and residual lists per candidate × bucket
    const sums = factories.map(() => LEAD_BUCKETS.map(() => ({ abs: 0, cnt: 0, res: [] as number[] })));
    const names: string[] = [];
    factories.forEach((make, c) => {
      const f = make();
      names.push(f.name);
      f.fit(y.subarray(0, ti));
      let seen = ti;
      for (let t = ti; t + 12 <= n; t += 12) {
        if (t > seen) {
          f.update(y.subarray(seen, t));
          seen = t;
        }
        const steps = Math.min(H, n - t);
        const fc = f.predict(steps).p50;
        LEAD_BUCKETS.forEach(([a, b], bi) => {
          const s = sums[c][bi];
          for (let k = a; k < Math.min(b, steps); k++) {
            const r = y[t + k] - fc[k];
            if (!Number.isFinite(r)) continue;
            s.abs += Math.abs(r);
            s.cnt++;
            s.res.push(r);
          }
        });
      }
    });
    // Per bucket, the `topK` candidates with the lowest validation MAE; their forecasts are averaged
    // (averaging near-equal candidates is steadier on unseen data than trusting a single winner).
    const ranked = LEAD_BUCKETS.map((_, bi) =>
      sums
        .map((s, c) => ({ c, mae: s[bi].cnt > 0 ? s[bi].abs / s[bi].cnt : Infinity }))
        .filter((x) => Number.isFinite(x.mae))
        .sort((a, b) => a.mae - b.mae)
        .slice(0, this.topK)
        .map((x) => x.c),
    );
    // A bucket with no validation pairs (very long leads on short histories) inherits the previous choice.
    for (let bi = 0; bi < ranked.length; bi++) if (ranked[bi].length === 0) ranked[bi] = bi > 0 ? ranked[bi - 1] : [0];
    const uniq = [...new Set(ranked.flat())];
    this.chosen = uniq.map((c) => {
      const f = factories[c]();
      f.fit(y);
      return f;
    });
    this.bucketModels = ranked.map((cs) => cs.map((c) => uniq.indexOf(c)));
    // Residuals of the averaged forecast are not stored; the best member's residuals stand in for the quantiles.
    this.bucketResiduals = ranked.map((cs, bi) => Float64Array.from(sums[cs[0]][bi].res).sort());
    this.choice = { mode: 'seasonal', perBucket: ranked.map((cs) => cs.map((c) => names[c]).join('+')) };
  }

  update(values: Series): void {
    for (const f of this.chosen) f.update(values);
  }

  predict(steps: number): Forecast {
    const fcs = this.chosen.map((f) => f.predict(steps));
    const p50 = new Float64Array(steps);
    const p10 = new Float64Array(steps);
    const p90 = new Float64Array(steps);
    for (let k = 0; k < steps; k++) {
      let bi = LEAD_BUCKETS.findIndex(([a, b]) => k >= a && k < b);
      if (bi < 0) bi = LEAD_BUCKETS.length - 1;
      const members = this.bucketModels[bi];
      const fc = fcs[members[0]];
      let sum = 0;
      for (const c of members) sum += fcs[c].p50[k];
      p50[k] = sum / members.length;
      const res = this.bucketResiduals[bi];
      if (res && res.length >= 20) {
        p10[k] = p50[k] + Math.min(0, quantileSorted(res, 0.1));
        p90[k] = p50[k] + Math.max(0, quantileSorted(res, 0.9));
      } else {
        p10[k] = Math.min(p50[k], fc.p10[k]);
        p90[k] = Math.max(p50[k], fc.p90[k]);
      }
    }
    return { p50, mean: p50, p10, p90 };
  }
}
