/**
 * Isolation Forest (Liu, Ting & Zhou 2008), written by hand: there is no well-kept npm library for
 * it. Streaming use: features from a sliding window (value, short mean, short spread, step), robustly
 * standardised; the forest is refitted every `refitEvery` rows on a bounded history of feature rows.
 */
import { DEFAULT_PROBATION, pToScore, singleName, singleValue, type Detector, type DetectorOptions, type DetectorResult, type Sample } from './detector.js';
import { Rng } from '../../core/rng.js';

function seeded(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

type Node = { leaf: true; size: number } | { leaf: false; dim: number; split: number; left: Node; right: Node };

/** Average path length of an unsuccessful BST search over n points: the normaliser c(n). */
export function avgPath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

export class IsolationForest {
  private trees: Node[] = [];
  private sampleSize = 0;
  constructor(
    readonly nTrees = 50,
    readonly maxSamples = 128,
    private readonly rand: () => number = seeded(1),
  ) {}

  fit(rows: number[][]): void {
    this.sampleSize = Math.min(this.maxSamples, rows.length);
    const limit = Math.ceil(Math.log2(Math.max(2, this.sampleSize)));
    this.trees = [];
    for (let t = 0; t < this.nTrees; t++) {
      const sample: number[][] = [];
      for (let i = 0; i < this.sampleSize; i++) sample.push(rows[Math.floor(this.rand() * rows.length)]);
      this.trees.push(this.build(sample, 0, limit));
    }
  }

  private build(rows: number[][], depth: number, limit: number): Node {
    if (depth >= limit || rows.length <= 1) return { leaf: true, size: rows.length };
    const dims = rows[0].length;
    // Try a few random dimensions: one with no spread cannot split.
    for (let attempt = 0; attempt < dims; attempt++) {
      const dim = Math.floor(this.rand() * dims);
      let lo = Infinity;
      let hi = -Infinity;
      for (const r of rows) {
        if (r[dim] < lo) lo = r[dim];
        if (r[dim] > hi) hi = r[dim];
      }
      if (hi <= lo) continue;
      const split = lo + this.rand() * (hi - lo);
      const left = rows.filter((r) => r[dim] < split);
      const right = rows.filter((r) => r[dim] >= split);
      return { leaf: false, dim, split, left: this.build(left, depth + 1, limit), right: this.build(right, depth + 1, limit) };
    }
    return { leaf: true, size: rows.length };
  }

  /** Anomaly score 2^(-E[h(x)]/c(n)) in (0,1]: ~0.5 ordinary, near 1 isolated quickly. */
  score(x: number[]): number {
    if (this.trees.length === 0) return 0;
    let total = 0;
    for (const tree of this.trees) {
      let node = tree;
      let depth = 0;
      while (!node.leaf) {
        node = x[node.dim] < node.split ? node.left : node.right;
        depth++;
      }
      total += depth + avgPath(node.size);
    }
    return Math.pow(2, -total / this.trees.length / avgPath(this.sampleSize));
  }

  get fitted(): boolean {
    return this.trees.length > 0;
  }
}

export interface IForestOptions extends DetectorOptions {
  window?: number;
  history?: number;
  refitEvery?: number;
  trees?: number;
  seed?: number;
}

const FEATURES = ['value', 'mean', 'spread', 'step'] as const;

export class IsolationForestDetector implements Detector {
  readonly name = 'iforest';
  private readonly forest: IsolationForest;
  private readonly recent: number[] = [];
  private readonly history: number[][] = [];
  private readonly window: number;
  private readonly historyCap: number;
  private readonly refitEvery: number;
  private readonly firstFit: number;
  private center: number[] = [];
  private scale: number[] = [];
  private sinceFit = 0;

  constructor(opts: IForestOptions = {}) {
    const probation = opts.probation ?? DEFAULT_PROBATION;
    this.window = opts.window ?? 6;
    this.historyCap = opts.history ?? 1000;
    this.refitEvery = opts.refitEvery ?? 100;
    this.firstFit = Math.max(32, Math.floor(probation / 2));
    this.forest = new IsolationForest(opts.trees ?? 50, 128, seeded(opts.seed ?? 7));
  }

  private features(): number[] {
    const w = this.recent;
    const x = w[w.length - 1];
    const m = w.reduce((a, b) => a + b, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / w.length);
    const step = w.length > 1 ? x - w[w.length - 2] : 0;
    return [x, m, sd, step];
  }

  private refit(): void {
    // Robust per-feature standardisation so one big-valued feature does not dominate splits.
    const d = this.history[0].length;
    this.center = [];
    this.scale = [];
    for (let j = 0; j < d; j++) {
      const col = this.history.map((r) => r[j]).sort((a, b) => a - b);
      const q = (p: number) => col[Math.floor(p * (col.length - 1))];
      this.center.push(q(0.5));
      this.scale.push(Math.max(q(0.9) - q(0.1), (col[col.length - 1] - col[0]) / 100, 1e-9));
    }
    this.forest.fit(this.history.map((r) => this.standardise(r)));
    this.sinceFit = 0;
  }

  private standardise(r: number[]): number[] {
    return r.map((v, j) => (v - this.center[j]) / this.scale[j]);
  }

  update(sample: Sample): DetectorResult {
    const x = singleValue(sample);
    const sig = singleName(sample);
    this.recent.push(x);
    if (this.recent.length > this.window) this.recent.shift();
    const f = this.features();
    let score = 0;
    let explanation = `${sig}: learning`;
    if (this.forest.fitted) {
      const z = this.standardise(f);
      const s = this.forest.score(z);
      // Map the isolation score onto the shared scale: 0.5 is "ordinary", 1 "isolated at once".
      score = pToScore(Math.pow(2, -Math.max(0, s - 0.5) * 40));
      let j = 0;
      for (let k = 1; k < z.length; k++) if (Math.abs(z[k]) > Math.abs(z[j])) j = k;
      explanation = `${sig}: isolation score ${s.toFixed(3)}; most extreme feature ${FEATURES[j]} (${z[j].toFixed(1)} scaled units)`;
    }
    this.history.push(f);
    if (this.history.length > this.historyCap) this.history.shift();
    this.sinceFit++;
    if ((!this.forest.fitted && this.history.length >= this.firstFit) || (this.forest.fitted && this.sinceFit >= this.refitEvery)) this.refit();
    return { score, signal: sig, explanation };
  }
}
