/**
 * `npm run bench -- anomaly [--data DIR] [--json] [--nab-results DIR] [--detectors a,b]`
 * Runs each detector over every series of a NAB-layout folder (default ../shared/data/nab),
 * scores it with the NAB scorer (threshold optimised per profile over the whole folder, as NAB's
 * optimiser does) and reports window-level precision / recall / F1 at the standard threshold.
 * The `ensemble` learns its weights from the folder's labels, leave-one-series-out: the weights
 * applied to a series are always fitted on the other series only.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/core/errors.js';
import { listSeries, readSeries, readWindows, writeResult } from '../src/analyze/anomaly/nab-data.js';
import { prepareFile, probationaryLength, scoreCorpus, type PreparedFile } from '../src/analyze/anomaly/nab-score.js';
import { DEFAULT_DETECTORS, DETECTOR_NAMES, createEnsemble, isDetectorName, scoreSeries } from '../src/analyze/anomaly/registry.js';
import { crossValidatedWeights, type EnsembleWeights, type LabelledAlerts } from '../src/analyze/anomaly/ensemble.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function run(args: BenchArgs): Promise<BenchResult> {
  const root = resolve(args.data ?? join(repoRoot, '..', 'shared', 'data', 'nab'));
  if (!existsSync(join(root, 'data'))) throw new UserError(`no NAB data/ folder under ${root}`);
  const windows = readWindows(join(root, 'labels', 'combined_windows.json'));
  const keys = listSeries(root);
  const detFlag = args.flags.get('detectors');
  const names = typeof detFlag === 'string' ? detFlag.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULT_DETECTORS];
  for (const n of names) if (!isDetectorName(n)) throw new UserError(`unknown detector '${n}' (known: ${DETECTOR_NAMES.join(', ')}; any of them with +likelihood)`);
  const resultsFlag = args.flags.get('nab-results');
  const resultsDir = typeof resultsFlag === 'string' ? resolve(resultsFlag) : null;

  const series = keys.map((key) => {
    const s = readSeries(root, key);
    const w = windows.get(key);
    if (w === undefined) throw new UserError(`no labels for ${key}`, join(root, 'labels', 'combined_windows.json'));
    const probation = probationaryLength(s.values.length);
    // Row labels (1 inside a window) as NAB resolves the windows; scores are not needed for that.
    const labels = new Array<number>(s.values.length).fill(0);
    for (const [l, r] of prepareFile(key, s.timestamps, s.values, w).windowRows) for (let i = l; i <= r; i++) labels[i] = 1;
    return { key, s, w, probation, labels };
  });

  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  const thresholds: Record<string, Record<string, number>> = {};
  let ensembleWeights: EnsembleWeights[] = [];
  for (const name of names) {
    if (!isDetectorName(name)) continue;
    const t0 = Date.now();
    let all: number[][];
    if (name === 'ensemble') {
      const r = await learnedEnsembleScores(series);
      all = r.scores;
      ensembleWeights = r.weights;
    } else {
      all = [];
      for (const [k, it] of series.entries()) {
        progress(`anomaly: ${name} ${k + 1}/${series.length} ${it.key}`);
        all.push(await scoreSeries(name, it.s.values, it.probation));
      }
    }
    const prepared: PreparedFile[] = [];
    for (const [k, it] of series.entries()) {
      const scores = all[k];
      prepared.push(prepareFile(it.key, it.s.timestamps, scores, it.w));
      if (resultsDir) writeResult(resultsDir, name, it.key, { timestamps: it.s.timestamps, values: it.s.values, scores, labels: it.labels });
    }
    timings[name] = (Date.now() - t0) / 1000;
    const std = scoreCorpus(prepared, 'standard');
    const lfp = scoreCorpus(prepared, 'reward_low_FP_rate');
    const lfn = scoreCorpus(prepared, 'reward_low_FN_rate');
    thresholds[name] = { standard: std.threshold, reward_low_FP_rate: lfp.threshold, reward_low_FN_rate: lfn.threshold };
    // Window-level view at the standard threshold: a window is found if any scorable row in it is
    // a detection; precision counts each detection outside all windows as one false alarm.
    const found = std.files.reduce((a, f) => a + f.windowsDetected, 0);
    const fps = std.files.reduce((a, f) => a + f.fp, 0);
    const precision = found + fps > 0 ? found / (found + fps) : 0;
    const recall = std.windows > 0 ? found / std.windows : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    rows.push({ detector: name, standard: std.normalised, reward_low_fp: lfp.normalised, reward_low_fn: lfn.normalised, precision, recall, f1 });
    progress(`anomaly: ${name} done in ${timings[name].toFixed(1)}s, standard ${std.normalised.toFixed(2)}\n`);
  }
  return {
    suite: 'anomaly',
    data: root,
    rows,
    summary: {
      series: keys.length,
      windows: rows.length > 0 ? keys.reduce((a, k) => a + (windows.get(k)?.length ?? 0), 0) : 0,
      thresholds,
      seconds: timings,
      notes:
        'NAB scores normalised on this folder (not comparable to the 58-file scoreboard); thresholds chosen per profile over the folder; precision = windows found / (windows found + false-alarm rows); ensemble weights learned leave-one-series-out from the folder labels.',
      resultsDir,
      // Mean over the leave-one-series-out folds; features: combined alert evidence, then each member's.
      ...(ensembleWeights.length > 0 ? { ensemble_weights_mean: { features: ENSEMBLE_FEATURES, ...meanWeights(ensembleWeights) } } : {}),
    },
  };
}

const ENSEMBLE_FEATURES = ['alert', 'range-break', 'novelty', 'rarity'];

interface SeriesInput {
  key: string;
  s: { values: number[] };
  probation: number;
  labels: number[];
}

/**
 * The ensemble's alerts on every series with default weights, then logistic-regression weights
 * fitted leave-one-series-out on those alerts (label: the alert row lies in a window), then each
 * series re-scored with the weights learned from the others.
 */
async function learnedEnsembleScores(series: SeriesInput[]): Promise<{ scores: number[][]; weights: EnsembleWeights[] }> {
  const alerts: LabelledAlerts[] = [];
  const defaults: number[][] = [];
  for (const [k, it] of series.entries()) {
    progress(`anomaly: ensemble (alerts) ${k + 1}/${series.length} ${it.key}`);
    const d = createEnsemble({ probation: it.probation });
    const x: number[][] = [];
    const y: number[] = [];
    const scores = it.s.values.map((v, i) => {
      const score = d.update(v).score;
      // NAB neither rewards nor charges the learning period, so it teaches nothing.
      if (score > 0 && i >= it.probation) {
        x.push(d.features());
        y.push(it.labels[i]);
      }
      return score;
    });
    alerts.push({ x, y });
    defaults.push(scores);
  }
  const folds = crossValidatedWeights(alerts);
  const scores: number[][] = [];
  for (const [k, it] of series.entries()) {
    const w = folds[k];
    if (w === null) {
      scores.push(defaults[k]);
      continue;
    }
    progress(`anomaly: ensemble (learned) ${k + 1}/${series.length} ${it.key}`);
    const d = createEnsemble({ probation: it.probation }, w);
    scores.push(it.s.values.map((v) => d.update(v).score));
  }
  return { scores, weights: folds.filter((w): w is EnsembleWeights => w !== null) };
}

function meanWeights(ws: EnsembleWeights[]): EnsembleWeights {
  const n = ws.length;
  return {
    bias: ws.reduce((a, w) => a + w.bias, 0) / n,
    weights: ws[0].weights.map((_, j) => ws.reduce((a, w) => a + w.weights[j], 0) / n),
  };
}
