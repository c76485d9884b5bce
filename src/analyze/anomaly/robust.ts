/**
 * Robust statistical baseline: rolling median / MAD z-score of each value, smoothed with an EWMA
 * so that a sustained shift scores higher than one noisy point. Score = tail probability of the
 * larger of the instantaneous and smoothed z, on the shared log scale.
 */
import { DEFAULT_PROBATION, SortedWindow, normalTail, pToScore, singleName, singleValue, type Detector, type DetectorOptions, type DetectorResult, type Sample } from './detector.js';

export interface RobustOptions extends DetectorOptions {
  /** Rows in the rolling median/MAD window. */
  window?: number;
  /** EWMA smoothing factor for the z-scores. */
  alpha?: number;
}

export class RobustDetector implements Detector {
  readonly name = 'robust';
  private readonly win: SortedWindow;
  private readonly alpha: number;
  private readonly minRows: number;
  private ewma = 0;
  private n = 0;

  constructor(opts: RobustOptions = {}) {
    const probation = opts.probation ?? DEFAULT_PROBATION;
    this.win = new SortedWindow(opts.window ?? Math.max(50, probation));
    this.alpha = opts.alpha ?? 0.2;
    this.minRows = Math.max(10, Math.floor(probation / 5));
  }

  update(sample: Sample): DetectorResult {
    const x = singleValue(sample);
    const sig = singleName(sample);
    let score = 0;
    let explanation = `${sig}: learning`;
    if (this.win.size >= this.minRows) {
      const med = this.win.quantile(0.5);
      // MAD from the quartiles keeps this O(log n); floor it so flat signals do not divide by zero.
      const mad = Math.max((this.win.quantile(0.75) - this.win.quantile(0.25)) / 1.349, (this.win.max() - this.win.min()) / 100, 1e-9 * (Math.abs(med) + 1));
      const z = (x - med) / mad;
      this.ewma = this.alpha * z + (1 - this.alpha) * this.ewma;
      // The EWMA of n iid z's has variance alpha/(2-alpha); rescale so both are standard normal.
      const zs = this.ewma / Math.sqrt(this.alpha / (2 - this.alpha));
      const zMax = Math.abs(z) >= Math.abs(zs) ? z : zs;
      score = pToScore(2 * normalTail(Math.abs(zMax)));
      explanation = `${sig}=${x} is ${zMax.toFixed(1)} robust sd from median ${med}`;
    }
    this.win.push(x);
    this.n++;
    return { score, signal: sig, explanation };
  }
}
