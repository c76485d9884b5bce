/**
 * Ensemble of detectors. Score = sigmoid(b + sum w_i s_i) with weights learned by L2-regularised
 * logistic regression on labelled rows (in-window = 1); without labels the default is the plain
 * mean of the member scores (every member trusted equally, output stays on the members' scale).
 */
import type { Detector, DetectorResult, Sample } from './detector.js';

export interface EnsembleWeights {
  weights: number[];
  bias: number;
}

export interface LogisticOptions {
  l2?: number;
  iterations?: number;
  learningRate?: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Batch gradient descent on the mean log-loss. Classes are re-weighted to balance, because anomaly
 * windows are ~10% of rows and an unweighted fit would learn "never anomalous".
 */
export function fitLogistic(x: number[][], y: number[], opts: LogisticOptions = {}): EnsembleWeights {
  if (x.length === 0 || x.length !== y.length) throw new Error('fitLogistic: need as many labels as rows, and at least one');
  const d = x[0].length;
  const l2 = opts.l2 ?? 1e-3;
  const iters = opts.iterations ?? 500;
  const lr = opts.learningRate ?? 1.0;
  const pos = y.reduce((a, b) => a + (b > 0 ? 1 : 0), 0);
  const neg = y.length - pos;
  const wPos = pos > 0 ? y.length / (2 * pos) : 0;
  const wNeg = neg > 0 ? y.length / (2 * neg) : 0;
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let it = 0; it < iters; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < x.length; i++) {
      let z = b;
      for (let j = 0; j < d; j++) z += w[j] * x[i][j];
      const cw = y[i] > 0 ? wPos : wNeg;
      const err = cw * (sigmoid(z) - (y[i] > 0 ? 1 : 0));
      for (let j = 0; j < d; j++) gw[j] += err * x[i][j];
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j] -= lr * (gw[j] / x.length + l2 * w[j]);
    b -= lr * (gb / x.length);
  }
  return { weights: w, bias: b };
}

export class EnsembleDetector implements Detector {
  readonly name = 'ensemble';
  constructor(
    private readonly members: Detector[],
    private readonly learned: EnsembleWeights | null = null,
  ) {
    if (members.length === 0) throw new Error('ensemble needs at least one member');
    if (learned && learned.weights.length !== members.length) throw new Error(`ensemble: ${learned.weights.length} weights for ${members.length} members`);
  }

  /** Combine member scores exactly as update() does (for callers that already have member scores). */
  combine(scores: number[]): { score: number; driver: number } {
    let driver = 0;
    if (this.learned === null) {
      for (let i = 1; i < scores.length; i++) if (scores[i] > scores[driver]) driver = i;
      return { score: scores.reduce((a, b) => a + b, 0) / scores.length, driver };
    }
    let z = this.learned.bias;
    const contrib = scores.map((s, i) => (this.learned as EnsembleWeights).weights[i] * s);
    for (let i = 0; i < contrib.length; i++) {
      z += contrib[i];
      if (contrib[i] > contrib[driver]) driver = i;
    }
    return { score: sigmoid(z), driver };
  }

  update(sample: Sample): DetectorResult {
    const rs = this.members.map((m) => m.update(sample));
    const { score, driver } = this.combine(rs.map((r) => r.score));
    return { score, signal: rs[driver].signal, explanation: `${this.members[driver].name}: ${rs[driver].explanation}` };
  }
}
