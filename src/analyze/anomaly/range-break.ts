/**
 * Range break: a value outside everything the series has shown so far, by more than a tolerance
 * (5% of the range so far — the "spatial anomaly" rule of NAB's HTM detector). Rare by
 * construction and rarely wrong, so it is the first thing an operator wants to hear about.
 *
 * Strength, as a p-value: among n exchangeable values a new one falls outside the range of the
 * others with probability 2/(n+1); and if the tails are roughly exponential, the range of n values
 * spans about ln(n) tail scales, so overshooting it by a fraction e of the range has probability
 * about n^-e. Hence p = 2/(n+1) * n^-e: the longer the history and the larger the overshoot, the
 * stronger the evidence.
 */
import { pToScore, singleName, singleValue, type Detector, type DetectorOptions, type DetectorResult, type Sample } from './detector.js';

export interface RangeBreakOptions extends DetectorOptions {
  /** Overshoot, as a fraction of the range so far, below which nothing is reported. */
  tolerance?: number;
}

export class RangeBreakDetector implements Detector {
  readonly name = 'range-break';
  private readonly tolerance: number;
  private min = Infinity;
  private max = -Infinity;
  private n = 0;

  constructor(opts: RangeBreakOptions = {}) {
    this.tolerance = opts.tolerance ?? 0.05;
  }

  update(sample: Sample): DetectorResult {
    const x = singleValue(sample);
    const sig = singleName(sample);
    if (!Number.isFinite(x)) return { score: 0, signal: sig, explanation: `${sig}: no reading` };
    let score = 0;
    let explanation = `${sig}: within the range seen so far`;
    const range = this.max - this.min;
    if (range > 0) {
      const over = Math.max(x - this.max, this.min - x) / range;
      if (over > this.tolerance) {
        const p = (2 / (this.n + 1)) * Math.pow(this.n, -over);
        score = pToScore(p);
        const side = x > this.max ? `above the highest value so far (${this.max})` : `below the lowest value so far (${this.min})`;
        explanation = `${sig}=${x} is ${side} by ${(100 * over).toFixed(0)}% of the range (p=${p.toExponential(2)})`;
      }
    }
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.n++;
    return { score, signal: sig, explanation };
  }
}
