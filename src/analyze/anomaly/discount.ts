/**
 * Evidence discount: a member whose score is not a calibrated p-value is trusted less by a fixed
 * number of orders of magnitude before an ensemble compares it with calibrated members.
 *
 * Why: the combined detector lets the most surprised member speak, which is only fair when every
 * member's -log10 p means the same thing. Novelty's is conformal and range break's is derived from
 * exchangeability, but the isolation forest's is a fixed map of its isolation score, scored on every
 * row from window features that overlap from row to row, so its "p" is far too small. Subtracting
 * `log10Units` from its evidence (a p-value multiplied by 10^log10Units, as a Bonferroni factor
 * would) keeps its ordering and silences its everyday noise; only clear isolation still speaks.
 */
import { scoreToLog10, type Detector, type DetectorResult, type Sample } from './detector.js';

/** The shared score of `log10` units of evidence (pToScore's scale); 0 for none. */
function log10ToScore(log10: number): number {
  return log10 > 0 ? log10 / (log10 + 10) : 0;
}

export class DiscountedDetector implements Detector {
  readonly name: string;

  constructor(
    private readonly inner: Detector,
    /** Orders of magnitude subtracted from the inner detector's evidence (>= 0). */
    private readonly log10Units: number,
  ) {
    if (!(log10Units >= 0)) throw new Error(`evidence discount must be >= 0, got ${log10Units}`);
    this.name = inner.name;
  }

  update(sample: Sample): DetectorResult {
    const r = this.inner.update(sample);
    if (r.score <= 0) return r;
    const score = log10ToScore(scoreToLog10(r.score) - this.log10Units);
    return score > 0 ? { ...r, score } : { ...r, score: 0, explanation: `${r.explanation} (below its discount of ${this.log10Units} log10 units)` };
  }
}
