import { cleanSeries } from './clean.js';
import { nelderMead } from './optimize.js';
import { DAY, gaussian, toF64, type FitOptions, type Forecast, type Forecaster, type Series } from './forecaster.js';

export interface EtsOptions {
  trend?: 'none' | 'add';
  damped?: boolean;
  seasonal?: 'none' | 'add' | 'mul';
  period?: number;
  /** Fit parameters on at most this many most recent points (default 14 days). */
  maxFitLength?: number;
  /** Clean the fitting data (gaps, zero outages, spikes) before estimating (default true). */
  clean?: boolean;
  name?: string;
}

interface Params {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

interface State {
  level: number;
  trend: number;
  season: Float64Array;
  /** Index into `season` of the next step's seasonal state. */
  pos: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/**
 * Holt-Winters exponential smoothing (ETS with additive or multiplicative season, optional damped
 * additive trend). Smoothing parameters are fitted by minimising the one-step SSE with Nelder-Mead
 * on logit-transformed parameters; initial states come from the classical decomposition of the
 * first two seasons (estimating 288 seasonal states by the optimiser would be slow and overfit).
 * Gaps (non-finite values) in `update` are skipped: the state advances on its own forecast.
 * Intervals: one-step residual sd grown with horizon by the additive-ETS variance formula.
 */
export class EtsForecaster implements Forecaster {
  readonly name: string;
  private o: Required<Omit<EtsOptions, 'name'>>;
  private p: Params = { alpha: 0.5, beta: 0.05, gamma: 0.1, phi: 0.98 };
  private s: State = { level: 0, trend: 0, season: new Float64Array(1), pos: 0 };
  private sigma = 0;
  private lastObs = 0;

  constructor(opts: EtsOptions = {}) {
    this.o = {
      trend: opts.trend ?? 'add',
      damped: opts.damped ?? true,
      seasonal: opts.seasonal ?? 'add',
      period: opts.period ?? DAY,
      maxFitLength: opts.maxFitLength ?? 14 * DAY,
      clean: opts.clean ?? true,
    };
    this.name = opts.name ?? 'ets';
  }

  get params(): Readonly<Params> {
    return this.p;
  }

  get seasonal(): 'none' | 'add' | 'mul' {
    return this.o.seasonal;
  }

  fit(history: Series, opts?: FitOptions): void {
    if (opts?.season) this.o.period = opts.season;
    const all = toF64(history);
    let y = all.subarray(Math.max(0, all.length - this.o.maxFitLength));
    y = this.o.clean ? cleanSeries(y) : Float64Array.from(y, (v) => (Number.isFinite(v) ? v : NaN));
    const m = this.o.period;
    if (this.o.seasonal !== 'none' && y.length < 2 * m) this.o.seasonal = 'none';
    if (this.o.seasonal === 'mul' && y.some((v) => !(v > 0))) this.o.seasonal = 'add'; // ratios need positive data
    const init = this.initialState(y);
    const hasT = this.o.trend === 'add';
    const hasS = this.o.seasonal !== 'none';
    const unpack = (x: number[]): Params => {
      let i = 0;
      const alpha = sigmoid(x[i++]);
      const beta = hasT ? alpha * sigmoid(x[i++]) : 0;
      const gamma = hasS ? (1 - alpha) * sigmoid(x[i++]) : 0;
      const phi = hasT && this.o.damped ? 0.8 + 0.195 * sigmoid(x[i++]) : 1;
      return { alpha, beta, gamma, phi };
    };
    const x0 = [logit(0.5)];
    if (hasT) x0.push(logit(0.1));
    if (hasS) x0.push(logit(0.1));
    if (hasT && this.o.damped) x0.push(logit(0.9));
    const sse = (x: number[]) => this.run(unpack(x), cloneState(init), y);
    const best = nelderMead(sse, x0, { maxIter: 150 * x0.length, step: 1, tol: 1e-7 });
    this.p = unpack(best.x);
    this.s = cloneState(init);
    const n = this.run(this.p, this.s, y);
    this.sigma = Math.sqrt(n / Math.max(1, y.length));
    // The fitted state is for the cleaned data; keep going on the raw tail so the last value is real.
    this.lastObs = y[y.length - 1];
  }

