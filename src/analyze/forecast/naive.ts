import { Buffer, gaussian, lastFinite, toF64, type Forecast, type Forecaster, type Series } from './forecaster.js';

/**
 * Naive: every step forecasts the last observation. Interval sd = σ₁·√h with σ₁ the RMS of
 * one-step changes; on very short histories σ₁ is unreliable, so it is floored and inflated
 * (wide intervals are the honest answer with minutes of data).
 */
export class NaiveForecaster implements Forecaster {
  readonly name = 'naive';
  private buf = new Buffer();

  fit(history: Series): void {
    this.buf.clear();
    this.buf.push(toF64(history));
  }

  update(values: Series): void {
    this.buf.push(values);
  }

  predict(steps: number): Forecast {
    const y = this.buf.view();
    const last = lastFinite(y);
    const level = Number.isFinite(last) ? last : 0;
    // Recent one-step changes only (last day at most): volatility drifts over time.
    let ss = 0;
    let cnt = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = Math.max(1, y.length - 288); i < y.length; i++) {
      const d = y[i] - y[i - 1];
      if (Number.isFinite(d)) {
        ss += d * d;
        cnt++;
      }
    }
    for (let i = Math.max(0, y.length - 288); i < y.length; i++) {
      if (Number.isFinite(y[i])) {
        lo = Math.min(lo, y[i]);
        hi = Math.max(hi, y[i]);
      }
    }
    let sigma = cnt > 0 ? Math.sqrt(ss / cnt) : 0;
    const range = Number.isFinite(hi) ? hi - lo : 0;
    if (cnt < 48) {
      // Under 4 hours of data: floor σ by the observed range and 10 % of the level, inflate by 1 + 24/n.
      sigma = Math.max(sigma, range / 2, 0.1 * Math.abs(level), 1e-9) * (1 + 24 / Math.max(1, cnt));
    }
    const point = new Float64Array(steps).fill(level);
    const sd = Float64Array.from({ length: steps }, (_, k) => sigma * Math.sqrt(k + 1));
    return gaussian(point, sd);
  }
}
