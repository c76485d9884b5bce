/**
 * The actor-critic: two tanh MLPs (obs → hidden → hidden → logits, and → value), separate so the value loss
 * cannot pull the policy's features around. Built from the forecasters' seeded ParamFactory and `dense` (whose
 * custom matMul gradient is what makes wasm training fast). Output layers start at zero: a uniform policy and a
 * zero value, the usual PPO start. `ActorWeights` is the same actor as plain arrays, for the synchronous
 * policy (no tfjs needed to run a trained model) and for cheap rollouts.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamFactory, dense } from '../../analyze/forecast/neural-common.js';

export interface Layer {
  w: Float32Array;
  b: Float32Array;
  inputs: number;
  outputs: number;
}

/** The actor as plain arrays: hidden layers use tanh, the last gives logits. */
export interface ActorWeights {
  layers: Layer[];
}

export class ActorCritic {
  readonly variables: tf.Variable[];
  private readonly actorVars: [tf.Tensor2D, tf.Tensor1D][];
  private readonly criticVars: [tf.Tensor2D, tf.Tensor1D][];

  /** Sizes of the independent categorical heads the logits split into (they sum to numActions). */
  readonly heads: readonly number[];

  constructor(readonly obsSize: number, readonly numActions: number, readonly hidden: number, seed: number, priorLogits?: Float32Array, heads: readonly number[] = [numActions]) {
    if (heads.reduce((a, b) => a + b, 0) !== numActions) throw new Error('action heads must sum to numActions');
    this.heads = heads;
    const p = new ParamFactory(seed);
    const mlp = (out: number, bias?: Float32Array): [tf.Tensor2D, tf.Tensor1D][] => [
      [p.glorot([obsSize, hidden]), p.zeros1(hidden)],
      [p.glorot([hidden, hidden]), p.zeros1(hidden)],
      [p.zeros2([hidden, out]), bias ? p.constant1(bias) : p.zeros1(out)],
    ];
    if (priorLogits && priorLogits.length !== numActions) throw new Error('priorLogits must have one entry per action');
    this.actorVars = mlp(numActions, priorLogits);
    this.criticVars = mlp(1);
    this.variables = p.variables;
  }

  private run(x: tf.Tensor2D, layers: [tf.Tensor2D, tf.Tensor1D][]): tf.Tensor2D {
    let h: tf.Tensor = x;
    layers.forEach(([w, b], i) => {
      h = dense(h, w, b);
      if (i < layers.length - 1) h = tf.tanh(h);
    });
    return h as tf.Tensor2D;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return this.run(x, this.actorVars);
  }

  /** Log-probabilities [rows × numActions]: a log-softmax within each head. */
  logProbs(x: tf.Tensor2D): tf.Tensor2D {
    const logits = this.logits(x);
    if (this.heads.length === 1) return tf.logSoftmax(logits);
    return tf.concat(tf.split(logits, [...this.heads], 1).map((l) => tf.logSoftmax(l)), 1) as tf.Tensor2D;
  }

  value(x: tf.Tensor2D): tf.Tensor1D {
    return this.run(x, this.criticVars).reshape([-1]) as tf.Tensor1D;
  }

  /** Current actor and critic weights as plain arrays. */
  snapshot(): { actor: ActorWeights; critic: ActorWeights } {
    const conv = (vs: [tf.Tensor2D, tf.Tensor1D][]): ActorWeights => ({
      layers: vs.map(([w, b]) => ({ w: Float32Array.from(w.dataSync()), b: Float32Array.from(b.dataSync()), inputs: w.shape[0], outputs: w.shape[1] })),
    });
    return { actor: conv(this.actorVars), critic: conv(this.criticVars) };
  }

  /** All weights, concatenated in variable order (checkpoints). */
  weights(): Float32Array {
    const parts = this.variables.map((v) => v.dataSync() as Float32Array);
    const out = new Float32Array(parts.reduce((n, x) => n + x.length, 0));
    let off = 0;
    for (const x of parts) {
      out.set(x, off);
      off += x.length;
    }
    return out;
  }

  setWeights(all: Float32Array): void {
    let off = 0;
    for (const v of this.variables) {
      const n = v.size;
      if (off + n > all.length) throw new Error('checkpoint weights do not fit the network (different size?)');
      v.assign(tf.tensor(all.subarray(off, off + n), v.shape));
      off += n;
    }
    if (off !== all.length) throw new Error('checkpoint weights do not fit the network (different size?)');
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

/** Forward pass of plain-array weights for a batch of rows of `x` ([rows × inputs]) → [rows × outputs]. */
export function forward(net: ActorWeights, x: Float32Array, rows: number): Float32Array {
  let h = x;
  net.layers.forEach((l, li) => {
    const out = new Float32Array(rows * l.outputs);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < l.outputs; o++) {
        let s = l.b[o];
        for (let k = 0; k < l.inputs; k++) s += h[r * l.inputs + k] * l.w[k * l.outputs + o];
        out[r * l.outputs + o] = li < net.layers.length - 1 ? Math.tanh(s) : s;
      }
    }
    h = out;
  });
  return h;
}

/** Index of the largest of `n` values from `from` (the first on ties) among the allowed ones; 0 when none is allowed (callers check). */
export function argmax(x: ArrayLike<number>, from = 0, n = x.length - from, allowed?: (k: number) => boolean): number {
  let best = -1;
  for (let k = 0; k < n; k++) if ((!allowed || allowed(k)) && (best < 0 || x[from + k] > x[from + best])) best = k;
  return Math.max(0, best);
}

/** Softmax probabilities of one row of logits. */
export function softmax(logits: ArrayLike<number>, from = 0, n = logits.length - from): Float64Array {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, logits[from + k]);
  const p = new Float64Array(n);
  let z = 0;
  for (let k = 0; k < n; k++) z += p[k] = Math.exp(logits[from + k] - m);
  for (let k = 0; k < n; k++) p[k] /= z;
  return p;
}
