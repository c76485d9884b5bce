/**
 * Rarity detector: how unusual is the *current behaviour* relative to the series' own history?
 * For a few short-window features (the value, a short mean, a short spread) it keeps the long-run
 * distribution of that feature and scores the current feature by its two-sided tail probability
 * (rank-based, like NAB's windowedGaussian / relativeEntropy / KNN-CAD ideas but distribution-free).
 * The rarest feature names the explanation.
 */
import { DEFAULT_PROBATION, SortedWindow, pToScore, singleName, singleValue, tailProbability, type Detector, type DetectorOptions, type DetectorResult, type Sample } from './detector.js';

export interface RarityOptions extends DetectorOptions {
  /** Rows in the short mean. */
  shortMean?: number;
  /** Rows in the short spread (standard deviation). */
  shortSpread?: number;
  /** Rows of feature history kept as the reference distribution. */
  history?: number;
}

class RollingStats {
  private readonly buf: number[] = [];
  private sum = 0;
  private sumSq = 0;
  constructor(readonly size: number) {}
  push(x: number): void {
    this.buf.push(x);
    this.sum += x;
    this.sumSq += x * x;
    if (this.buf.length > this.size) {
      const o = this.buf.shift() as number;
      this.sum -= o;
      this.sumSq -= o * o;
    }
  }
  get full(): boolean {
    return this.buf.length >= this.size;
  }
  mean(): number {
    return this.sum / this.buf.length;
  }
  std(): number {
    const m = this.mean();
    return Math.sqrt(Math.max(0, this.sumSq / this.buf.length - m * m));
  }
}

export class RarityDetector implements Detector {
  readonly name = 'rarity';
  private readonly meanWin: RollingStats;
  private readonly spreadWin: RollingStats;
  private readonly refs: Record<'value' | 'mean' | 'spread', SortedWindow>;
  private readonly minHistory: number;
  private n = 0;

  constructor(opts: RarityOptions = {}) {
    const probation = opts.probation ?? DEFAULT_PROBATION;
    this.meanWin = new RollingStats(opts.shortMean ?? 6);
    this.spreadWin = new RollingStats(opts.shortSpread ?? 12);
    const h = opts.history ?? 3000;
    this.refs = { value: new SortedWindow(h), mean: new SortedWindow(h), spread: new SortedWindow(h) };
    // Tail probabilities from a handful of rows are noise; wait for a fraction of the learning period.
    this.minHistory = Math.max(20, Math.floor(probation / 5));
  }

  update(sample: Sample): DetectorResult {
    const x = singleValue(sample);
    const sig = singleName(sample);
    this.meanWin.push(x);
    this.spreadWin.push(x);
    const feats: Array<['value' | 'mean' | 'spread', number]> = [['value', x]];
    if (this.meanWin.full) feats.push(['mean', this.meanWin.mean()]);
    if (this.spreadWin.full) feats.push(['spread', this.spreadWin.std()]);
    let best = { score: 0, feature: 'value', side: 'high', p: 1 };
    if (this.n >= this.minHistory) {
      for (const [name, v] of feats) {
        const ref = this.refs[name];
        if (ref.size < this.minHistory) continue;
        const { p, side } = tailProbability(ref, v);
        const score = pToScore(p);
        if (score > best.score) best = { score, feature: name, side, p };
      }
    }
    for (const [name, v] of feats) this.refs[name].push(v);
    this.n++;
    return {
      score: best.score,
      signal: sig,
      explanation: best.score > 0 ? `${sig}: ${best.feature} unusually ${best.side} (tail p=${best.p.toExponential(2)})` : `${sig}: within its usual range`,
    };
  }
}
