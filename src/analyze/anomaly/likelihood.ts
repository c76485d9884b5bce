/**
 * Anomaly likelihood, after Numenta's post-processor for HTM (nupic `anomaly_likelihood.py`, used by
 * NAB's numenta detector; Ahmad et al. 2017): a raw score is judged against the detector's own
 * history instead of by its absolute size. The short-term mean of the raw score (10 rows) is
 * compared with a Gaussian fitted to the long-term distribution of that mean (re-estimated every
 * 100 rows over a bounded history), and the Gaussian tail probability becomes a log-scaled
 * likelihood in [0,1]. A detector whose raw score is always noisy thus stops alarming, and one
 * that is usually quiet alarms on a modest rise.
 *
 * Differences from nupic, on purpose: the tail is one-sided (nupic reflects scores *below* the mean
 * into the upper tail, so an unusually quiet stretch would look anomalous), and the flat-metric
 * special case is left to the raw detector (it is HTM-specific).
 */
import { DEFAULT_PROBATION, normalTail, type Detector, type DetectorResult, type Sample } from './detector.js';

export interface LikelihoodOptions {
  /** Rows whose raw scores are not trusted for fitting (the raw detector is still learning). */
  learningPeriod?: number;
  /** Further rows, after the learning period, that the first fit needs; until then the output is 0. */
  estimationSamples?: number;
  /** Rows in the short-term moving average of the raw score. */
  averagingWindow?: number;
  /** Rows of averaged scores kept for re-estimating the Gaussian. */
  historicWindow?: number;
  /** Re-estimate the Gaussian every this many rows. */
  reestimationPeriod?: number;
  /** Lower bounds for the fitted mean and variance (nupic's, for raw scores in [0,1]). */
  minMean?: number;
  minVariance?: number;
}

/** nupic's log scale: log(1 - likelihood) / log(1e-10), so a tail probability of 1e-10 maps to 1. */
export function logLikelihood(tail: number): number {
  return Math.log(Math.max(0, Math.min(1, tail)) + 1e-10) / Math.log(1e-10);
}

export class AnomalyLikelihood {
  private readonly learning: number;
  private readonly probation: number;
  private readonly avgWindow: number;
  private readonly histCap: number;
  private readonly reestimate: number;
  private readonly minMean: number;
  private readonly minVar: number;
  private readonly recent: number[] = [];
  private recentSum = 0;
  /** Averaged scores, oldest first (bounded; `dropped` counts what fell out). */
  private readonly history: number[] = [];
  private dropped = 0;
  private iteration = 0;
  private mean = 0;
  private std = 0;
  private fitted = false;
  private prevTail = 1;

  constructor(opts: LikelihoodOptions = {}) {
    this.learning = opts.learningPeriod ?? 288;
    this.probation = this.learning + (opts.estimationSamples ?? 100);
    this.avgWindow = opts.averagingWindow ?? 10;
    this.histCap = opts.historicWindow ?? 8640;
    this.reestimate = opts.reestimationPeriod ?? 100;
    this.minMean = opts.minMean ?? 0.03;
    this.minVar = opts.minVariance ?? 0.0003;
  }

  /** NAB's split of a probationary period: half learning, half estimation. */
  static forProbation(probation: number, opts: LikelihoodOptions = {}): AnomalyLikelihood {
    const learningPeriod = Math.floor(probation / 2);
    return new AnomalyLikelihood({ learningPeriod, estimationSamples: Math.max(1, probation - learningPeriod), ...opts });
  }

  private fit(): void {
    // Skip the learning period, minus whatever has already slid out of the history.
    const skip = Math.min(this.history.length, Math.max(0, this.learning - this.dropped));
    const n = this.history.length - skip;
    if (n <= 0) {
      // nupic's "null distribution": so broad that nothing is unlikely.
      this.mean = 0.5;
      this.std = 1e3;
    } else {
      let s = 0;
      for (let i = skip; i < this.history.length; i++) s += this.history[i];
      const m = s / n;
      let v = 0;
      for (let i = skip; i < this.history.length; i++) v += (this.history[i] - m) ** 2;
      this.mean = Math.max(m, this.minMean);
      this.std = Math.sqrt(Math.max(v / n, this.minVar));
    }
    this.fitted = true;
  }

  /** Tail probability of the current short-term mean (1 = ordinary), after nupic's red-zone filter. */
  tail(raw: number): number {
    this.recent.push(raw);
    this.recentSum += raw;
    if (this.recent.length > this.avgWindow) this.recentSum -= this.recent.shift() as number;
    const avg = this.recentSum / this.recent.length;
    let out = 1;
    if (this.iteration >= this.probation) {
      if (!this.fitted || this.iteration % this.reestimate === 0) this.fit();
      const t = avg <= this.mean ? 1 : normalTail((avg - this.mean) / this.std);
      // Only the first row of a run deep in the red zone keeps its full strength (nupic's filter):
      // a sustained anomaly should alarm once, not on every row.
      out = t <= 1e-5 && this.prevTail <= 1e-5 ? 1e-3 : t;
      this.prevTail = t;
    }
    this.history.push(avg);
    if (this.history.length > this.histCap) {
      this.history.shift();
      this.dropped++;
    }
    this.iteration++;
    return out;
  }

  /** The log-scaled likelihood in [0,1] (NAB's numenta score). */
  update(raw: number): number {
    return logLikelihood(this.tail(raw));
  }
}

/** Wraps any detector: its score becomes the anomaly likelihood of that score. */
export class LikelihoodDetector implements Detector {
  readonly name: string;
  private readonly al: AnomalyLikelihood;
  constructor(
    private readonly inner: Detector,
    probation = DEFAULT_PROBATION,
    opts: LikelihoodOptions = {},
  ) {
    this.name = `${inner.name}+likelihood`;
    this.al = AnomalyLikelihood.forProbation(probation, opts);
  }

  update(sample: Sample): DetectorResult {
    const r = this.inner.update(sample);
    const tail = this.al.tail(r.score);
    return { score: logLikelihood(tail), signal: r.signal, explanation: `${r.explanation}; likelihood tail ${tail.toExponential(2)}` };
  }
}
