/**
 * Shared machinery of the neural forecasters (lstm.ts, transformer.ts) in tfjs on the wasm backend:
 * per-series scaling, windowing, pinball-loss training with a fixed step budget, direct multi-step
 * prediction and roll-forward beyond the trained horizon. The two models differ only in the
 * `ForecastNet` they build.
 *
 * Choices, and why:
 *  - Scale: z = log1p(y / mean) for non-negative series (load and CPU: bursts become additive), else
 *    y / sd. Quantiles commute with a monotone transform, so p10/p50/p90 map back exactly.
 *  - Inputs are cut into patches (1 h for the Transformer, 2 h for the LSTM) that form the token
 *    sequence: 24 hourly tokens for a day, 168 for the seed framework's week, which keeps attention
 *    or a recurrence cheap on 2 cores.
 *  - Each window has its mean removed (so level shifts generalise). The median is a baseline plus a
 *    learned correction; the baseline blends the last value into the window's seasonal-naive
 *    continuation with a per-lead weight the net also outputs (persistence at short leads, the
 *    daily shape at long ones: what naive and seasonal-naive each get right). The output layer's
 *    weights start at zero and its biases at a decaying blend (half-life 2 h) and narrow intervals, so
 *    an untrained net is already a sensible profile forecast and a small budget refines it.
 *  - Quantiles: three heads trained jointly with the pinball loss, p10/p90 = p50 ∓ softplus(·) so
 *    they never cross. Chosen over residual Gaussians because bursty series have skewed,
 *    lead-dependent errors, and p50's pinball loss is exactly the MAE the benchmarks score (MASE).
 *  - Deterministic for a seed: seeded initialisers, seeded shuffling, a step budget (never a clock).
 *
 * `predict` must be synchronous while the wasm backend initialises asynchronously: await
 * `initNeuralForecasting()` once before fitting.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { initTf } from '../anomaly/lstm-ae.js';
import { interpolateGaps } from './clean.js';
import { Buffer, DAY, InsufficientHistoryError, toF64, type FitOptions, type Forecast, type Forecaster, type Series } from './forecaster.js';

/** Initialises the tfjs wasm backend (shared with the LSTM autoencoder). Await once per process. */
export async function initNeuralForecasting(): Promise<void> {
  await initTf();
}

export function neuralReady(): boolean {
  return tf.engine().backendName === 'wasm';
}

function assertReady(model: string): void {
  if (!neuralReady()) throw new Error(`${model}: call \`await initNeuralForecasting()\` once before fitting or predicting (tfjs wasm initialises asynchronously)`);
}

/** Fewest training windows worth fitting a network on; below it the caller should use a simpler model. */
export const MIN_TRAINING_WINDOWS = 32;

export interface NeuralOptions {
  /** Input window in steps (default DAY; the seed framework's 168 h is 2016). A multiple of `patch`. */
  windowSteps?: number;
  /** Steps predicted directly per pass (default DAY); longer forecasts roll forward. */
  horizonSteps?: number;
  /** Steps per input token (default 12 = 1 h; the LSTM defaults to 24). */
  patch?: number;
  /** Lag of the seasonal-naive baseline the net corrects (default DAY; `fit`'s season overrides). */
  season?: number;
  /** Seed of the initial weights and of the sample order (default 1). */
  seed?: number;
  /** Training budget in gradient steps (default 150): the knob that bounds fit time (~5-10 s CPU per series by default). */
  budget?: number;
  /** Passes over the training windows at most (default 30): short histories stop early instead of overfitting. */
  maxEpochs?: number;
  batchSize?: number;
  /** Most training windows kept, spread evenly over the history, newest included (default 2048). */
  maxSamples?: number;
  learningRate?: number;
  name?: string;
}

type Resolved = Required<Omit<NeuralOptions, 'name'>>;

