import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSeries, readResult, readWindows } from '../src/analyze/anomaly/nab-data.js';
import {
  PROFILES,
  PROFILE_NAMES,
  optimiseThreshold,
  prepareFile,
  probationaryLength,
  scaledSigmoid,
  scoreCorpus,
  scoreFile,
} from '../src/analyze/anomaly/nab-score.js';

const repoRoot = join(fileURLToPath(import.meta.url), '..', '..');
const nabRoot = join(repoRoot, '..', 'shared', 'data', 'nab');
const refRoot = join(nabRoot, 'reference-results');

test('scaled sigmoid matches the documented values', () => {
  assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
  assert.ok(Math.abs(scaledSigmoid(-0.5) - 0.84828) < 1e-5);
  assert.equal(scaledSigmoid(0), 0);
  assert.equal(scaledSigmoid(3.5), -1);
  assert.equal(probationaryLength(4032), 604);
  assert.equal(probationaryLength(15866), 750);
});

test('worked example from the NAB README (window 500..510, detections 503 505 520 530)', () => {
  const n = 1000;
  const ts = Array.from({ length: n }, (_, i) => `t${String(i).padStart(5, '0')}`);
  const scores = ts.map((_, i) => ([503, 505, 520, 530].includes(i) ? 1 : 0));
  const p = prepareFile('f', ts, scores, [[ts[500], ts[510]]]);
  const r = scoreFile(p, 0.5, PROFILES.standard);
  assert.ok(Math.abs(r.score - 0.74301) < 1e-5, String(r.score));
  assert.deepEqual([r.tp, r.fp, r.windowsDetected], [2, 2, 1]);
  // Nothing detected: -A_FN for the one window; the optimiser prefers detecting.
  assert.equal(scoreFile(p, 1.1, PROFILES.standard).score, -1);
  assert.equal(optimiseThreshold([p], PROFILES.standard).threshold, 1);
});

test('reproduces NAB official scores for the reference detectors', (t) => {
  if (!existsSync(join(refRoot, 'expected'))) {
    t.skip(`reference results not found at ${refRoot}`);
    return;
  }
  const windows = readWindows(join(nabRoot, 'labels', 'combined_windows.json'));
  const keys = listSeries(nabRoot);
  const thresholds = JSON.parse(readFileSync(join(refRoot, 'expected', 'thresholds.json'), 'utf8')) as Record<
    string,
    Record<string, { threshold: number; score: number }>
  >;
  const finals = JSON.parse(readFileSync(join(refRoot, 'expected', 'final_results.json'), 'utf8')) as Record<
    string,
    Record<string, number>
  >;
  let checked = 0;
  for (const det of ['numenta', 'windowedGaussian']) {
    const prepared = keys.map((k) => {
      const r = readResult(refRoot, det, k);
      return prepareFile(k, r.timestamps, r.scores, windows.get(k) ?? []);
    });
    for (const profile of PROFILE_NAMES) {
      const th = thresholds[det][profile].threshold;
      const res = scoreCorpus(prepared, profile, th);
      const csv = readFileSync(join(refRoot, 'expected', `${det}_${profile}_scores.csv`), 'utf8').trim().split('\n').slice(1);
      for (const line of csv) {
        const [, , file, , score, tp, tn, fp, fn, total] = line.split(',');
        if (line.startsWith('Totals')) {
          assert.ok(Math.abs(res.raw - Number(score)) < 1e-6, `${det} ${profile} total ${res.raw} vs ${score}`);
          const sums = res.files.reduce((a, f) => [a[0] + f.tp, a[1] + f.tn, a[2] + f.fp, a[3] + f.fn, a[4] + f.total], [0, 0, 0, 0, 0]);
          assert.deepEqual(sums, [tp, tn, fp, fn, total].map(Number), `${det} ${profile} totals counts`);
          continue;
        }
        const f = res.files.find((x) => x.key === file);
        assert.ok(f, `missing ${file}`);
        assert.ok(Math.abs(f.score - Number(score)) < 1e-6, `${det} ${profile} ${file}: ${f.score} vs ${score}`);
        assert.deepEqual([f.tp, f.tn, f.fp, f.fn, f.total], [tp, tn, fp, fn, total].map(Number), `${det} ${profile} ${file} counts`);
        checked++;
      }
      assert.ok(Math.abs(res.normalised - finals[det][profile]) < 1e-6, `${det} ${profile}: ${res.normalised} vs ${finals[det][profile]}`);
      // The exhaustive optimiser can only do as well or better than NAB's stored thresholds.
      assert.ok(scoreCorpus(prepared, profile).raw >= res.raw - 1e-9, `${det} ${profile} optimiser`);
    }
  }
  assert.equal(checked, 2 * 3 * keys.length);
});
