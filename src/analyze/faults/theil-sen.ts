/**
 * A robust straight line through a short series: the Theil–Sen slope (median of the pairwise slopes), Kendall's τ
 * (how consistently the series moves one way) and the scatter around the line. All three come from the same
 * O(n²) pairs, fine for the few dozen samples of a trend window. Unlike least squares, a minority of outliers (a
 * scrape glitch, one collection) barely tilts the line.
 */
export interface RobustLine {
  /** Value units per time unit. */
  slope: number;
  /** Value of the line at time 0 (pass times relative to a recent origin, so this stays meaningful). */
  intercept: number;
  /** Kendall's τ-b in [-1, 1]: 1 = every later sample higher than every earlier one. Ties (flat stretches) lower it. */
  tau: number;
  /** 1.4826 × median absolute residual: the standard deviation of the noise if it is normal. */
  scatter: number;
}

/** The line through `v` over `t` for indices [from, to); `t` ascending. Needs at least two points. */
export function theilSen(t: ArrayLike<number>, v: ArrayLike<number>, from = 0, to = t.length): RobustLine {
  const n = to - from;
  if (n < 2) throw new Error(`theilSen needs at least 2 points, got ${n}`);
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0, concordant = 0, discordant = 0, tiesT = 0, tiesV = 0;
  for (let i = from; i < to; i++) {
    for (let j = i + 1; j < to; j++) {
      const dt = t[j] - t[i];
      const dv = v[j] - v[i];
      if (dt === 0) tiesT++;
      else slopes[m++] = dv / dt;
      if (dv === 0) tiesV++;
      else if (dt !== 0) {
        if (dv > 0) concordant++;
        else discordant++;
      }
    }
  }
  const slope = m > 0 ? median(slopes.subarray(0, m)) : 0;
  const residuals = new Float64Array(n);
  for (let i = from; i < to; i++) residuals[i - from] = v[i] - slope * t[i];
  const intercept = median(residuals);
  for (let i = 0; i < n; i++) residuals[i] = Math.abs(residuals[i] - intercept);
  const pairs = (n * (n - 1)) / 2;
  const denom = Math.sqrt((pairs - tiesT) * (pairs - tiesV));
  return { slope, intercept, tau: denom > 0 ? (concordant - discordant) / denom : 0, scatter: 1.4826 * median(residuals) };
}

/** Median of the values (sorts them in place). */
function median(xs: Float64Array): number {
  xs.sort();
  const h = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[h] : (xs[h - 1] + xs[h]) / 2;
}
