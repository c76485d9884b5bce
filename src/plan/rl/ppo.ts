/**
 * The PPO update (Schulman et al. 2017): clipped surrogate objective, value loss and entropy bonus, over
 * several epochs of shuffled minibatches, Adam, advantages normalised per update.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import type { PpoConfig } from './config.js';
import type { ActorCritic } from './network.js';

/**
 * −mean(min(r·A, clip(r, 1−ε, 1+ε)·A)) with r = exp(logp − oldLogp): the negated objective to minimise.
 * Clipping removes the incentive to move r beyond 1±ε in the direction the advantage favours.
 */
export function clippedPolicyLoss(logp: tf.Tensor1D, oldLogp: tf.Tensor1D, adv: tf.Tensor1D, clip: number): tf.Scalar {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logp, oldLogp));
    const unclipped = tf.mul(ratio, adv);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), adv);
    return tf.neg(tf.mean(tf.minimum(unclipped, clipped))) as tf.Scalar;
  });
}

/** A rollout flattened for learning: obs [M × obsSize], and per sample its action (one index per head), old log-prob, advantage, return. */
export interface Batch {
  obs: Float32Array;
  /** [M × heads]: the index chosen within each head. */
  actions: Int32Array;
  logp: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

export interface UpdateStats {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  /** Share of samples whose ratio left [1−ε, 1+ε] in the last epoch (a health signal). */
  clipFraction: number;
}

/** Adam whose step size can follow a schedule (tfjs keeps it in a protected field read at every step). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/** A linearly annealed value at `progress` (0 at the start of the schedule, ≥ 1 at its end); no end: constant. */
export function scheduled(start: number, end: number | undefined, progress: number): number {
  return end === undefined ? start : start + (end - start) * Math.min(1, Math.max(0, progress));
}

export class PpoLearner {
  readonly optimizer: ScheduledAdam;
  private entropyCoef: number;

  constructor(readonly net: ActorCritic, readonly cfg: PpoConfig) {
    // tf.train.adam's defaults (β1 0.9, β2 0.999, the backend's ε).
    this.optimizer = new ScheduledAdam(cfg.learningRate, 0.9, 0.999);
    this.entropyCoef = cfg.entropyCoef;
  }

  /** Sets learning rate and entropy bonus for `progress` through the schedule (clamped to [0, 1]). */
  schedule(progress: number): void {
    this.optimizer.setLearningRate(scheduled(this.cfg.learningRate, this.cfg.learningRateEnd, progress));
    this.entropyCoef = scheduled(this.cfg.entropyCoef, this.cfg.entropyCoefEnd, progress);
  }

  update(b: Batch, rng: Rng): UpdateStats {
    const M = b.logp.length;
    const F = this.net.obsSize;
    const A = this.net.numActions;
    const heads = this.net.heads;
    const H = heads.length;
    const offsets = heads.map((_, h) => heads.slice(0, h).reduce((a, n) => a + n, 0));
    const adv = normalised(b.advantages);
    const order = Array.from({ length: M }, (_, i) => i);
    const mb = Math.min(this.cfg.minibatch, M);
    let stats: UpdateStats = { policyLoss: 0, valueLoss: 0, entropy: 0, clipFraction: 0 };
    for (let ep = 0; ep < this.cfg.epochs; ep++) {
      shuffle(order, rng);
      const sums = { policyLoss: 0, valueLoss: 0, entropy: 0, clipped: 0, batches: 0 };
      for (let s = 0; s + mb <= M; s += mb) {
        const idx = order.slice(s, s + mb);
        const obs = new Float32Array(mb * F);
        // One 1 per head at its chosen logit: summing the masked log-probs gives the joint log-prob.
        const chosen = new Float32Array(mb * A);
        const old = new Float32Array(mb);
        const ad = new Float32Array(mb);
        const ret = new Float32Array(mb);
        idx.forEach((j, r) => {
          obs.set(b.obs.subarray(j * F, (j + 1) * F), r * F);
          for (let h = 0; h < H; h++) chosen[r * A + offsets[h] + b.actions[j * H + h]] = 1;
          old[r] = b.logp[j];
          ad[r] = adv[j];
          ret[r] = b.returns[j];
        });
        let parts: tf.Tensor | null = null;
        tf.tidy(() => {
          const x = tf.tensor2d(obs, [mb, F]);
          const oneHot = tf.tensor2d(chosen, [mb, A]);
          const oldT = tf.tensor1d(old);
          const advT = tf.tensor1d(ad);
          const retT = tf.tensor1d(ret);
          this.optimizer.minimize(
            () => {
              const logProbs = this.net.logProbs(x);
              const logp = tf.sum(tf.mul(logProbs, oneHot), 1) as tf.Tensor1D;
              const pl = clippedPolicyLoss(logp, oldT, advT, this.cfg.clip);
              const vl = tf.mean(tf.square(tf.sub(this.net.value(x), retT))) as tf.Scalar;
              // Summed over heads: the entropy of independent heads adds.
              const en = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1))) as tf.Scalar;
              // Diagnostics survive the gradient's own tidy; read and freed below.
              const outside = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(tf.exp(tf.sub(logp, oldT)), 1)), this.cfg.clip), 'float32'));
              parts = tf.keep(tf.stack([pl, vl, en, outside]));
              return tf.sub(tf.add(pl, tf.mul(vl, this.cfg.valueCoef)), tf.mul(en, this.entropyCoef)) as tf.Scalar;
            },
            false,
            this.net.variables,
          );
        });
        if (!parts) throw new Error('PPO: no loss computed');
        const v = (parts as tf.Tensor).dataSync();
        (parts as tf.Tensor).dispose();
        sums.policyLoss += v[0];
        sums.valueLoss += v[1];
        sums.entropy += v[2];
        sums.clipped += v[3];
        sums.batches++;
      }
      const n = Math.max(1, sums.batches);
      stats = { policyLoss: sums.policyLoss / n, valueLoss: sums.valueLoss / n, entropy: sums.entropy / n, clipFraction: sums.clipped / n };
    }
    return stats;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function normalised(x: Float32Array): Float32Array {
  let m = 0;
  for (const v of x) m += v;
  m /= Math.max(1, x.length);
  let ss = 0;
  for (const v of x) ss += (v - m) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, x.length)) + 1e-8;
  return Float32Array.from(x, (v) => (v - m) / sd);
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
