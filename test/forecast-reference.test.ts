import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backtest, evaluationStart, maseScale } from '../src/analyze/forecast/backtest.js';
import { NaiveForecaster } from '../src/analyze/forecast/naive.js';
import { SeasonalNaiveForecaster } from '../src/analyze/forecast/seasonal-naive.js';
import { loadTraceFolder } from '../src/monitor/trace.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(repoRoot, '..', 'shared', 'data', 'traces');
const refFile = join(dir, 'forecast-reference.json');

interface RefMetrics {
  mae: number;
  rmse: number;
  smape: number;
  mase: number;
}
interface RefSeries {
  id: string;
  n: number;
  interpolated: number;
  t0: number;
  origins_1h: number;
  origins_24h: number;
  mase_scale: number;
  metrics: Record<string, { h1: RefMetrics; h24: RefMetrics }>;
}

const close = (mine: number, ref: number, what: string) =>
  assert.ok(Math.abs(mine - ref) <= 1e-9 * Math.abs(ref), `${what}: ${mine} vs reference ${ref}`);

test('reproduces forecast-reference.json for naive and seasonal-naive', { skip: existsSync(refFile) ? false : `no ${dir} (shared data folder absent)` }, () => {
  const ref = JSON.parse(readFileSync(refFile, 'utf8')) as { series: RefSeries[] };
  const series = loadTraceFolder(dir);
  assert.deepEqual(series.map((s) => s.id), ref.series.map((s) => s.id));
  for (const [i, s] of series.entries()) {
    const r = ref.series[i];
    const y = s.values;
    const t0 = evaluationStart(y.length);
    assert.equal(y.length, r.n, `${s.id} n`);
    assert.equal(s.interpolated, r.interpolated, `${s.id} interpolated`);
    assert.equal(t0, r.t0, `${s.id} T0`);
    const scale = maseScale(y, t0);
    close(scale, r.mase_scale, `${s.id} scale`);
    for (const [model, f] of [
      ['naive', new NaiveForecaster()],
      ['seasonal_naive', new SeasonalNaiveForecaster()],
    ] as const) {
      const res = backtest(y, f, { t0, every: 12, horizons: [12, 288] });
      assert.equal(res.horizons[0].origins, r.origins_1h, `${s.id} origins 1h`);
      assert.equal(res.horizons[1].origins, r.origins_24h, `${s.id} origins 24h`);
      for (const [hi, key] of [[0, 'h1'], [1, 'h24']] as const) {
        const e = res.horizons[hi].errors;
        const m = r.metrics[model][key];
        const tag = `${s.id} ${model} ${key}`;
        close(e.mae, m.mae, `${tag} mae`);
        close(e.rmse, m.rmse, `${tag} rmse`);
        close(e.smapePct, m.smape, `${tag} smape`);
        close(e.mae / scale, m.mase, `${tag} mase`);
      }
    }
  }
});
