/**
 * Named detector configurations. One configuration per name, used for every series; only the
 * learning-period length (NAB's rule, derived from the series length) varies.
 */
import { RecordSuppressor, type Detector, type DetectorOptions } from './detector.js';
import { RarityDetector } from './rarity.js';
import { RobustDetector } from './robust.js';
import { IsolationForestDetector } from './iforest.js';
import { EnsembleDetector } from './ensemble.js';
import { LstmAutoencoderDetector, initTf } from './lstm-ae.js';

export const DETECTOR_NAMES = ['robust', 'iforest', 'rarity', 'ensemble', 'lstm-ae'] as const;
/** The LSTM autoencoder is opt-in (`--detectors ...,lstm-ae`): it needs the tfjs wasm backend and is the slowest. */
export const DEFAULT_DETECTORS: readonly DetectorName[] = ['robust', 'iforest', 'rarity', 'ensemble'];
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Alert suppression span, as a fraction of the learning period (NAB windows are ~0.1 N / k rows). */
const SUPPRESS_FRACTION = 0.5;

function suppressor(d: Detector, probation: number): Detector {
  return new RecordSuppressor(d, Math.max(10, Math.round(probation * SUPPRESS_FRACTION)));
}

/** Build a detector by name; 'lstm-ae' needs `await initTf()` first. */
export function createDetector(name: DetectorName, opts: DetectorOptions = {}): Detector {
  const probation = opts.probation ?? 750;
  const suppress = (d: Detector) => suppressor(d, probation);
  switch (name) {
    case 'robust':
      return suppress(new RobustDetector(opts));
    case 'iforest':
      return suppress(new IsolationForestDetector(opts));
    case 'rarity':
      return suppress(new RarityDetector(opts));
    case 'ensemble':
      // Default weights (no labels): the mean of the members' raw scores, suppressed once at the end.
      return suppress(new EnsembleDetector([new RobustDetector(opts), new IsolationForestDetector(opts), new RarityDetector(opts)]));
    case 'lstm-ae':
      return suppress(new LstmAutoencoderDetector(opts));
  }
}

export function isDetectorName(s: string): s is DetectorName {
  return (DETECTOR_NAMES as readonly string[]).includes(s);
}

/** Runs a fresh detector over a whole series, online (row i sees rows 0..i only). */
export async function scoreSeries(name: DetectorName, values: number[], probation: number): Promise<number[]> {
  if (name === 'lstm-ae') {
    await initTf();
    // Batch prediction for speed, then the same suppression as the streaming path.
    const ae = new LstmAutoencoderDetector({ probation });
    const raw = ae.scoreAll(values);
    ae.dispose();
    const replay: Detector = { name, update: (s) => ({ score: typeof s === 'number' ? s : 0, signal: 'value', explanation: '' }) };
    const d = suppressor(replay, probation);
    return raw.map((v) => d.update(v).score);
  }
  const d = createDetector(name, { probation });
  return values.map((v) => d.update(v).score);
}
