import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/core/rng.js';
import { AnomalyLikelihood, LikelihoodDetector, logLikelihood } from '../src/analyze/anomaly/likelihood.js';
import type { Detector } from '../src/analyze/anomaly/detector.js';

test('log likelihood follows nupic: tail 1e-10 maps to ~1, an ordinary tail to ~0', () => {
  assert.ok(Math.abs(logLikelihood(1e-10) - 0.97) < 0.01, String(logLikelihood(1e-10)));
  assert.ok(logLikelihood(1) < 1e-9);
  assert.ok(logLikelihood(1e-5) > logLikelihood(1e-3));
  assert.ok(Math.abs(logLikelihood(1e-5) - 0.5) < 0.01);
});

/** Raw scores: noise in [0.1, 0.3], then ten rows at 0.9 starting at `jump`. */
function rawScores(n: number, jump: number, seed = 1): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, (_, i) => (i >= jump && i < jump + 10 ? 0.9 : 0.1 + 0.2 * r.next()));
}

test('likelihood is silent while learning, quiet on usual noise, and fires on a sustained rise', () => {
  const al = new AnomalyLikelihood({ learningPeriod: 100, estimationSamples: 100 });
  const raw = rawScores(800, 600);
  const tails = raw.map((s) => al.tail(s));
  assert.ok(tails.slice(0, 200).every((t) => t === 1), 'no judgement during the probationary period');
  const before = Math.min(...tails.slice(200, 600));
  assert.ok(before > 1e-4, `usual noise is not unlikely (min tail ${before})`);
  const during = Math.min(...tails.slice(600, 615));
  assert.ok(during < 1e-6, `a rise of the 10-row mean is very unlikely (min tail ${during})`);
});

test('the red-zone filter keeps only the first row of a run of very unlikely rows', () => {
  const al = new AnomalyLikelihood({ learningPeriod: 50, estimationSamples: 50 });
  const raw = rawScores(400, 300);
  const tails = raw.map((s) => al.tail(s));
  const red = tails.map((t, i) => (t <= 1e-5 ? i : -1)).filter((i) => i >= 0);
  assert.ok(red.length >= 1, 'the rise reaches the red zone');
  // After the first red row, further red rows are damped to the yellow level 1e-3.
  for (const i of red.slice(1)) assert.ok(tails[i - 1] > 1e-5, `row ${i} follows a red row but is still red`);
  assert.ok(tails.slice(red[0] + 1, 315).some((t) => t === 1e-3), 'a damped row in the run');
});

test('one-sided: a raw score falling below its usual level is not an anomaly', () => {
  const al = new AnomalyLikelihood({ learningPeriod: 50, estimationSamples: 50 });
  const r = new Rng(3);
  for (let i = 0; i < 300; i++) al.tail(0.5 + 0.1 * r.next());
  for (let i = 0; i < 20; i++) assert.equal(al.tail(0), 1);
});

test('LikelihoodDetector wraps any detector and keeps its explanation', () => {
  const raw = rawScores(700, 500, 2);
  let i = 0;
  const inner: Detector = { name: 'fake', update: () => ({ score: raw[i++], signal: 'cpu', explanation: 'raw' }) };
  const d = new LikelihoodDetector(inner, 300);
  assert.equal(d.name, 'fake+likelihood');
  const out = raw.map(() => d.update(0));
  assert.ok(out.slice(0, 300).every((r) => r.score === logLikelihood(1)));
  const peak = out.reduce((b, r, k) => (r.score > out[b].score ? k : b), 0);
  assert.ok(peak >= 500 && peak < 512, `peak at ${peak}`);
  assert.equal(out[peak].signal, 'cpu');
  assert.match(out[peak].explanation, /^raw; likelihood tail/);
});
