import type { Forecaster } from './forecaster.js';

/** Pooled error accumulator for one (series, model, horizon): MAE, RMSE, sMAPE (%) as in the protocol. */
export class ErrorAccumulator {
  n = 0;
  private abs = 0;
  private sq = 0;
  private smape = 0;
  add(actual: number, forecast: number): void {
    const e = actual - forecast;
    const a = Math.abs(e);
    this.abs += a;
    this.sq += e * e;
    const den = Math.abs(actual) + Math.abs(forecast);
    this.smape += den === 0 ? 0 : (2 * a) / den; // protocol: |a|+|f| = 0 contributes 0 but counts in N
    this.n++;
  }
  get mae(): number {
    return this.abs / this.n;
  }
  get rmse(): number {
    return Math.sqrt(this.sq / this.n);
  }
  get smapePct(): number {
    return (100 * this.smape) / this.n;
  }
}

/** Protocol MASE scale: in-sample daily seasonal-naive MAE over y[season … t0−1]. */
export function maseScale(y: ArrayLike<number>, t0: number, season = 288): number {
  let s = 0;
  for (let i = season; i < t0; i++) s += Math.abs(y[i] - y[i - season]);
  return s / (t0 - season);
}

/** Protocol evaluation start: the last floor(25 %) of the series is the evaluation region. */
export function evaluationStart(n: number): number {
  return n - Math.floor(0.25 * n);
}

export interface BacktestOptions {
  /** First origin (the forecaster is fitted on y[0 … t0−1]). */
  t0: number;
  /** Steps between origins (12 = hourly at 5 min). */
  every?: number;
  /** Horizons in steps; each is evaluated at the origins where it fits entirely. */
  horizons: number[];
  /** Called with (origin index, origin) for progress. */
  onOrigin?: (j: number, t: number) => void;
}

export interface BacktestResult {
  horizons: { h: number; origins: number; errors: ErrorAccumulator }[];
}

/**
 * Rolling-origin backtest. The forecaster is fitted once on y[0 … t0−1]; at each later origin t
 * it receives y[prev … t−1] through `update` (parameters fixed, state filtered), so no value at
 * or after t is ever seen when forecasting from t. Origins: t0, t0+every, … while t + min(h) ≤ n.
 */
export function backtest(y: Float64Array, f: Forecaster, o: BacktestOptions): BacktestResult {
  const every = o.every ?? 12;
  const n = y.length;
  const hMin = Math.min(...o.horizons);
  const hMax = Math.max(...o.horizons);
  const acc = o.horizons.map((h) => ({ h, origins: 0, errors: new ErrorAccumulator() }));
  f.fit(y.subarray(0, o.t0));
  let seen = o.t0;
  for (let t = o.t0, j = 0; t + hMin <= n; t += every, j++) {
    if (t > seen) {
      f.update(y.subarray(seen, t));
      seen = t;
    }
    o.onOrigin?.(j, t);
    const steps = Math.min(hMax, n - t);
    const fc = f.predict(steps).p50;
    for (const a of acc) {
      if (t + a.h > n) continue;
      a.origins++;
      // A gap in the actuals is not scored (the protocol traces have none; stored telemetry may).
      for (let k = 0; k < a.h; k++) if (Number.isFinite(y[t + k])) a.errors.add(y[t + k], fc[k]);
    }
  }
  return { horizons: acc };
}
