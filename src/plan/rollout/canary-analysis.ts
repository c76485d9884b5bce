import { z } from 'zod';
import type { RevisionWindow } from './revision-metrics.js';
import { mannWhitneyU, median, twoProportionZ } from './statistics.js';

export const CanaryAnalysisConfigSchema = z.strictObject({
  /** Significance level of each one-sided test. */
  alpha: z.number().gt(0).lt(1).default(0.01),
  /** The canary's error rate must also exceed the baseline's by this much (absolute) to fail: significant and material. */
  errorMargin: z.number().nonnegative().default(0.001),
  /** Its median p99 must also exceed the baseline's by this share. */
  latencyMargin: z.number().nonnegative().default(0.1),
  /** Fewer canary requests than this in a step: inconclusive (the step is extended). */
  minRequests: z.number().nonnegative().default(200),
  /** Fewer latency samples a side than this: no latency verdict. */
  minLatencySamples: z.number().int().positive().default(5),
});
export type CanaryAnalysisConfig = z.output<typeof CanaryAnalysisConfigSchema>;

export interface StepAnalysis {
  verdict: 'pass' | 'fail' | 'inconclusive';
  reasons: string[];
  errors: { baselineRate: number; canaryRate: number; baselineRequests: number; canaryRequests: number; z: number; pValue: number; failed: boolean };
  latency: { baselineMedianMs: number; canaryMedianMs: number; samples: [number, number]; u: number; z: number; pValue: number; failed: boolean };
}

/**
 * One canary step's analysis, canary vs baseline (the stable revision over the same window): errors by a
 * two-proportion z-test, p99 latency by a Mann–Whitney U test on the per-scrape samples. Each fails only when it is
 * both significant (p < alpha) and material (beyond its margin), so noise alone rarely aborts a good revision. Pure.
 */
export function analyseStep(baseline: RevisionWindow, canary: RevisionWindow, c: CanaryAnalysisConfig): StepAnalysis {
  const e = twoProportionZ(baseline.errors, baseline.requests, canary.errors, canary.requests);
  const errFailed = e.pValue < c.alpha && e.p2 - e.p1 > c.errorMargin;
  const bl = baseline.latencySamplesMs;
  const cl = canary.latencySamplesMs;
  const enough = bl.length >= c.minLatencySamples && cl.length >= c.minLatencySamples;
  const mw = enough ? mannWhitneyU(bl, cl) : { u: 0, z: 0, pValue: 1 };
  const bm = median(bl);
  const cm = median(cl);
  const latFailed = enough && mw.pValue < c.alpha && cm > bm * (1 + c.latencyMargin);
  const reasons: string[] = [];
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  reasons.push(`errors: canary ${pct(e.p2)} of ${Math.round(canary.requests)} vs baseline ${pct(e.p1)} of ${Math.round(baseline.requests)} (z ${e.z.toFixed(2)}, p ${fmtP(e.pValue)})${errFailed ? ' — worse' : ''}`);
  reasons.push(enough
    ? `p99: canary median ${Math.round(cm)} ms vs baseline ${Math.round(bm)} ms (Mann–Whitney U ${mw.u.toFixed(1)}, p ${fmtP(mw.pValue)})${latFailed ? ' — worse' : ''}`
    : `p99: ${cl.length}/${bl.length} samples, ${c.minLatencySamples} a side needed`);
  let verdict: StepAnalysis['verdict'] = errFailed || latFailed ? 'fail' : 'pass';
  if (verdict === 'pass' && (canary.requests < c.minRequests || !enough)) {
    verdict = 'inconclusive';
    reasons.push(`not enough canary traffic to judge (${Math.round(canary.requests)} requests, ${c.minRequests} needed)`);
  }
  return {
    verdict, reasons,
    errors: { baselineRate: e.p1, canaryRate: e.p2, baselineRequests: baseline.requests, canaryRequests: canary.requests, z: e.z, pValue: e.pValue, failed: errFailed },
    latency: { baselineMedianMs: bm, canaryMedianMs: cm, samples: [bl.length, cl.length], u: mw.u, z: mw.z, pValue: mw.pValue, failed: latFailed },
  };
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}
