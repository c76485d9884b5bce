import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InsufficientHistoryError, type Forecast, type Forecaster } from '../src/analyze/forecast/forecaster.js';
import { LstmForecaster } from '../src/analyze/forecast/lstm.js';
import { NaiveForecaster } from '../src/analyze/forecast/naive.js';
import { initNeuralForecasting, type NeuralOptions } from '../src/analyze/forecast/neural-common.js';
import { TransformerForecaster } from '../src/analyze/forecast/transformer.js';
import { Rng } from '../src/core/rng.js';

// A short "day" (48 steps = 4 h) and a small budget keep each fit to a second or two on two cores;
// the models only see steps and lags, so this is the same problem as 288-step days.
const P = 48;
const SMALL: NeuralOptions = { windowSteps: 2 * P, horizonSteps: P, season: P, patch: 12, budget: 80, seed: 7 };

function daily(n: number, seed = 3): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / P) + 15 * Math.sin((4 * Math.PI * i) / P) + 4 * r.normal());
}

const models: [string, (o?: NeuralOptions) => Forecaster][] = [
  ['lstm', (o) => new LstmForecaster({ ...SMALL, ...o })],
  ['transformer', (o) => new TransformerForecaster({ ...SMALL, ...o })],
];

function mae(a: ArrayLike<number>, f: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += Math.abs(a[k] - f[k]);
  return s / a.length;
}

function assertOrdered(fc: Forecast, label: string): void {
  for (let k = 0; k < fc.p50.length; k++) {
    assert.ok(Number.isFinite(fc.p10[k]) && Number.isFinite(fc.p50[k]) && Number.isFinite(fc.p90[k]), `${label}: finite at ${k}`);
    assert.ok(fc.p10[k] <= fc.p50[k] && fc.p50[k] <= fc.p90[k], `${label}: p10 ≤ p50 ≤ p90 at ${k}`);
  }
}

before(async () => {
  await initNeuralForecasting();
});

for (const [name, make] of models) {
  test(`${name}: beats naive on a held-out day, quantiles ordered`, () => {
    const y = daily(16 * P);
    const train = y.subarray(0, 15 * P);
    const held = y.subarray(15 * P);
    const f = make();
    f.fit(train);
    const fc = f.predict(P);
    assertOrdered(fc, name);
    const naive = new NaiveForecaster();
    naive.fit(train);
    const mNet = mae(held, fc.p50);
    const mNaive = mae(held, naive.predict(P).p50);
    assert.ok(mNet < 0.5 * mNaive, `${name} MAE ${mNet.toFixed(2)} vs naive ${mNaive.toFixed(2)}`);
    // Training, not just the prior blend the output layer starts from, earns that result.
    const prior = make({ budget: 1, learningRate: 1e-9 });
    prior.fit(train);
    const mPrior = mae(held, prior.predict(P).p50);
    assert.ok(mNet < mPrior, `${name} MAE ${mNet.toFixed(2)} vs its untrained prior ${mPrior.toFixed(2)}`);
    // The 80 % interval should cover a fair share of the held-out day (noise sd 4).
    let inside = 0;
    for (let k = 0; k < P; k++) if (held[k] >= fc.p10[k] && held[k] <= fc.p90[k]) inside++;
    assert.ok(inside >= 0.4 * P, `${name}: ${inside}/${P} inside [p10, p90]`);
  });

  test(`${name}: deterministic for a seed, different for another`, () => {
    const y = daily(10 * P, 11);
    const a = make({ budget: 20 });
    const b = make({ budget: 20 });
    const c = make({ budget: 20, seed: 8 });
    for (const f of [a, b, c]) f.fit(y);
    assert.deepEqual(Array.from(a.predict(P).p50), Array.from(b.predict(P).p50));
    assert.notDeepEqual(Array.from(a.predict(P).p50), Array.from(c.predict(P).p50));
  });

  test(`${name}: NaN gaps in the history and in updates, roll-forward past the horizon`, () => {
    const y = daily(12 * P, 5);
    for (let i = 100; i < 130; i++) y[i] = NaN;
    y[7 * P] = NaN;
    const f = make({ budget: 30 });
    f.fit(y.subarray(0, 11 * P));
    f.update([y[11 * P], NaN, NaN, y[11 * P + 3]]);
    const fc = f.predict(3 * P);
    assert.equal(fc.p50.length, 3 * P);
    assertOrdered(fc, `${name} with gaps`);
    // Still tracks the daily shape one day and more ahead (amplitude 40 around 100).
    const truth = Float64Array.from({ length: 3 * P }, (_, k) => {
      const i = 11 * P + 4 + k;
      return 100 + 40 * Math.sin((2 * Math.PI * i) / P) + 15 * Math.sin((4 * Math.PI * i) / P);
    });
    assert.ok(mae(truth, fc.p50) < 15, `${name}: MAE to the noise-free curve ${mae(truth, fc.p50).toFixed(2)}`);
  });

  test(`${name}: too short a history is a clear, catchable error`, () => {
    const f = make();
    assert.throws(() => f.fit(daily(2 * P)), (e: unknown) => e instanceof InsufficientHistoryError && /too short/.test(e.message));
    assert.throws(() => f.predict(P), /before fit/);
  });
}

test('transformer: the seed framework shape (168 h in, 24 h out) fits and forecasts', () => {
  const n = 2016 + 288 + 40;
  const r = new Rng(1);
  const y = Float64Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + r.normal());
  const f = new TransformerForecaster({ windowSteps: 2016, horizonSteps: 288, budget: 3, maxSamples: 64, batchSize: 8 });
  f.fit(y);
  const fc = f.predict(300); // one pass of 288, then one rolled-forward pass
  assert.equal(fc.p50.length, 300);
  assertOrdered(fc, 'transformer 168h');
});
