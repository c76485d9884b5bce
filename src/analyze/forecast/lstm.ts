/**
 * LSTM forecaster (tfjs, wasm backend): one LSTM layer reads the input window as a sequence of
 * patches (default 12 two-hour patches of a day) and a linear head maps its last state to the
 * direct multi-step p10/p50/p90 outputs. Windowing, scaling, training and the baseline it corrects
 * (last value blended into seasonal-naive) are shared with the Transformer (neural-common.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { dense, mm, NeuralForecaster, outputHead, type ForecastNet, type NetShape, type NeuralOptions, type ParamFactory } from './neural-common.js';

export interface LstmOptions extends NeuralOptions {
  /** Hidden units (default 32: small enough to train in seconds on two cores). */
  units?: number;
}

export class LstmForecaster extends NeuralForecaster {
  private readonly units: number;

  constructor(opts: LstmOptions = {}) {
    // Two-hour patches by default: the recurrence is sequential, so half the tokens halves the time.
    super('lstm', { ...opts, patch: opts.patch ?? 24 });
    this.units = opts.units ?? 32;
  }

  override describe(): Record<string, number | string | boolean> {
    return { ...super.describe(), units: this.units };
  }

  protected build(shape: NetShape, p: ParamFactory): ForecastNet {
    const u = this.units;
    const T = shape.tokens;
    const wx = p.glorot([shape.patch, 4 * u]);
    const wh = p.glorot([u, 4 * u]);
    // Forget-gate bias 1 (gate order i, f, g, o): remember by default, the usual LSTM initialisation.
    const bias = p.constant1(Float32Array.from({ length: 4 * u }, (_, i) => (i >= u && i < 2 * u ? 1 : 0)));
    const head = outputHead(p, u, shape);
    return {
      variables: p.variables,
      apply(x: tf.Tensor3D): tf.Tensor2D {
        const b = x.shape[0];
        // Input projections of every token in one matMul; only the recurrent part stays sequential.
        const xs = tf.unstack(dense(x, wx, bias), 1);
        let c: tf.Tensor = tf.zeros([b, u]);
        let h: tf.Tensor = tf.zeros([b, u]);
        for (let t = 0; t < T; t++) {
          const [i, f, g, o] = tf.split(t === 0 ? xs[t] : tf.add(xs[t], mm(h, wh)), 4, 1);
          c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          h = tf.mul(tf.sigmoid(o), tf.tanh(c));
        }
        return head(h);
      },
    };
  }
}
