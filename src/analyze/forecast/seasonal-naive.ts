import { NaiveForecaster } from './naive.js';
import { Buffer, DAY, gaussian, toF64, type FitOptions, type Forecast, type Forecaster, type Series } from './forecaster.js';

/**
 * Seasonal naive: f(t+k) = y[t − m + (k mod m)]. m = DAY (288 × 5 min) by default, WEEK for weekly.
 * Falls back to naive while the history is shorter than one season. Interval sd from the RMS of
 * in-sample seasonal differences, growing with the number of seasons ahead.
 */
export class SeasonalNaiveForecaster implements Forecaster {
  readonly name: string;
  private buf = new Buffer();
  private period: number;

  constructor(period = DAY) {
    this.period = period;
    this.name = period === DAY ? 'seasonal_naive' : `seasonal_naive_${period}`;
  }

  fit(history: Series, opts?: FitOptions): void {
    if (opts?.season) this.period = opts.season;
    this.buf.clear();
    this.buf.push(toF64(history));
  }

  update(values: Series): void {
    this.buf.push(values);
  }

  predict(steps: number): Forecast {
    const y = this.buf.view();
    const m = this.period;
    const t = y.length;
    if (t < m) {
      const nv = new NaiveForecaster();
      nv.fit(y);
      return nv.predict(steps);
    }
    let ss = 0;
    let cnt = 0;
    for (let i = Math.max(m, t - 7 * m); i < t; i++) {
      const d = y[i] - y[i - m];
      if (Number.isFinite(d)) {
        ss += d * d;
        cnt++;
      }
    }
    const sigma = cnt > 0 ? Math.sqrt(ss / cnt) : 0;
    const point = new Float64Array(steps);
    const sd = new Float64Array(steps);
    for (let k = 0; k < steps; k++) {
      const v = y[t - m + (k % m)];
      // A gap at the lag: fall back to the same phase one more season back, then to the last value.
      point[k] = Number.isFinite(v) ? v : Number.isFinite(y[t - 2 * m + (k % m)]) ? y[t - 2 * m + (k % m)] : y[t - 1];
      sd[k] = sigma * Math.sqrt(Math.floor(k / m) + 1);
    }
    return gaussian(point, sd);
  }
}