export function resolveNeuralOptions(o: NeuralOptions): Resolved {
  const r: Resolved = {
    windowSteps: o.windowSteps ?? DAY,
    horizonSteps: o.horizonSteps ?? DAY,
    patch: o.patch ?? 12,
    season: o.season ?? DAY,
    seed: o.seed ?? 1,
    budget: o.budget ?? 150,
    maxEpochs: o.maxEpochs ?? 30,
    batchSize: o.batchSize ?? 32,
    maxSamples: o.maxSamples ?? 2048,
    learningRate: o.learningRate ?? 3e-3,
  };
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v <= 0 || (k !== 'learningRate' && !Number.isInteger(v))) throw new Error(`neural forecaster: ${k} must be a positive ${k === 'learningRate' ? 'number' : 'integer'}, got ${v}`);
  }
  if (r.windowSteps % r.patch !== 0) throw new Error(`neural forecaster: windowSteps (${r.windowSteps}) must be a multiple of patch (${r.patch})`);
  return r;
}

export interface NetShape {
  tokens: number;
  patch: number;
  /** Steps predicted per pass. */
  horizon: number;
  /** Season length in steps (sets the prior decay of the blend weight). */
  season: number;
}

/** Output blocks of `horizon` values each: blend logit, median correction, lower and upper width (pre-softplus). */
const BLOCKS = 4;
/** Prior half-life of the blend weight on the last value, in seasons (2 h of a daily season). */
const BLEND_HALF_LIFE = 1 / 12;
/** softplus⁻¹(0.1): initial interval half-widths of 0.1 in model space. */
const WIDTH_PRIOR = Math.log(Math.expm1(0.1));

/** The architecture-specific part: level-free normalised tokens [B, tokens, patch] → [B, 4 × horizon]. */
export interface ForecastNet {
  readonly variables: tf.Variable[];
  apply(x: tf.Tensor3D): tf.Tensor2D;
}

/** Creates seeded variables, so two nets built with one seed start identical. */
export class ParamFactory {
  readonly variables: tf.Variable[] = [];
  private count = 0;
  constructor(private readonly seed: number) {}

  glorot(shape: [number, number]): tf.Tensor2D {
    const init = tf.initializers.glorotUniform({ seed: this.seed * 7919 + this.count++ });
    return this.keep(tf.tidy(() => init.apply(shape) as tf.Tensor2D));
  }
  /** Small uniform values, e.g. positional embeddings. */
  uniform(shape: [number, number], limit: number): tf.Tensor2D {
    return this.keep(tf.randomUniform(shape, -limit, limit, 'float32', this.seed * 7919 + this.count++));
  }
  zeros1(n: number): tf.Tensor1D {
    return this.keep(tf.zeros([n]));
  }
  zeros2(shape: [number, number]): tf.Tensor2D {
    return this.keep(tf.zeros(shape));
  }
  constant1(values: Float32Array): tf.Tensor1D {
    return this.keep(tf.tensor1d(values));
  }
  /** Registers `t` as a trainable variable; the returned handle is used like any tensor of its rank. */
  private keep<T extends tf.Tensor>(t: T): T {
    const v = tf.variable(t, true);
    t.dispose();
    this.variables.push(v);
    return v as tf.Tensor as T;
  }
}

/**
 * The shared output layer: features [B, n] → [B, 4 × horizon]. Zero weights and prior biases, so
 * the untrained net forecasts a blend of last value and seasonal-naive whose weight on the last
 * value halves every 1/12 season (2 h of a day), with narrow intervals.
 */
export function outputHead(p: ParamFactory, features: number, shape: NetShape): (x: tf.Tensor) => tf.Tensor2D {
  const horizon = shape.horizon;
  const phi = 0.5 ** (1 / Math.max(1, BLEND_HALF_LIFE * shape.season));
  const bias = new Float32Array(BLOCKS * horizon);
  for (let k = 0; k < horizon; k++) {
    const w = Math.min(Math.max(phi ** (k + 1), 1e-4), 1 - 1e-4);
    bias[k] = Math.log(w / (1 - w));
    bias[2 * horizon + k] = WIDTH_PRIOR;
    bias[3 * horizon + k] = WIDTH_PRIOR;
  }
  const w = p.zeros2([features, BLOCKS * horizon]);
  const b = p.constant1(bias);
  return (x) => dense(x, w, b) as tf.Tensor2D;
}