  update(values: Series): void {
    this.run(this.p, this.s, values);
    for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) {
      this.lastObs = values[i];
      break;
    }
  }

  predict(steps: number): Forecast {
    const { level, trend, season, pos } = this.s;
    const { phi, alpha, beta, gamma } = this.p;
    const m = season.length;
    const point = new Float64Array(steps);
    const sd = new Float64Array(steps);
    let damp = 0;
    let pk = 1;
    let varSum = 0;
    for (let k = 0; k < steps; k++) {
      pk *= phi;
      damp += pk;
      const base = level + damp * trend;
      const sIdx = (pos + k) % m;
      point[k] = this.o.seasonal === 'mul' ? base * season[sIdx] : this.o.seasonal === 'add' ? base + season[sIdx] : base;
      sd[k] = this.sigma * Math.sqrt(1 + varSum);
      const c = alpha * (1 + beta * damp) + (this.o.seasonal !== 'none' && (k + 1) % m === 0 ? gamma : 0);
      varSum += c * c;
    }
    if (!point.every(Number.isFinite)) point.fill(this.lastObs); // never hand out NaN
    return gaussian(point, sd);
  }

  private initialState(y: Float64Array): State {
    const m = this.o.period;
    if (this.o.seasonal === 'none') {
      const k = Math.min(y.length - 1, 12);
      return { level: y[0], trend: this.o.trend === 'add' && k > 0 ? (y[k] - y[0]) / k : 0, season: new Float64Array(1), pos: 0 };
    }
    const mean = (a: number, b: number) => {
      let s = 0;
      for (let i = a; i < b; i++) s += y[i];
      return s / (b - a);
    };
    const m1 = mean(0, m);
    const m2 = mean(m, 2 * m);
    const season = new Float64Array(m);
    const cycles = Math.min(4, Math.floor(y.length / m));
    for (let c = 0; c < cycles; c++) {
      const cm = mean(c * m, (c + 1) * m);
      for (let j = 0; j < m; j++) season[j] += (this.o.seasonal === 'mul' ? y[c * m + j] / cm : y[c * m + j] - cm) / cycles;
    }
    return { level: m1, trend: this.o.trend === 'add' ? (m2 - m1) / m : 0, season, pos: 0 };
  }

  /** Runs the recursions over `y` from state `st` (mutated); returns the SSE of one-step errors. */
  private run(p: Params, st: State, y: ArrayLike<number>): number {
    const { alpha, beta, gamma, phi } = p;
    const mode = this.o.seasonal;
    const season = st.season;
    const m = season.length;
    let { level, trend, pos } = st;
    let sse = 0;
    for (let i = 0; i < y.length; i++) {
      const s = mode === 'none' ? 0 : season[pos];
      const base = level + phi * trend;
      const yhat = mode === 'mul' ? base * s : base + s;
      const v = Number.isFinite(y[i]) ? y[i] : yhat; // gap: advance on the forecast
      const e = v - yhat;
      sse += e * e;
      const newLevel = mode === 'mul' ? alpha * (v / s) + (1 - alpha) * base : alpha * (v - s) + (1 - alpha) * base;
      trend = beta * (newLevel - level) + (1 - beta) * phi * trend;
      if (mode === 'add') season[pos] = gamma * (v - newLevel) + (1 - gamma) * s;
      else if (mode === 'mul') season[pos] = gamma * (v / newLevel) + (1 - gamma) * s;
      level = newLevel;
      pos = (pos + 1) % m;
    }
    st.level = level;
    st.trend = trend;
    st.pos = pos;
    return sse;
  }
}

function cloneState(s: State): State {
  return { level: s.level, trend: s.trend, season: Float64Array.from(s.season), pos: s.pos };
}
