/**
 * Upper-tail probabilities of a statistic against its own reference sample, by peaks over threshold
 * (extreme value theory, as in SPOT: Siffer et al., KDD 2017): empirical ranks up to the
 * `q`-quantile u, and above u a generalised Pareto distribution fitted to the excesses. The fit
 * lets a value beyond everything seen still be ranked by *how far* beyond it is, with a scale
 * learned from the sample instead of a fixed one.
 */
import { SortedList, type SortedSample } from './sorted-list.js';

export type { SortedSample };

/** Sorted multiset with insert and remove by value (for reference samples whose members change). */
export class SortedBag extends SortedList {
  add(x: number): void {
    this.sorted.splice(this.lowerBound(x), 0, x);
  }

  /** Removes one copy of x; returns false when x is not present. */
  remove(x: number): boolean {
    const i = this.lowerBound(x);
    if (i >= this.sorted.length || this.sorted[i] !== x) return false;
    this.sorted.splice(i, 1);
    return true;
  }
}

export interface TailOptions {
  /** Quantile above which the Pareto tail takes over from empirical ranks. */
  q?: number;
  /** Fewest excesses worth fitting; with fewer, ranks alone are used. */
  minExcesses?: number;
}

/**
 * P(X >= x) for X drawn like the reference sample. Empirical (with the +1 of a conformal p-value)
 * up to the q-quantile; above it, (excesses/(n+1)) * GPD survival of x - u. The GPD is fitted by the
 * method of moments, with its shape clamped to [0, 0.5]: never lighter than exponential, because a
 * bounded tail fitted to a few dozen excesses would call anything past its end impossible.
 */
export function upperTail(ref: SortedSample, x: number, opts: TailOptions = {}): number {
  const n = ref.size;
  if (n === 0) return 1;
  const empirical = Math.min(1, (n - ref.lowerBound(x) + 1) / (n + 1));
  const u = ref.quantile(opts.q ?? 0.9);
  if (!(x > u)) return empirical;
  const start = ref.upperBound(u);
  const k = n - start;
  if (k < (opts.minExcesses ?? 10)) return empirical;
  let s = 0;
  let s2 = 0;
  for (let i = start; i < n; i++) {
    const y = ref.at(i) - u;
    s += y;
    s2 += y * y;
  }
  const m = s / k;
  const v = Math.max(s2 / k - m * m, 1e-300);
  const shape = Math.min(0.5, Math.max(0, 0.5 * (1 - (m * m) / v)));
  const scale = Math.max(0.5 * m * ((m * m) / v + 1), 1e-12 * (Math.abs(u) + 1), 1e-300);
  const y = x - u;
  const survival = shape < 1e-9 ? Math.exp(-y / scale) : Math.pow(1 + (shape * y) / scale, -1 / shape);
  return Math.max((k / (n + 1)) * survival, 1e-300);
}
