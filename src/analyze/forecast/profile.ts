import { median } from './clean.js';
import { Buffer, DAY, gaussian, lastFinite, toF64, type FitOptions, type Forecast, type Forecaster, type Series } from './forecaster.js';

export interface ProfileOptions {
  /** Persistence of the current deviation from the profile per step (0 = pure profile, 1 = naive-like). */
  phi?: number;
  /** Number of past seasons the median profile is taken over. */
  seasons?: number;
  period?: number;
  /** Long-run offset: the median deviation over the last half season, so level shifts persist. */
  levelAdjust?: boolean;
  name?: string;
}

/**
 * Robust seasonal profile with a decaying deviation (hand-written; it is a few lines):
 * P(i) = median of y at the same phase over the previous `seasons` seasons (robust to bursts and
 * outages on single days); forecast f(t+k) = P(t+k) + c + φ^(k+1)·(y[t−1] − P(t−1) − c).
 * Short leads behave like naive, long leads like a robust seasonal-naive.
 */
export class ProfileForecaster implements Forecaster {
  readonly name: string;
  private buf = new Buffer();
  private phi: number;
  private seasons: number;
  private period: number;
  private levelAdjust: boolean;

  constructor(o: ProfileOptions = {}) {
    this.phi = o.phi ?? 0.98;
    this.seasons = o.seasons ?? 7;
    this.period = o.period ?? DAY;
    this.levelAdjust = o.levelAdjust ?? false;
    this.name = o.name ?? `profile_${this.phi}${this.levelAdjust ? '_lvl' : ''}`;
  }

  fit(history: Series, opts?: FitOptions): void {
    if (opts?.season) this.period = opts.season;
    this.buf.clear();
    this.buf.push(toF64(history));
  }

  update(values: Series): void {
    this.buf.push(values);
  }

  /** Median of the same phase in the `seasons` most recent seasons strictly before `t` (the history end). */
  private profileAt(y: Float64Array, i: number, t: number, tmp: number[]): number {
    const m = this.period;
    tmp.length = 0;
    for (let d = Math.max(1, Math.ceil((i - t + 1) / m)); tmp.length < this.seasons; d++) {
      const j = i - d * m;
      if (j < 0) break;
      if (Number.isFinite(y[j])) tmp.push(y[j]);
    }
    return tmp.length > 0 ? median(tmp) : NaN;
  }

  predict(steps: number): Forecast {
    const y = this.buf.view();
    const t = y.length;
    const m = this.period;
    const tmp: number[] = [];
    const last = lastFinite(y);
    if (t < m + 1 || !Number.isFinite(last)) {
      const point = new Float64Array(steps).fill(Number.isFinite(last) ? last : 0);
      return gaussian(point, new Float64Array(steps));
    }
    const devs: number[] = [];
    const L = Math.min(m >> 1, t - m);
    for (let i = t - L; i < t; i++) {
      const p = this.profileAt(y, i, t, tmp);
      if (Number.isFinite(p) && Number.isFinite(y[i])) devs.push(y[i] - p);
    }
    const c = this.levelAdjust && devs.length > 0 ? median(devs) : 0;
    const p0 = this.profileAt(y, t - 1, t, tmp);
    const d0 = Number.isFinite(p0) ? last - p0 - c : 0;
    let sd2 = 0;
    for (const d of devs) sd2 += (d - c) * (d - c);
    const sdev = devs.length > 0 ? Math.sqrt(sd2 / devs.length) : 0;
    const point = new Float64Array(steps);
    const sd = new Float64Array(steps);
    let pk = 1;
    for (let k = 0; k < steps; k++) {
      pk *= this.phi;
      const p = this.profileAt(y, t + k, t, tmp);
      point[k] = (Number.isFinite(p) ? p : last) + c + pk * d0;
      sd[k] = sdev * Math.sqrt(Math.max(0.05, 1 - pk * pk));
    }
    return gaussian(point, sd);
  }
}
