/**
 * Forecasting benchmark, following ../shared/data/traces/forecast-protocol.md (version 1):
 * 14 series on a 5-minute grid, rolling origins every hour over the last 25 %, horizons 1 h and
 * 24 h with errors pooled over all leads, MASE scaled by the in-sample daily seasonal-naive MAE,
 * plain means over series.
 *
 * `npm run bench -- forecast [--data DIR] [--json] [--models naive,seasonal_naive,ets,auto]`
 * (neural models are opt-in: `--models lstm,transformer`; each trains for a few CPU seconds per series).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/core/errors.js';
import { backtest, evaluationStart, maseScale } from '../src/analyze/forecast/backtest.js';
import { MODEL_FACTORIES, prepareForecasters } from '../src/analyze/forecast/models.js';
import { loadTraceFolder } from '../src/monitor/trace.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_MODELS = ['naive', 'seasonal_naive', 'ets', 'auto'];
const HORIZONS = [
  { key: '1h', h: 12 },
  { key: '24h', h: 288 },
];

interface RefSeries {
  id: string;
  metrics: Record<string, Record<string, Record<string, number>>>;
}

export async function run(args: BenchArgs): Promise<BenchResult> {
  const data = args.data ?? join(repoRoot, '..', 'shared', 'data', 'traces');
  if (!existsSync(data)) throw new UserError(`no such folder (pass --data DIR)`, data);
  const flag = args.flags.get('models');
  const models = typeof flag === 'string' ? flag.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_MODELS;
  for (const m of models) {
    if (!MODEL_FACTORIES[m]) throw new UserError(`unknown model '${m}' (known: ${Object.keys(MODEL_FACTORIES).join(', ')})`, '--models');
  }
  await prepareForecasters(models);
  const series = loadTraceFolder(data);
  const rows: Row[] = [];
  const perSeries: Row[] = [];
  const seconds: Record<string, number> = {};
  // CPU time too: wall time on a shared machine says more about the neighbours than the model.
  const cpuSeconds: Record<string, number> = {};
  for (const [si, s] of series.entries()) {
    const y = s.values;
    const n = y.length;
    const t0 = evaluationStart(n);
    const scale = maseScale(y, t0);
    let o1 = 0;
    let o24 = 0;
    for (const model of models) {
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const f = MODEL_FACTORIES[model]();
      const res = backtest(y, f, { t0, every: 12, horizons: HORIZONS.map((x) => x.h) });
      f.dispose?.(); // tfjs weights live outside the JS heap
      seconds[model] = (seconds[model] ?? 0) + (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      cpuSeconds[model] = (cpuSeconds[model] ?? 0) + (cpu.user + cpu.system) / 1e6;
      progress(`[${si + 1}/${series.length}] ${s.id} ${model} ${((performance.now() - started) / 1000).toFixed(1)}s`);
      for (const [i, hz] of HORIZONS.entries()) {
        const r = res.horizons[i];
        if (i === 0) o1 = r.origins;
        else o24 = r.origins;
        rows.push({ series: s.id, model, horizon: hz.key, mae: r.errors.mae, rmse: r.errors.rmse, smape: r.errors.smapePct, mase: r.errors.mae / scale });
      }
    }
    perSeries.push({ series: s.id, n, interpolated: s.interpolated, t0, origins_1h: o1, origins_24h: o24, mase_scale: scale });
  }
  const mean = (model: string, horizon: string, field: 'mase' | 'smape') => {
    const v = rows.filter((r) => r.model === model && r.horizon === horizon).map((r) => r[field] as number);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const table = (field: 'mase' | 'smape', horizon: string) => Object.fromEntries(models.map((m) => [m, mean(m, horizon, field)]));
  const summary: Record<string, unknown> = {
    series: series.length,
    mase_1h: table('mase', '1h'),
    mase_24h: table('mase', '24h'),
    smape_1h: table('smape', '1h'),
    smape_24h: table('smape', '24h'),
    seconds_per_model: seconds,
    cpu_seconds_per_model: cpuSeconds,
    protocol_notes:
      'forecast-protocol.md v1. naive and seasonal_naive exactly as specified. ets (ours: additive Holt-Winters, damped additive trend, ' +
      'additive daily season, Nelder-Mead on one-step SSE, heuristic initial states) and auto are fitted ONCE per series on y[0..T0-1] ' +
      '(ets: the last <= 14 days) and then only filtered (state updated, parameters fixed) through the evaluation region, origin by origin; ' +
      'no value at or after an origin is used for its forecast. The statsmodels peer instead refits every 24 h. auto averages the 2 best candidates per ' +
      'lead bucket chosen by a rolling backtest on the last quarter (<= 7 days) of y[0..T0-1] only. lstm and transformer (tfjs wasm, default ' +
      'config: 1-day input window, direct 24 h output, fixed seed and step budget) are likewise trained once on y[0..T0-1] and only fed new values after.',
    per_series: perSeries,
  };
  const refFile = join(data, 'forecast-reference.json');
  if (existsSync(refFile)) {
    // Report (not assert) the distance to the reference numbers; the test asserts them.
    const ref = JSON.parse(readFileSync(refFile, 'utf8')) as { series: RefSeries[]; means: Record<string, Record<string, { mase: number }>> };
    let maxRel = 0;
    for (const r of rows) {
      const rs = ref.series.find((x) => x.id === r.series);
      const rm = rs?.metrics[r.model as string]?.[r.horizon === '1h' ? 'h1' : 'h24'];
      if (!rm || r.model === 'ets') continue;
      for (const f of ['mae', 'rmse', 'smape', 'mase']) maxRel = Math.max(maxRel, Math.abs((r[f] as number) - rm[f]) / Math.abs(rm[f]));
    }
    summary.reference = {
      max_rel_diff_naive_snaive: maxRel,
      statsmodels_ets_mase_1h: ref.means.ets?.h1?.mase,
      statsmodels_ets_mase_24h: ref.means.ets?.h24?.mase,
    };
  }
  return { suite: 'forecast', data, rows, summary };
}
