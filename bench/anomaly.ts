/**
 * `npm run bench -- anomaly [--data DIR] [--json] [--nab-results DIR] [--detectors a,b]`
 * Runs each detector over every series of a NAB-layout folder (default ../shared/data/nab),
 * scores it with the NAB scorer (threshold optimised per profile over the whole folder, as NAB's
 * optimiser does) and reports window-level precision / recall / F1 at the standard threshold.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/core/errors.js';
import { listSeries, readSeries, readWindows, writeResult } from '../src/analyze/anomaly/nab-data.js';
import { prepareFile, probationaryLength, scoreCorpus, type PreparedFile } from '../src/analyze/anomaly/nab-score.js';
import { DEFAULT_DETECTORS, DETECTOR_NAMES, isDetectorName, scoreSeries } from '../src/analyze/anomaly/registry.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function run(args: BenchArgs): Promise<BenchResult> {
  const root = resolve(args.data ?? join(repoRoot, '..', 'shared', 'data', 'nab'));
  if (!existsSync(join(root, 'data'))) throw new UserError(`no NAB data/ folder under ${root}`);
  const windows = readWindows(join(root, 'labels', 'combined_windows.json'));
  const keys = listSeries(root);
  const detFlag = args.flags.get('detectors');
  const names = typeof detFlag === 'string' ? detFlag.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULT_DETECTORS];
  for (const n of names) if (!isDetectorName(n)) throw new UserError(`unknown detector '${n}' (known: ${DETECTOR_NAMES.join(', ')})`);
  const resultsFlag = args.flags.get('nab-results');
  const resultsDir = typeof resultsFlag === 'string' ? resolve(resultsFlag) : null;

  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  const thresholds: Record<string, Record<string, number>> = {};
  for (const name of names) {
    if (!isDetectorName(name)) continue;
    const t0 = Date.now();
    const prepared: PreparedFile[] = [];
    for (const [k, key] of keys.entries()) {
      const s = readSeries(root, key);
      const w = windows.get(key);
      if (w === undefined) throw new UserError(`no labels for ${key}`, join(root, 'labels', 'combined_windows.json'));
      progress(`anomaly: ${name} ${k + 1}/${keys.length} ${key}`);
      const scores = await scoreSeries(name, s.values, probationaryLength(s.values.length));
      const p = prepareFile(key, s.timestamps, scores, w);
      prepared.push(p);
      if (resultsDir) {
        const labels = new Array<number>(s.values.length).fill(0);
        for (const [l, r] of p.windowRows) for (let i = l; i <= r; i++) labels[i] = 1;
        writeResult(resultsDir, name, key, { timestamps: s.timestamps, values: s.values, scores, labels });
      }
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
      notes: 'NAB scores normalised on this folder (not comparable to the 58-file scoreboard); thresholds chosen per profile over the folder; precision = windows found / (windows found + false-alarm rows).',
      resultsDir,
    },
  };
}
