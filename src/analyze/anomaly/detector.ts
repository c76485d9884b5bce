/**
 * Streaming anomaly detectors: one sample in, one score in [0,1] out, using only the past.
 * Shared helpers (sorted rolling window, tail probabilities, the log score scale) live here so that
 * every detector turns its evidence into a score the same way.
 */
import { SortedList } from './sorted-list.js';

/** A plain number (one unnamed signal, called `value`) or a timestamped set of named signals. */
export type Sample = number | { t: number | string; values: Record<string, number> };

export interface DetectorResult {
  /** 0 = normal, 1 = as anomalous as this detector can say. Ordering matters more than scale. */
  score: number;
  /** The signal (or feature) that drove the score. */
  signal: string;
  explanation: string;
}

export interface Detector {
  readonly name: string;
  update(sample: Sample): DetectorResult;
}

/** Common knobs. `probation` is the learning period in rows (NAB passes min(0.15 N, 750)). */
export interface DetectorOptions {
  probation?: number;
}

export const DEFAULT_PROBATION = 750;

export function sampleValues(sample: Sample): Record<string, number> {
  return typeof sample === 'number' ? { value: sample } : sample.values;
}

/** The single value of a univariate sample; a multi-signal sample needs MultiSignalDetector. */
export function singleValue(sample: Sample): number {
  if (typeof sample === 'number') return sample;
  const keys = Object.keys(sample.values);
  if (keys.length !== 1) throw new Error(`univariate detector got ${keys.length} signals (${keys.join(',')}); use MultiSignalDetector`);
  return sample.values[keys[0]];
}

export function singleName(sample: Sample): string {
  return typeof sample === 'number' ? 'value' : Object.keys(sample.values)[0] ?? 'value';
}

/** Sorted multiset with FIFO eviction: O(log n) rank queries, O(n) memmove inserts (fast for n in the thousands). */
export class SortedWindow extends SortedList {
  private readonly fifo: number[] = [];
  private head = 0;
  constructor(readonly capacity: number) {
    super();
  }

  push(x: number): void {
    this.sorted.splice(this.lowerBound(x), 0, x);
    this.fifo.push(x);
    if (this.sorted.length > this.capacity) {
      const old = this.fifo[this.head++];
      this.sorted.splice(this.lowerBound(old), 1);
      // Compact the queue now and then instead of shifting on every eviction.
      if (this.head > 4096) {
        this.fifo.splice(0, this.head);
        this.head = 0;
      }
    }
  }

  min(): number {
    return this.sorted[0];
  }

  max(): number {
    return this.sorted[this.sorted.length - 1];
  }
}

/**
 * Two-sided tail probability of `v` against a sample, empirical (rank) inside the observed range and
 * shrunk exponentially by the distance beyond it, so that values further outside still rank higher.
 */
export function tailProbability(ref: SortedWindow, v: number): { p: number; side: 'high' | 'low' } {
  const n = ref.size;
  if (n === 0) return { p: 1, side: 'high' };
  const ge = n - ref.lowerBound(v);
  const le = ref.upperBound(v);
  const iqr = ref.quantile(0.75) - ref.quantile(0.25);
  const med = ref.quantile(0.5);
  // A floor on the scale: flat references (IQR 0) must still order deviations by size.
  const scale = Math.max(iqr / 1.349, (ref.max() - ref.min()) / 100, 1e-9 * (Math.abs(med) + 1));
  if (ge <= le) {
    let p = Math.min(1, (2 * (ge + 1)) / (n + 1));
    if (v > ref.max()) p *= Math.exp(-(v - ref.max()) / scale);
    return { p, side: 'high' };
  }
  let p = Math.min(1, (2 * (le + 1)) / (n + 1));
  if (v < ref.min()) p *= Math.exp(-(ref.min() - v) / scale);
  return { p, side: 'low' };
}

/** Maps a tail probability to [0,1] on a log scale so that tiny probabilities keep their order. */
export function pToScore(p: number): number {
  // L/(L+10) with L = -log10 p: monotone, 0 at p=1, never saturates at 1 (ties would lose order).
  const l = -Math.log10(Math.min(1, Math.max(p, 1e-300)));
  return l / (l + 10);
}

/** Inverse of pToScore: the evidence -log10 p that a score stands for (0 for a score of 0). */
export function scoreToLog10(score: number): number {
  const s = Math.min(Math.max(score, 0), 1 - 1e-12);
  return (10 * s) / (1 - s);
}

/**
 * Complementary error function, Numerical Recipes' Chebyshev fit: fractional error < 1.2e-7
 * everywhere, so far tails (1e-10 and below) keep their order and size.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal upper tail P(Z > z). */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
