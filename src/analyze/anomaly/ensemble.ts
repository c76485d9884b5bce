/**
 * Ensemble of detectors. Every member speaks the shared log scale (-log10 p, see detector.ts).
 *
 * Alerts come from the *alerting* members (the first `alerting` of them): by default the combined
 * evidence is the strongest member's (equal trust: whichever member is most surprised speaks, and
 * its explanation is shown), then optionally refractory suppression. Averaging instead would let
 * members that are always mildly surprised drown one that is sure.
 *
 * With labelled data the ensemble can learn: an L2-regularised logistic regression over every
 * member's evidence (alerting and advisory members alike) estimates how likely an alert is to be a
 * real anomaly, and that probability re-ranks the alerts. It is trained on alert rows only —
 * NAB and operators judge alerts, not quiet rows — and must be cross-validated by series (see
 * crossValidatedWeights): weights used on a series are never fitted on that series.
 */
import { scoreToLog10, type Detector, type DetectorResult, type Sample } from './detector.js';
import { AlertSuppressor, type SuppressOptions } from './suppress.js';

export interface EnsembleWeights {
  /** One weight per feature (see EnsembleDetector.features). */
  weights: number[];
  bias: number;
}

export interface LogisticOptions {
  /** L2 penalty per row (the fit minimises mean log-loss + l2/2 |w|^2). */
  l2?: number;
  iterations?: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Solves A x = b in place by Gaussian elimination with partial pivoting (A is small and dense). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    [b[c], b[piv]] = [b[piv], b[c]];
    const d = a[c][c] || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / (a[r][r] || 1e-12);
  }
  return x;
}

/**
 * Logistic regression by Newton's method (IRLS): exact and fast for the handful of features an
 * ensemble has. Classes are re-weighted to balance, so that the rarer class is not ignored.
 */
export function fitLogistic(x: number[][], y: number[], opts: LogisticOptions = {}): EnsembleWeights {
  if (x.length === 0 || x.length !== y.length) throw new Error('fitLogistic: need as many labels as rows, and at least one');
  const d = x[0].length + 1;
  const l2 = opts.l2 ?? 1e-3;
  const iters = opts.iterations ?? 25;
  const pos = y.reduce((a, b) => a + (b > 0 ? 1 : 0), 0);
  const neg = y.length - pos;
  const wPos = pos > 0 ? y.length / (2 * pos) : 0;
  const wNeg = neg > 0 ? y.length / (2 * neg) : 0;
  let w = new Array<number>(d).fill(0);
  for (let it = 0; it < iters; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < x.length; i++) {
      const xi = [1, ...x[i]];
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * xi[j];
      const p = sigmoid(z);
      const cw = y[i] > 0 ? wPos : wNeg;
      const r = cw * (p - (y[i] > 0 ? 1 : 0));
      const s = cw * p * (1 - p);
      for (let j = 0; j < d; j++) {
        g[j] += r * xi[j];
        for (let k = 0; k < d; k++) h[j][k] += s * xi[j] * xi[k];
      }
    }
    // The bias is not penalised.
    for (let j = 1; j < d; j++) {
      g[j] += l2 * x.length * w[j];
      h[j][j] += l2 * x.length;
    }
    const step = solve(h, g);
    w = w.map((v, j) => v - step[j]);
    if (step.every((s) => Math.abs(s) < 1e-9)) break;
  }
  return { bias: w[0], weights: w.slice(1) };
}

/** Training rows of one series: features and labels (1 = the alert fell in a labelled window). */
export interface LabelledAlerts {
  x: number[][];
  y: number[];
}

/**
 * Leave-one-series-out: the weights for series k are fitted on every other series' alerts. A fold
 * without both classes cannot be fitted and gets null (use the default combination).
 */
export function crossValidatedWeights(series: LabelledAlerts[], opts: LogisticOptions = {}): Array<EnsembleWeights | null> {
  return series.map((_, k) => {
    const x: number[][] = [];
    const y: number[] = [];
    series.forEach((s, j) => {
      if (j === k) return;
      x.push(...s.x);
      y.push(...s.y);
    });
    const pos = y.filter((v) => v > 0).length;
    if (pos === 0 || pos === y.length) return null;
    return fitLogistic(x, y, opts);
  });
}

export interface EnsembleOptions {
  name?: string;
  /** How many leading members raise alerts; the rest only inform learned weights. Default: all. */
  alerting?: number;
  /** Learned weights (null: the default combination). */
  learned?: EnsembleWeights | null;
  /** Refractory suppression of the combined alerts. */
  suppress?: SuppressOptions;
}

/** Feature transform of a member score: log(1 + evidence), so one extreme member cannot dominate linearly. */
export function evidenceFeature(score: number): number {
  return Math.log1p(scoreToLog10(score));
}

export class EnsembleDetector implements Detector {
  readonly name: string;
  private readonly alerting: number;
  private readonly learned: EnsembleWeights | null;
  private readonly suppressor: AlertSuppressor | null;
  private lastFeatures: number[] = [];

  constructor(
    private readonly members: Detector[],
    opts: EnsembleOptions = {},
  ) {
    if (members.length === 0) throw new Error('ensemble needs at least one member');
    this.name = opts.name ?? 'ensemble';
    this.alerting = Math.min(members.length, Math.max(1, opts.alerting ?? members.length));
    this.learned = opts.learned ?? null;
    if (this.learned && this.learned.weights.length !== members.length + 1) {
      throw new Error(`ensemble: ${this.learned.weights.length} weights for ${members.length + 1} features`);
    }
    const inner: Detector = { name: 'ensemble', update: () => ({ score: 0, signal: '', explanation: '' }) };
    this.suppressor = opts.suppress ? new AlertSuppressor(inner, opts.suppress) : null;
  }

  /**
   * Features of the last row, in the order learned weights use: the combined alerting evidence,
   * then each member's own.
   */
  features(): number[] {
    return this.lastFeatures;
  }

  update(sample: Sample): DetectorResult {
    const rs = this.members.map((m) => m.update(sample));
    let driver = 0;
    for (let i = 1; i < this.alerting; i++) if (rs[i].score > rs[driver].score) driver = i;
    const top = rs[driver];
    this.lastFeatures = [evidenceFeature(top.score), ...rs.map((r) => evidenceFeature(r.score))];
    let out: DetectorResult = { score: top.score, signal: top.signal, explanation: `${this.members[driver].name}: ${top.explanation}` };
    if (this.suppressor) out = this.suppressor.filter(out);
    if (this.learned && out.score > 0) {
      let z = this.learned.bias;
      for (let j = 0; j < this.lastFeatures.length; j++) z += this.learned.weights[j] * this.lastFeatures[j];
      out = { ...out, score: sigmoid(z), explanation: `${out.explanation} (learned confidence ${(100 * sigmoid(z)).toFixed(0)}%)` };
    }
    return out;
  }
}
