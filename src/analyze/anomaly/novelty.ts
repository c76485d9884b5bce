/**
 * Pattern novelty: is the recent stretch of the series unlike anything seen before?
 *
 * The idea shared by NAB's strongest detectors (HTM's unpredicted input, CAD-OSE's new contexts,
 * ARTime's new ART categories) is that an anomaly is a *first occurrence*: a level, shape or
 * volatility the series has not shown yet. Here that is measured directly, as a streaming
 * nearest-neighbour discord:
 *
 * 1. Rows are summarised in blocks (mean and standard deviation). The block length scales with the
 *    learning period (about `blocksPerProbation` blocks in it), so the time scale follows the
 *    series the way NAB's window sizes do, without per-series settings. Two scales by default:
 *    a pattern of 8 short blocks sees spikes and short bursts, one of 8 blocks four times longer
 *    sees a missing daily peak or a slow drift, which look ordinary through a short window.
 * 2. A pattern is the last `patternBlocks` blocks. Its novelty is the distance to the nearest
 *    earlier pattern that does not overlap it.
 * 3. The distance is judged against the *current* nearest-neighbour distances of all stored
 *    patterns (each kept up to date as new patterns arrive): a conformal p-value, with a
 *    generalised Pareto tail above the 90th percentile (see tail.ts). Noise that keeps recurring
 *    thus stops being news, and the score is a calibrated -log10 p on every series.
 *
 * Each scale emits its score once per block (0 on the rows in between); the detector reports the
 * more surprising scale.
 */
import { DEFAULT_PROBATION, pToScore, singleName, singleValue, type Detector, type DetectorOptions, type DetectorResult, type Sample } from './detector.js';
import { SortedBag, upperTail } from './tail.js';

export interface NoveltyOptions extends DetectorOptions {
  /** Blocks per learning period, one entry per time scale; sets the block lengths. */
  blocksPerProbation?: number[];
  /** Blocks per pattern. */
  patternBlocks?: number;
  /** Quantile above which the distance tail is modelled (generalised Pareto). */
  tailQuantile?: number;
  /** Most patterns remembered (oldest forgotten first), bounding time and memory on endless streams. */
  maxPatterns?: number;
  /** Fewest reference distances before scoring. */
  minReference?: number;
}

interface ScaleOptions {
  blockRows: number;
  patternBlocks: number;
  tailQuantile: number;
  maxPatterns: number;
  minReference: number;
}

/** One time scale: block summaries, the pattern memory and its calibrated novelty. */
class PatternScale {
  readonly blockRows: number;
  private readonly m: number;
  private readonly q: number;
  private readonly cap: number;
  private readonly minRef: number;
  private block: number[] = [];
  /** Block summaries, flattened: [mean0, sd0, mean1, sd1, ...] of the last m blocks. */
  private readonly recentBlocks: number[] = [];
  private readonly patterns: Float64Array[] = [];
  /** Squared distance from each stored pattern to its nearest non-overlapping neighbour. */
  private readonly nn: number[] = [];
  /** Serial number of patterns[0] (patterns are numbered from 0 in arrival order). */
  private firstSerial = 0;
  private readonly ref = new SortedBag();

  constructor(opts: ScaleOptions) {
    this.blockRows = opts.blockRows;
    this.m = opts.patternBlocks;
    this.q = opts.tailQuantile;
    this.cap = opts.maxPatterns;
    this.minRef = opts.minReference;
  }

  update(x: number, sig: string): DetectorResult {
    this.block.push(x);
    if (this.block.length < this.blockRows) return { score: 0, signal: sig, explanation: `${sig}: between pattern checks` };
    let mean = 0;
    for (const v of this.block) mean += v;
    mean /= this.block.length;
    let ss = 0;
    for (const v of this.block) ss += (v - mean) ** 2;
    this.block = [];
    this.recentBlocks.push(mean, Math.sqrt(ss / this.blockRows));
    if (this.recentBlocks.length > 2 * this.m) this.recentBlocks.splice(0, 2);
    if (this.recentBlocks.length < 2 * this.m) return { score: 0, signal: sig, explanation: `${sig}: learning` };
    return this.judge(Float64Array.from(this.recentBlocks), sig);
  }

  private judge(pat: Float64Array, sig: string): DetectorResult {
    const serial = this.firstSerial + this.patterns.length;
    // Patterns with serial > serial - m share blocks with this one (trivial matches).
    const last = serial - this.m - this.firstSerial;
    let best = Infinity;
    for (let j = 0; j <= last; j++) {
      const other = this.patterns[j];
      const bound = Math.max(best, this.nn[j]);
      let d = 0;
      for (let c = 0; c < pat.length && d < bound; c++) d += (pat[c] - other[c]) ** 2;
      if (d < best) best = d;
      if (d < this.nn[j]) {
        // This pattern is the new nearest neighbour of an old one: keep the reference current.
        if (this.nn[j] !== Infinity) this.ref.remove(Math.sqrt(this.nn[j]));
        this.ref.add(Math.sqrt(d));
        this.nn[j] = d;
      }
    }
    this.patterns.push(pat);
    this.nn.push(best);
    if (this.patterns.length > this.cap) {
      // Forget the oldest; neighbours that pointed at it keep their (slightly stale) distance.
      this.patterns.shift();
      const gone = this.nn.shift() as number;
      if (gone !== Infinity) this.ref.remove(Math.sqrt(gone));
      this.firstSerial++;
    }
    if (best === Infinity) return { score: 0, signal: sig, explanation: `${sig}: learning` };
    const dist = Math.sqrt(best);
    let score = 0;
    let explanation = `${sig}: learning`;
    if (this.ref.size >= this.minRef) {
      const p = upperTail(this.ref, dist, { q: this.q });
      score = pToScore(p);
      const rows = this.m * this.blockRows;
      explanation = `${sig}: the last ${rows} rows differ from every earlier stretch (nearest at distance ${dist.toPrecision(3)}, tail p=${p.toExponential(2)})`;
    }
    this.ref.add(dist);
    return { score, signal: sig, explanation };
  }
}

export class NoveltyDetector implements Detector {
  readonly name = 'novelty';
  private readonly scales: PatternScale[];

  constructor(opts: NoveltyOptions = {}) {
    const probation = opts.probation ?? DEFAULT_PROBATION;
    this.scales = (opts.blocksPerProbation ?? [100, 25]).map(
      (b) =>
        new PatternScale({
          blockRows: Math.max(1, Math.round(probation / b)),
          patternBlocks: opts.patternBlocks ?? 8,
          tailQuantile: opts.tailQuantile ?? 0.9,
          maxPatterns: opts.maxPatterns ?? 20000,
          minReference: opts.minReference ?? 20,
        }),
    );
  }

  update(sample: Sample): DetectorResult {
    const x = singleValue(sample);
    const sig = singleName(sample);
    // A missing reading says nothing about novelty, and must not poison the pattern memory.
    if (!Number.isFinite(x)) return { score: 0, signal: sig, explanation: `${sig}: no reading` };
    let best: DetectorResult | null = null;
    for (const s of this.scales) {
      const r = s.update(x, sig);
      if (best === null || r.score > best.score) best = r;
    }
    return best as DetectorResult;
  }
}
