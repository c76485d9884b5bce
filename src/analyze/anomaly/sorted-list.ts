/** A sorted sample that can answer rank and quantile queries. */
export interface SortedSample {
  readonly size: number;
  lowerBound(x: number): number;
  upperBound(x: number): number;
  quantile(q: number): number;
  at(i: number): number;
}

/**
 * A sorted array with rank and quantile queries: O(log n) lookups, O(n) memmove inserts (fast for n in the
 * thousands). Subclasses decide how members come and go (a FIFO window, a bag with removal by value).
 */
export class SortedList implements SortedSample {
  protected readonly sorted: number[] = [];

  get size(): number {
    return this.sorted.length;
  }

  /** First index with sorted[i] >= x. */
  lowerBound(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index with sorted[i] > x. */
  upperBound(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  quantile(q: number): number {
    const n = this.sorted.length;
    if (n === 0) return NaN;
    const pos = q * (n - 1);
    const i = Math.floor(pos);
    const f = pos - i;
    return i + 1 < n ? this.sorted[i] * (1 - f) + this.sorted[i + 1] * f : this.sorted[i];
  }

  /** The i-th smallest value. */
  at(i: number): number {
    return this.sorted[i];
  }
}
