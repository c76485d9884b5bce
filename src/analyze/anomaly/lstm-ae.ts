/**
 * LSTM autoencoder (tfjs, wasm backend): learns to reconstruct short windows of the series from the
 * learning period only, then scores each new window by its reconstruction error, as a tail
 * probability against the errors seen so far. Deliberately tiny (one 8-unit LSTM each way) so that
 * training on ~750 rows takes a second or two on a shared CPU.
 *
 * Call `await initTf()` once before constructing: tfjs backends initialise asynchronously, while
 * `update()` stays synchronous (training uses optimizer.minimize, which is synchronous).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_PROBATION, SortedWindow, pToScore, singleName, singleValue, tailProbability, type Detector, type DetectorOptions, type DetectorResult, type Sample } from './detector.js';

let ready: Promise<void> | null = null;

export function initTf(): Promise<void> {
  ready ??= (async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return ready;
}

export interface LstmAeOptions extends DetectorOptions {
  window?: number;
  units?: number;
  epochs?: number;
  seed?: number;
}

export class LstmAutoencoderDetector implements Detector {
  readonly name = 'lstm-ae';
  private readonly w: number;
  private readonly units: number;
  private readonly epochs: number;
  private readonly seed: number;
  private readonly trainRows: number;
  private readonly values: number[] = [];
  private readonly errors = new SortedWindow(3000);
  private model: tf.LayersModel | null = null;
  private center = 0;
  private scale = 1;

  constructor(opts: LstmAeOptions = {}) {
    if (tf.getBackend() !== 'wasm') throw new Error('LstmAutoencoderDetector: call `await initTf()` first');
    this.w = opts.window ?? 12;
    this.units = opts.units ?? 8;
    this.epochs = opts.epochs ?? 8;
    this.seed = opts.seed ?? 3;
    this.trainRows = Math.max(this.w * 4, opts.probation ?? DEFAULT_PROBATION);
  }

  private windowsAt(ends: number[]): tf.Tensor3D {
    const buf = new Float32Array(ends.length * this.w);
    ends.forEach((e, k) => {
      for (let j = 0; j < this.w; j++) buf[k * this.w + j] = (this.values[e - this.w + 1 + j] - this.center) / this.scale;
    });
    return tf.tensor3d(buf, [ends.length, this.w, 1]);
  }

  private train(): void {
    const sorted = this.values.slice().sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.floor(p * (sorted.length - 1))];
    this.center = q(0.5);
    this.scale = Math.max(q(0.95) - q(0.05), 1e-9 * (Math.abs(this.center) + 1));
    const init = tf.initializers.glorotUniform({ seed: this.seed });
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: this.units, inputShape: [this.w, 1], kernelInitializer: init }));
    model.add(tf.layers.repeatVector({ n: this.w }));
    model.add(tf.layers.lstm({ units: this.units, returnSequences: true, kernelInitializer: init }));
    model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 1, kernelInitializer: init }) }));
    const ends: number[] = [];
    for (let e = this.w - 1; e < this.values.length; e++) ends.push(e);
    const x = this.windowsAt(ends);
    const opt = tf.train.adam(0.01);
    const batch = 64;
    for (let ep = 0; ep < this.epochs; ep++) {
      for (let s = 0; s < ends.length; s += batch) {
        const n = Math.min(batch, ends.length - s);
        tf.tidy(() => {
          const xb = x.slice([s, 0, 0], [n, this.w, 1]);
          opt.minimize(() => tf.losses.meanSquaredError(xb, model.apply(xb) as tf.Tensor) as tf.Scalar);
        });
      }
    }
    this.model = model;
    // Seed the error reference with the training windows' own errors.
    for (const e of this.errorsFor(ends)) this.errors.push(e);
    x.dispose();
    opt.dispose();
  }

  /** Squared error of the last 3 steps of each window: the newest rows are the ones being judged. */
  private errorsFor(ends: number[]): number[] {
    const model = this.model as tf.LayersModel;
    const out: number[] = [];
    for (let s = 0; s < ends.length; s += 2048) {
      const chunk = ends.slice(s, s + 2048);
      const data = tf.tidy(() => {
        const xb = this.windowsAt(chunk);
        const rec = model.predict(xb) as tf.Tensor;
        return tf.mean(tf.square(tf.sub(xb, rec)).slice([0, this.w - 3, 0], [chunk.length, 3, 1]), [1, 2]).dataSync();
      });
      for (const v of data) out.push(v);
    }
    return out;
  }

  private judge(err: number, sig: string): DetectorResult {
    const { p, side } = tailProbability(this.errors, err);
    this.errors.push(err);
    const score = side === 'high' ? pToScore(p) : 0;
    return { score, signal: sig, explanation: `${sig}: reconstruction error ${err.toExponential(2)} (tail p=${(side === 'high' ? p : 1).toExponential(2)})` };
  }

  update(sample: Sample): DetectorResult {
    const x = singleValue(sample);
    const sig = singleName(sample);
    this.values.push(x);
    if (this.model === null) {
      if (this.values.length >= this.trainRows) this.train();
      return { score: 0, signal: sig, explanation: `${sig}: learning` };
    }
    return this.judge(this.errorsFor([this.values.length - 1])[0], sig);
  }

  /** Same scores as calling update() on each value, but predicts in large batches (much faster). */
  scoreAll(values: number[]): number[] {
    const out: number[] = [];
    let i = 0;
    for (; i < values.length && this.model === null; i++) out.push(this.update(values[i]).score);
    const start = this.values.length;
    for (; i < values.length; i++) this.values.push(values[i]);
    const ends: number[] = [];
    for (let e = start; e < this.values.length; e++) ends.push(e);
    if (ends.length > 0) for (const err of this.errorsFor(ends)) out.push(this.judge(err, 'value').score);
    return out;
  }

  dispose(): void {
    this.model?.dispose();
  }
}