/** Swaps the last two axes. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const r = t.shape.length;
  return tf.transpose(t, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
}

/**
 * a · b (batched over leading axes of equal shape) with a gradient that transposes explicitly:
 * the wasm kernel's transposed matMul (what the built-in gradient uses) is ~5× slower than a
 * transpose followed by a plain matMul, and the gradient matMuls dominate training time.
 */
export const mm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, swapLast(saved[1])), tf.matMul(swapLast(saved[0]), dy)],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x[..., in] · w[in, out] + b, for rank-2 or rank-3 x (flattened to one matMul). */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor {
  const shape = x.shape;
  const inner = shape[shape.length - 1];
  const flat = x.reshape([-1, inner]);
  const y = tf.add(mm(flat, w), b);
  return y.reshape([...shape.slice(0, -1), w.shape[1]]);
}

/**
 * Layer normalisation over the last axis, without the learned gain and bias: the next layer's
 * weights absorb them, and every extra variable costs a dozen optimizer ops per step.
 */
export function layerNorm(x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, x.shape.length - 1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
}

/** Per-series transform into the space the net works in. */
interface Scaler {
  log: boolean;
  scale: number;
}

function fitScaler(y: Float64Array): Scaler {
  let n = 0;
  let sum = 0;
  let sumAbs = 0;
  let sumSq = 0;
  let nonNegative = true;
  for (const v of y) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sumAbs += Math.abs(v);
    sumSq += v * v;
    if (v < 0) nonNegative = false;
  }
  if (nonNegative) return { log: true, scale: sumAbs / n > 0 ? sumAbs / n : 1 };
  const sd = Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
  return { log: false, scale: sd > 0 ? sd : 1 };
}

