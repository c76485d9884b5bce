import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/core/rng.js';
import { EnsembleDetector, crossValidatedWeights, fitLogistic, type LabelledAlerts } from '../src/analyze/anomaly/ensemble.js';
import { createEnsemble } from '../src/analyze/anomaly/registry.js';
import type { Detector } from '../src/analyze/anomaly/detector.js';

function replay(name: string, scores: number[]): Detector {
  let i = 0;
  return { name, update: () => ({ score: scores[i++], signal: name, explanation: `${name} says ${scores[i - 1]}` }) };
}

test('default combination: the most surprised alerting member speaks, advisory members never alert', () => {
  const a = [0, 0.3, 0.1, 0];
  const b = [0, 0.2, 0.4, 0];
  const c = [0.9, 0.9, 0.9, 0.9];
  const d = new EnsembleDetector([replay('a', a), replay('b', b), replay('c', c)], { alerting: 2 });
  const out = a.map(() => d.update(0));
  assert.deepEqual(
    out.map((r) => r.score),
    [0, 0.3, 0.4, 0],
  );
  assert.equal(out[2].signal, 'b');
  assert.match(out[2].explanation, /^b: b says 0.4/);
  assert.equal(d.features().length, 4, 'combined evidence plus one feature per member');
});

test('logistic regression (Newton) finds the informative feature and ignores noise', () => {
  const r = new Rng(1);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const label = i % 4 === 0 ? 1 : 0; // imbalanced, as alerts are
    x.push([label + 0.5 * r.normal(), r.normal()]);
    y.push(label);
  }
  const w = fitLogistic(x, y);
  assert.ok(w.weights[0] > 2, `informative weight ${w.weights[0]}`);
  assert.ok(Math.abs(w.weights[1]) < 0.5, `noise weight ${w.weights[1]}`);
  // Balanced classes: a point halfway between the class means is about even odds.
  const z = w.bias + w.weights[0] * 0.5;
  assert.ok(Math.abs(z) < 0.6, `logit at the midpoint ${z}`);
});

test('cross-validated weights for a series are fitted on the other series only', () => {
  const r = new Rng(2);
  const series: LabelledAlerts[] = [0, 1, 2].map(() => {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 60; i++) {
      const label = i % 3 === 0 ? 1 : 0;
      x.push([label + 0.3 * r.normal()]);
      y.push(label);
    }
    return { x, y };
  });
  const folds = crossValidatedWeights(series);
  for (let k = 0; k < 3; k++) {
    const others = series.filter((_, j) => j !== k);
    const expected = fitLogistic(
      others.flatMap((s) => s.x),
      others.flatMap((s) => s.y),
    );
    assert.deepEqual(folds[k], expected);
  }
  // A fold whose training series hold a single class cannot be fitted.
  const oneClass = crossValidatedWeights([series[0], { x: [[0]], y: [0] }, { x: [[1]], y: [0] }]);
  assert.equal(oneClass[0], null);
});

test('learned weights re-rank alerts only: quiet rows stay quiet', () => {
  const r = new Rng(3);
  const xs = Array.from({ length: 900 }, (_, i) => 10 + r.normal() + (i === 700 ? 12 : 0));
  const plain = createEnsemble({ probation: 150 });
  const learned = createEnsemble({ probation: 150 }, { bias: -1, weights: [1, 0.5, 0.5, 0] });
  const a = xs.map((x) => plain.update(x).score);
  const b = xs.map((x) => learned.update(x).score);
  for (let i = 0; i < xs.length; i++) assert.equal(a[i] > 0, b[i] > 0, `row ${i}: alert status must not change`);
  const top = (s: number[]) => s.reduce((best, v, k) => (v > s[best] ? k : best), 0);
  assert.ok(Math.abs(top(b) - 700) < 10, `learned ensemble still ranks the spike first (${top(b)})`);
});
