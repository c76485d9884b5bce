/**
 * The training distribution's extent, per feature: the min and max each feature took in training. A state
 * outside [min − margin·span, max + margin·span] on any feature is out of distribution, where the network's
 * output means nothing and the policy defers to a baseline.
 */
import { FEATURE_NAMES } from './features.js';

export interface OutOfRange {
  feature: string;
  value: number;
  min: number;
  max: number;
}

export class FeatureRanges {
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(readonly size: number, min?: ArrayLike<number>, max?: ArrayLike<number>) {
    this.min = min ? Float64Array.from(min) : new Float64Array(size).fill(Infinity);
    this.max = max ? Float64Array.from(max) : new Float64Array(size).fill(-Infinity);
  }

  /** Widens the ranges by `rows` observations laid out row-major. */
  observe(obs: Float32Array, rows: number): void {
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < this.size; f++) {
        const v = obs[r * this.size + f];
        if (v < this.min[f]) this.min[f] = v;
        if (v > this.max[f]) this.max[f] = v;
      }
    }
  }

  /** The first feature outside its training range (widened by `margin` of its span), or null. */
  check(x: ArrayLike<number>, margin: number): OutOfRange | null {
    for (let f = 0; f < this.size; f++) {
      const span = this.max[f] - this.min[f];
      const pad = margin * span + 1e-6;
      const v = x[f];
      if (!(v >= this.min[f] - pad && v <= this.max[f] + pad)) {
        return { feature: FEATURE_NAMES[f] ?? `feature_${f}`, value: v, min: this.min[f], max: this.max[f] };
      }
    }
    return null;
  }
}