const forward = (s: Scaler, v: number): number => (s.log ? Math.log1p(Math.max(0, v) / s.scale) : v / s.scale);
// Non-negative series stay non-negative (expm1 alone could dip to −scale).
const inverse = (s: Scaler, z: number): number => (s.log ? Math.max(0, s.scale * Math.expm1(z)) : z * s.scale);
const softplus = (x: number): number => (x > 20 ? x : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Transformed copy of `y` with gaps linearly interpolated (the net needs full windows). */
function toModelSpace(s: Scaler, y: ArrayLike<number>): Float64Array {
  const z = Float64Array.from(y as ArrayLike<number>, (v) => (Number.isFinite(v) ? forward(s, v) : NaN));
  interpolateGaps(z);
  return z;
}

const QUANTILES = [0.1, 0.5, 0.9] as const;

/**
 * Base class: everything except the network. Subclasses build the `ForecastNet` for a shape and seed.
 */
export abstract class NeuralForecaster implements Forecaster {
  readonly name: string;
  protected readonly o: Resolved;
  private net: ForecastNet | null = null;
  private scaler: Scaler = { log: false, scale: 1 };
  private readonly buf = new Buffer();
  /** Mean training pinball loss of the last epoch-sized stretch of steps (diagnostics, tests). */
  trainLoss = NaN;
  /** Gradient steps actually taken by the last fit. */
  trainSteps = 0;

  constructor(name: string, opts: NeuralOptions) {
    this.o = resolveNeuralOptions(opts);
    this.name = opts.name ?? name;
  }

  protected abstract build(shape: NetShape, params: ParamFactory): ForecastNet;

  /** Options and fitted scaler: enough, with `weights()`, to describe the model in a registry. */
  describe(): Record<string, number | string | boolean> {
    return { ...this.o, scaleLog: this.scaler.log, scale: this.scaler.scale, trainSteps: this.trainSteps, trainLoss: this.trainLoss };
  }

  /** All weights as bytes (float32, variables in creation order): the registry's state blob. */
  state(): Uint8Array {
    const w = this.weights();
    return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  }

  /** All weights, concatenated in variable order. */
  weights(): Float32Array {
    if (!this.net) return new Float32Array(0);
    const parts = this.net.variables.map((v) => v.dataSync() as Float32Array);
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  fit(history: Series, opts?: FitOptions): void {
    assertReady(this.name);
    if (opts?.season) this.o.season = opts.season;
    const { windowSteps: W, horizonSteps: H, patch: P } = this.o;
    const y = toF64(history);
    const need = W + H + MIN_TRAINING_WINDOWS - 1;
    if (y.length < need) throw new InsufficientHistoryError(this.name, y.length, need, `windowSteps + horizonSteps + ${MIN_TRAINING_WINDOWS - 1}`);
    if (!y.some(Number.isFinite)) throw new Error(`${this.name}: history has no finite value`);
    this.dispose();
    this.buf.clear();
    this.buf.push(y);
    this.scaler = fitScaler(y);
    const z = toModelSpace(this.scaler, y);

    // Window ends (first target index), evenly spread, newest always included.
    const first = W;
    const last = y.length - H;
    const total = last - first + 1;
    const count = Math.min(total, this.o.maxSamples);
    const ends = Array.from({ length: count }, (_, i) => last - Math.round(((count - 1 - i) * (total - 1)) / Math.max(1, count - 1)));

    // Everything relative to the window's level; targets at gaps get zero weight (not observations).
    const x = new Float32Array(count * W);
    const seas = new Float32Array(count * H);
    const gap = new Float32Array(count * H);
    const target = new Float32Array(count * H);
    const mask = new Float32Array(count * H);
    const win = new Float64Array(W);
    ends.forEach((t, i) => {
      win.set(z.subarray(t - W, t));
      const level = mean(win);
      for (let j = 0; j < W; j++) x[i * W + j] = win[j] - level;
      for (let k = 0; k < H; k++) {
        const sk = this.seasonalAt(win, k);
        seas[i * H + k] = sk - level;
        gap[i * H + k] = win[W - 1] - sk;
        const ok = Number.isFinite(y[t + k]);
        target[i * H + k] = ok ? z[t + k] - level : 0;
        mask[i * H + k] = ok ? 1 : 0;
      }
    });

    const params = new ParamFactory(this.o.seed);
    const net = this.build({ tokens: W / P, patch: P, horizon: H, season: this.o.season }, params);
    const steps = Math.min(this.o.budget, Math.ceil((this.o.maxEpochs * count) / this.o.batchSize));
    const opt = tf.train.adam(this.o.learningRate);
    const data = {
      x: tf.tensor3d(x, [count, W / P, P]),
      seas: tf.tensor2d(seas, [count, H]),
      gap: tf.tensor2d(gap, [count, H]),
      target: tf.tensor2d(target, [count, H]),
      mask: tf.tensor2d(mask, [count, H]),
    };
    const rng = new Rng(this.o.seed);
    const order = Array.from({ length: count }, (_, i) => i);
    let pos = count;
    const batch = Math.min(this.o.batchSize, count);
    const recent: number[] = [];
    try {
      for (let s = 0; s < steps; s++) {
        const idx: number[] = [];
        while (idx.length < batch) {
          if (pos >= count) {
            shuffle(order, rng);
            pos = 0;
          }
          idx.push(order[pos++]);
        }
        const loss = tf.tidy(() => {
          const it = tf.tensor1d(idx, 'int32');
          const g = <T extends tf.Tensor>(t: T) => tf.gather(t, it) as T;
          const xb = g(data.x);
          const [sb, gb, yb, mb] = [g(data.seas), g(data.gap), g(data.target), g(data.mask)];
          return opt.minimize(() => pinballLoss(net.apply(xb), sb, gb, yb, mb, H), true, net.variables) as tf.Scalar;
        });
        recent.push(loss.dataSync()[0]);
        loss.dispose();
        if (recent.length > Math.max(1, Math.ceil(count / batch))) recent.shift();
      }
    } finally {
      Object.values(data).forEach((t) => t.dispose());
      opt.dispose();
    }
    this.trainSteps = steps;
    this.trainLoss = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN;
    this.net = net;
  }

  update(values: Series): void {
    this.buf.push(values);
  }

  predict(steps: number): Forecast {
    assertReady(this.name);
    const net = this.net;
    if (!net) throw new Error(`${this.name}: predict() before fit()`);
    const { windowSteps: W, horizonSteps: H, patch: P } = this.o;
    const hist = this.buf.view();
    const tail = hist.subarray(Math.max(0, hist.length - W));
    const win = new Float64Array(W);
    // update() may have brought gaps or (in theory) less than a window: fill, then left-pad.
    const zt = toModelSpace(this.scaler, tail);
    win.fill(zt[0], 0, W - zt.length);
    win.set(zt, W - zt.length);
    const z10 = new Float64Array(steps);
    const z50 = new Float64Array(steps);
    const z90 = new Float64Array(steps);
    const xin = new Float32Array(W);
    for (let done = 0, round = 0; done < steps; round++) {
      const level = mean(win);
      for (let j = 0; j < W; j++) xin[j] = win[j] - level;
      const out = tf.tidy(() => net.apply(tf.tensor3d(xin, [1, W / P, P])).dataSync() as Float32Array);
      // Rolled-forward passes feed on their own medians: widen their intervals as errors compound.
      const widen = Math.sqrt(round + 1);
      const n = Math.min(H, steps - done);
      const med = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const sk = this.seasonalAt(win, k);
        med[k] = sk + sigmoid(out[k]) * (win[W - 1] - sk) + out[H + k];
        z50[done + k] = med[k];
        z10[done + k] = med[k] - widen * softplus(out[2 * H + k]);
        z90[done + k] = med[k] + widen * softplus(out[3 * H + k]);
      }
      done += n;
      if (done < steps) {
        win.copyWithin(0, n);
        win.set(med, W - n);
      }
    }
    const inv = (z: Float64Array) => Float64Array.from(z, (v) => inverse(this.scaler, v));
    const p50 = inv(z50);
    return { p10: inv(z10), p50, p90: inv(z90), mean: p50 };
  }

  /** Frees the network's tensors (fit() also frees the previous network). */
  dispose(): void {
    this.net?.variables.forEach((v) => v.dispose());
    this.net = null;
  }

  /** Seasonal-naive continuation of the window at lead k (naive when the window is shorter than a season). */
  private seasonalAt(win: Float64Array, k: number): number {
    const m = this.o.season;
    const W = win.length;
    return m <= W ? win[W - m + (k % m)] : win[W - 1];
  }
}

/**
 * Mean over valid targets of the summed pinball losses of p10, p50, p90, where
 * p50 = seasonal + sigmoid(blend)·(last − seasonal) + correction and p10/p90 = p50 ∓ softplus(width).
 */
function pinballLoss(out: tf.Tensor2D, seas: tf.Tensor2D, gap: tf.Tensor2D, target: tf.Tensor2D, mask: tf.Tensor2D, H: number): tf.Scalar {
  const [blend, corr, wLo, wHi] = tf.split(out, BLOCKS, 1);
  const p50 = tf.add(tf.add(seas, tf.mul(tf.sigmoid(blend), gap)), corr);
  const qs = [tf.sub(p50, tf.softplus(wLo)), p50, tf.add(p50, tf.softplus(wHi))];
  let total: tf.Tensor = tf.scalar(0);
  qs.forEach((q, i) => {
    const e = tf.sub(target, q);
    const tau = QUANTILES[i];
    total = tf.add(total, tf.sum(tf.mul(tf.maximum(tf.mul(e, tau), tf.mul(e, tau - 1)), mask)));
  });
  return tf.div(total, tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
