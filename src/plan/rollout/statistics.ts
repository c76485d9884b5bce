/**
 * The two test statistics a canary analysis needs, hand-written: no statistics library is installed (nothing like
 * simple-statistics or jStat in node_modules, and adding one is not ours to do), and both are a few lines of
 * textbook maths, tested against published values in test/rollout.test.ts. The normal tail is the one the anomaly
 * detectors use (Numerical Recipes' erfc).
 */
import { normalTail } from '../../analyze/anomaly/detector.js';

export interface TestResult {
  /** The standardised statistic (z); positive when the second sample looks worse. */
  z: number;
  /** One-sided p-value of "the second sample is worse (larger)". */
  pValue: number;
}

/**
 * Two-proportion z-test (pooled), one-sided: is the canary's failure share x2/n2 larger than the baseline's x1/n1?
 * Counts may be fractional (a fluid model's expected requests). No data, or no failure at all: z = 0, p = 1.
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): TestResult & { p1: number; p2: number } {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  if (n1 <= 0 || n2 <= 0) return { z: 0, pValue: 1, p1, p2 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: 0, pValue: 1, p1, p2 };
  const z = (p2 - p1) / se;
  return { z, pValue: normalTail(z), p1, p2 };
}

/**
 * Mann–Whitney U test, one-sided: do values of `b` tend to be larger than those of `a`? Normal approximation with
 * the tie correction of the variance and a continuity correction (as scipy's `method='asymptotic'`); adequate from
 * about five samples a side, which is what a canary step's per-scrape p99 samples give. U is b's statistic.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): TestResult & { u: number } {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const all = [...a.map((v) => ({ v, inB: false })), ...b.map((v) => ({ v, inB: true }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumB = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k].inB) rankSumB += rank;
    i = j + 1;
  }
  const u = rankSumB - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, pValue: normalTail(z) };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
