/**
 * Common contract of every forecaster: fit on a history, optionally extend the history with new
 * observations without re-estimating parameters (cheap rolling-origin evaluation), predict quantiles.
 */

/** One day of 5-minute steps: the default season of every seasonal model here. */
export const DAY = 288;
/** One week of 5-minute steps. */
export const WEEK = 7 * DAY;
/** Standard-normal 90 % quantile: p10/p90 = mean ∓ Z90·sd under a Gaussian error model. */
export const Z90 = 1.2815515655446004;

export type Series = Float64Array | number[];

export interface Forecast {
  /** Point forecast (the median). */
  p50: Float64Array;
  p10: Float64Array;
  p90: Float64Array;
  /** Mean forecast; equal to p50 for the symmetric error models used here. */
  mean: Float64Array;
}

export interface FitOptions {
  /** Season length in steps (default DAY). */
  season?: number;
}

export interface Forecaster {
  readonly name: string;
  /** Estimates parameters and state from `history` (oldest first). Non-finite values are gaps. */
  fit(history: Series, opts?: FitOptions): void;
  /** Appends observations that follow the fitted history; parameters stay, state is filtered. */
  update(values: Series): void;
  /** Forecasts the next `steps` values after the last observation seen. */
  predict(steps: number): Forecast;
  /** Options and fitted parameters as plain JSON (for the model registry), if the model has any. */
  describe?(): Record<string, number | string | boolean>;
  /** Opaque fitted state, e.g. network weights (for the model registry). */
  state?(): Uint8Array;
  /** Frees memory held outside the JS heap (tfjs tensors). */
  dispose?(): void;
}

/** `fit` was given less history than the model needs; callers fall back to a simpler model. */
export class InsufficientHistoryError extends Error {
  constructor(readonly model: string, readonly have: number, readonly need: number, detail = '') {
    super(`${model}: history of ${have} steps is too short, need at least ${need}${detail ? ` (${detail})` : ''}`);
    this.name = 'InsufficientHistoryError';
  }
}

/** Gaussian intervals around a point forecast, `sd[k]` the error sd at lead k+1. */
export function gaussian(point: Float64Array, sd: ArrayLike<number>): Forecast {
  const n = point.length;
  const p10 = new Float64Array(n);
  const p90 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    p10[k] = point[k] - Z90 * sd[k];
    p90[k] = point[k] + Z90 * sd[k];
  }
  return { p50: point, mean: point, p10, p90 };
}

export function toF64(x: Series): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/**
 * Append-only numeric buffer with amortised O(1) push, so forecasters that need their whole
 * history (seasonal lags, profiles) can be updated origin by origin without copying.
 */
export class Buffer {
  private data = new Float64Array(1024);
  length = 0;
  push(values: Series): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i];
  }
  clear(): void {
    this.length = 0;
  }
  at(i: number): number {
    return this.data[i];
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Last finite value at or before index `end − 1`, or NaN. */
export function lastFinite(y: ArrayLike<number>, end = y.length): number {
  for (let i = end - 1; i >= 0; i--) if (Number.isFinite(y[i])) return y[i];
  return NaN;
}
