/**
 * Named detector configurations. One configuration per name, used for every series; only the
 * learning-period length (NAB's rule, derived from the series length) varies. Any name with
 * `+likelihood` appended passes the raw score through Numenta's anomaly likelihood before the
 * alert suppression (e.g. `rarity+likelihood`).
 */
import type { Detector, DetectorOptions } from './detector.js';
import { AlertSuppressor, type SuppressOptions } from './suppress.js';
import { RarityDetector } from './rarity.js';
import { RobustDetector } from './robust.js';
import { IsolationForestDetector } from './iforest.js';
import { NoveltyDetector } from './novelty.js';
import { RangeBreakDetector } from './range-break.js';
import { EnsembleDetector, type EnsembleWeights } from './ensemble.js';
import { LstmAutoencoderDetector, initTf } from './lstm-ae.js';
import { LikelihoodDetector } from './likelihood.js';
import { DiscountedDetector } from './discount.js';

export const DETECTOR_NAMES = ['robust', 'iforest', 'rarity', 'range-break', 'novelty', 'autonomic', 'ensemble', 'lstm-ae'] as const;
/** The LSTM autoencoder is opt-in (`--detectors ...,lstm-ae`): it needs the tfjs wasm backend and is the slowest. */
export const DEFAULT_DETECTORS: readonly DetectorName[] = ['robust', 'iforest', 'rarity', 'range-break', 'novelty', 'autonomic', 'ensemble'];
export type BaseDetectorName = (typeof DETECTOR_NAMES)[number];
export type DetectorName = BaseDetectorName | `${BaseDetectorName}+likelihood`;
const LIKELIHOOD = '+likelihood';

/**
 * Refractory period after an alert, as a fraction of the learning period: shorter than a NAB window
 * (0.1 N / k rows against a learning period of 0.15 N), so a second anomaly a window later is not
 * muted. A repeat within it must be 10^0.7 = 5 times less probable than the alert it follows.
 */
const REFRACTORY_FRACTION = 1 / 3;
const REPEAT_MARGIN = 0.7;

export function suppressOptions(probation: number): SuppressOptions {
  return { rows: Math.max(10, Math.round(probation * REFRACTORY_FRACTION)), margin: REPEAT_MARGIN };
}

function suppressed(d: Detector, probation: number): Detector {
  return new AlertSuppressor(d, suppressOptions(probation));
}

/** The ensemble: range breaks and pattern novelty raise alerts; rarity only informs learned weights. */
export function createEnsemble(opts: DetectorOptions = {}, learned: EnsembleWeights | null = null): EnsembleDetector {
  const probation = opts.probation ?? 750;
  const members = [new RangeBreakDetector(opts), new NoveltyDetector(opts), new RarityDetector(opts)];
  return new EnsembleDetector(members, { alerting: 2, learned, suppress: suppressOptions(probation) });
}

/**
 * Orders of magnitude by which the isolation forest's evidence is discounted inside `autonomic`
 * (see discount.ts). Chosen on the NAB dev set; leave-one-category-out chose the same value for
 * every held-out category, and the gain held for every forest seed tried.
 */
export const IFOREST_DISCOUNT = 2;

/**
 * The unsupervised configuration: the strongest of range break, pattern novelty and (discounted)
 * isolation. The forest's fixed map tops out near 4 log10 units (isolation scores of 0.8-0.87 with 128-row
 * trees), so after the discount it speaks only for rows it isolates almost at once — e.g. a burst
 * inside a range that an old outlier stretched, which range break (whole-history range) cannot see.
 */
function autonomic(opts: DetectorOptions, suppress: SuppressOptions | undefined): EnsembleDetector {
  const members = [new RangeBreakDetector(opts), new NoveltyDetector(opts), new DiscountedDetector(new IsolationForestDetector(opts), IFOREST_DISCOUNT)];
  return new EnsembleDetector(members, { name: 'autonomic', suppress });
}

/** A detector's raw (unsuppressed) score. */
function createRaw(name: BaseDetectorName, opts: DetectorOptions): Detector {
  switch (name) {
    case 'robust':
      return new RobustDetector(opts);
    case 'iforest':
      return new IsolationForestDetector(opts);
    case 'rarity':
      return new RarityDetector(opts);
    case 'range-break':
      return new RangeBreakDetector(opts);
    case 'novelty':
      return new NoveltyDetector(opts);
    case 'autonomic':
      return autonomic(opts, undefined);
    case 'ensemble':
      return new EnsembleDetector([new RangeBreakDetector(opts), new NoveltyDetector(opts), new RarityDetector(opts)], { alerting: 2 });
    case 'lstm-ae':
      return new LstmAutoencoderDetector(opts);
  }
}

function baseName(name: DetectorName): { base: BaseDetectorName; likelihood: boolean } {
  const likelihood = name.endsWith(LIKELIHOOD);
  return { base: (likelihood ? name.slice(0, -LIKELIHOOD.length) : name) as BaseDetectorName, likelihood };
}

/** Build a detector by name; 'lstm-ae' needs `await initTf()` first. */
export function createDetector(name: DetectorName, opts: DetectorOptions = {}): Detector {
  const probation = opts.probation ?? 750;
  const { base, likelihood } = baseName(name);
  if (!likelihood) {
    // The ensembles suppress internally (the learned ensemble re-ranks suppressed alerts).
    if (base === 'ensemble') return createEnsemble(opts);
    if (base === 'autonomic') return autonomic(opts, suppressOptions(probation));
  }
  const raw = createRaw(base, opts);
  return suppressed(likelihood ? new LikelihoodDetector(raw, probation) : raw, probation);
}

export function isDetectorName(s: string): s is DetectorName {
  const base = s.endsWith(LIKELIHOOD) ? s.slice(0, -LIKELIHOOD.length) : s;
  return (DETECTOR_NAMES as readonly string[]).includes(base);
}

/** Runs a fresh detector over a whole series, online (row i sees rows 0..i only). */
export async function scoreSeries(name: DetectorName, values: number[], probation: number): Promise<number[]> {
  const { base, likelihood } = baseName(name);
  if (base === 'lstm-ae') {
    await initTf();
    // Batch prediction for speed, then the same post-processing as the streaming path.
    const ae = new LstmAutoencoderDetector({ probation });
    const raw = ae.scoreAll(values);
    ae.dispose();
    const replay: Detector = { name, update: (s) => ({ score: typeof s === 'number' ? s : 0, signal: 'value', explanation: '' }) };
    const d = suppressed(likelihood ? new LikelihoodDetector(replay, probation) : replay, probation);
    return raw.map((v) => d.update(v).score);
  }
  const d = createDetector(name, { probation });
  return values.map((v) => d.update(v).score);
}
