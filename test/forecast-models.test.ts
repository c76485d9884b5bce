import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtest, ErrorAccumulator } from '../src/analyze/forecast/backtest.js';
import { cleanSeries } from '../src/analyze/forecast/clean.js';
import { EtsForecaster } from '../src/analyze/forecast/ets.js';
import type { Forecaster } from '../src/analyze/forecast/forecaster.js';
import { NaiveForecaster } from '../src/analyze/forecast/naive.js';
import { nelderMead } from '../src/analyze/forecast/optimize.js';
import { ProfileForecaster } from '../src/analyze/forecast/profile.js';
import { AutoForecaster } from '../src/analyze/forecast/select.js';
import { SeasonalNaiveForecaster } from '../src/analyze/forecast/seasonal-naive.js';

const P = 24; // short season keeps the tests fast; the models are season-agnostic

/** Deterministic pseudo-noise (LCG), so fixtures are reproducible without a seed library. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (1664525 * s + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function seasonal(n: number, opts: { mul?: boolean; noiseAmp?: number; trend?: number } = {}): Float64Array {
  const r = noise(7);
  return Float64Array.from({ length: n }, (_, i) => {
    const level = 100 + (opts.trend ?? 0) * i;
    const s = Math.sin((2 * Math.PI * i) / P);
    const v = opts.mul ? level * (1 + 0.5 * s) : level + 30 * s;
    return v + (opts.noiseAmp ?? 1) * r();
  });
}

function holdoutMae(y: Float64Array, f: Forecaster, h: number): number {
  const res = backtest(y, f, { t0: y.length - 4 * P, every: 6, horizons: [h] });
  return res.horizons[0].errors.mae;
}

test('Nelder-Mead minimises the Rosenbrock function', () => {
  const r = nelderMead(([a, b]) => (1 - a) ** 2 + 100 * (b - a * a) ** 2, [-1.2, 1], { maxIter: 2000, tol: 1e-14 });
  assert.ok(Math.abs(r.x[0] - 1) < 1e-3 && Math.abs(r.x[1] - 1) < 1e-3, `got ${r.x}`);
});

test('Holt-Winters recovers a clean seasonal pattern far better than naive', () => {
  const y = seasonal(12 * P);
  const ets = holdoutMae(y, new EtsForecaster({ period: P }), P);
  const naive = holdoutMae(y, new NaiveForecaster(), P);
  assert.ok(ets < 0.2 * naive, `ets ${ets} vs naive ${naive}`);
  assert.ok(ets < 2, `ets MAE ${ets} should be near the noise level`);
});

test('multiplicative seasonality beats additive on a growing multiplicative series', () => {
  const y = seasonal(16 * P, { mul: true, trend: 0.5, noiseAmp: 0.5 });
  const mul = holdoutMae(y, new EtsForecaster({ period: P, seasonal: 'mul' }), P);
  const add = holdoutMae(y, new EtsForecaster({ period: P, seasonal: 'add' }), P);
  assert.ok(mul < add, `mul ${mul} vs add ${add}`);
});

test('forecasts have ordered quantiles and the requested length', () => {
  const y = seasonal(6 * P);
  for (const f of [new NaiveForecaster(), new SeasonalNaiveForecaster(P), new EtsForecaster({ period: P }), new ProfileForecaster({ period: P })]) {
    f.fit(y);
    const fc = f.predict(30);
    assert.equal(fc.p50.length, 30, f.name);
    for (let k = 0; k < 30; k++) assert.ok(fc.p10[k] <= fc.p50[k] && fc.p50[k] <= fc.p90[k] && Number.isFinite(fc.p50[k]), `${f.name} step ${k}`);
  }
});

test('seasonal-naive repeats the last season', () => {
  const f = new SeasonalNaiveForecaster(4);
  f.fit([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(Array.from(f.predict(6).p50), [5, 6, 7, 8, 5, 6]);
});

test('fallback ladder: 30 minutes of data gives a naive forecast with wide intervals', () => {
  const f = new AutoForecaster();
  f.fit([50, 52, 49, 51, 50, 51]); // six 5-minute points
  assert.equal(f.choice.mode, 'naive');
  const fc = f.predict(12);
  assert.equal(fc.p50[11], 51);
  assert.ok(fc.p90[11] - fc.p10[11] > 20, `interval width ${fc.p90[11] - fc.p10[11]}`);
  assert.ok(fc.p90[11] - fc.p10[11] > fc.p90[0] - fc.p10[0], 'intervals widen with horizon');
});

test('fallback ladder: one day of data uses Holt without season, two days use seasonal candidates', () => {
  const day = new AutoForecaster();
  day.fit(seasonal(288, { trend: 0.1 }));
  assert.equal(day.choice.mode, 'holt');
  const two = new AutoForecaster({ period: P });
  two.fit(seasonal(10 * P));
  assert.equal(two.choice.mode, 'seasonal');
  const fc = two.predict(P);
  assert.ok(fc.p50.every(Number.isFinite));
});

test('auto beats naive on a seasonal series (choice made on the training part only)', () => {
  const y = seasonal(20 * P, { noiseAmp: 3 });
  const auto = holdoutMae(y, new AutoForecaster({ period: P }), P);
  const naive = holdoutMae(y, new NaiveForecaster(), P);
  assert.ok(auto < 0.5 * naive, `auto ${auto} vs naive ${naive}`);
});

test('gaps and zero outages do not break fitting', () => {
  const y = seasonal(10 * P);
  for (let i = 50; i < 60; i++) y[i] = NaN;
  for (let i = 120; i < 130; i++) y[i] = 0;
  y[170] = 1e6; // spike
  const ets = new EtsForecaster({ period: P });
  ets.fit(y);
  const fc = ets.predict(P);
  assert.ok(fc.p50.every(Number.isFinite));
  const clean = seasonal(10 * P);
  let err = 0;
  for (let k = 0; k < P; k++) err += Math.abs(fc.p50[k] - (100 + 30 * Math.sin((2 * Math.PI * (10 * P + k)) / P)));
  assert.ok(err / P < 5, `mean abs error ${err / P}`);
  ets.update([NaN, NaN, clean[5]]); // gaps while filtering
  assert.ok(ets.predict(3).p50.every(Number.isFinite));
  const auto = new AutoForecaster({ period: P });
  auto.fit(y);
  assert.ok(auto.predict(P).p50.every(Number.isFinite));
});

test('cleanSeries interpolates gaps and zero outages but keeps level shifts', () => {
  const y = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? 10 : 50));
  y[20] = NaN;
  y[30] = y[31] = y[32] = 0;
  const c = cleanSeries(y);
  assert.equal(c[20], 10);
  assert.equal(c[31], 10);
  assert.equal(c[150], 50);
  assert.equal(c[99], 10);
});

test('sMAPE counts a 0/0 pair as zero error but in N', () => {
  const a = new ErrorAccumulator();
  a.add(0, 0);
  a.add(1, 3);
  assert.equal(a.n, 2);
  assert.equal(a.smapePct, 50);
  assert.equal(a.mae, 1);
});
