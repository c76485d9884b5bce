/**
 * The cheap forecaster behind the RL state's quantile features: additive Holt-Winters (damped trend, daily
 * season) on log1p of 5-minute request-rate means, with fixed smoothing constants and an EWMA of squared
 * one-step errors for the interval. O(1) per bucket, so thousands of training episodes can afford it; the
 * product's AutoForecaster refits by backtest and would dominate training time. Training and deployment use
 * this same class, so the features mean the same thing in both.
 */
import { Z90 } from '../../analyze/forecast/forecaster.js';

const BUCKET = 300;
const SEASON = 288;
const ALPHA = 0.4;
const BETA = 0.05;
const GAMMA = 0.1;
const PHI = 0.9;
const ERR_DECAY = 0.05;

export interface RateOutlook {
  /** Quantiles of the highest 5-minute mean over the next `aheadBuckets` buckets, req/s. */
  p10: number;
  p50: number;
  p90: number;
}

export class LoadForecast {
  private level = NaN;
  private trend = 0;
  private readonly season = new Float64Array(SEASON);
  private errVar = 0;
  private seen = 0;
  private slot = 0;
  // Bucket being filled from per-tick observations.
  private bucketId = -1;
  private bucketSum = 0;
  private bucketN = 0;

  /** Feeds one completed 5-minute mean (req/s). */
  observeBucket(rate: number): void {
    const y = Math.log1p(Math.max(0, rate));
    const s = this.seen >= SEASON ? this.season[this.slot] : 0;
    if (Number.isNaN(this.level)) {
      this.level = y;
    } else {
      const err = y - (this.level + PHI * this.trend + s);
      this.errVar = this.seen === 1 ? err * err : (1 - ERR_DECAY) * this.errVar + ERR_DECAY * err * err;
      const prev = this.level;
      this.level = ALPHA * (y - s) + (1 - ALPHA) * (prev + PHI * this.trend);
      this.trend = BETA * (this.level - prev) + (1 - BETA) * PHI * this.trend;
    }
    // The season is learnt from the first day on but used only once a full day has been seen.
    this.season[this.slot] = this.seen >= SEASON ? GAMMA * (y - this.level) + (1 - GAMMA) * s : y - this.level;
    this.slot = (this.slot + 1) % SEASON;
    this.seen++;
  }

  /** Feeds a per-tick observation; bucket means are formed on 5-minute boundaries of `now`. */
  observe(now: number, rate: number): void {
    const id = Math.floor(now / BUCKET);
    if (this.bucketId >= 0 && id !== this.bucketId && this.bucketN > 0) {
      this.observeBucket(this.bucketSum / this.bucketN);
      this.bucketSum = 0;
      this.bucketN = 0;
    }
    this.bucketId = id;
    this.bucketSum += rate;
    this.bucketN++;
  }

  /** Buckets seen so far. */
  get history(): number {
    return this.seen;
  }

  /** Outlook over the next `aheadBuckets` buckets; null before any bucket was seen. */
  outlook(aheadBuckets = 3): RateOutlook | null {
    if (Number.isNaN(this.level)) return null;
    let best = -Infinity;
    let damp = 0;
    for (let h = 1; h <= aheadBuckets; h++) {
      damp += PHI ** h;
      const s = this.seen >= SEASON ? this.season[(this.slot + h - 1) % SEASON] : 0;
      best = Math.max(best, this.level + damp * this.trend + s);
    }
    // Few buckets: the error estimate is unreliable, so it is floored (a wide interval is the honest answer).
    const sd = Math.sqrt(Math.max(this.errVar, this.seen < 12 ? 0.04 : 1e-4) * aheadBuckets);
    const back = (z: number) => Math.max(0, Math.expm1(z));
    return { p10: back(best - Z90 * sd), p50: back(best), p90: back(best + Z90 * sd) };
  }
}
