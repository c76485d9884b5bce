import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscountedDetector } from '../src/analyze/anomaly/discount.js';
import { pToScore, scoreToLog10, type Detector } from '../src/analyze/anomaly/detector.js';

function replay(scores: number[]): Detector {
  let i = 0;
  return { name: 'raw', update: () => ({ score: scores[i++], signal: 'value', explanation: 'raw' }) };
}

test('discount subtracts log10 units of evidence, keeps the order above it and silences what is below', () => {
  const raw = [0, pToScore(1e-1), pToScore(1e-3), pToScore(1e-5), pToScore(1e-9)];
  const d = new DiscountedDetector(replay(raw), 2);
  const out = raw.map(() => d.update(0));
  assert.equal(out[0].score, 0);
  assert.equal(out[1].score, 0, 'p = 0.1 times 100 is no evidence');
  assert.match(out[1].explanation, /below its discount of 2/);
  assert.ok(Math.abs(scoreToLog10(out[2].score) - 1) < 1e-9);
  assert.ok(Math.abs(scoreToLog10(out[3].score) - 3) < 1e-9);
  assert.ok(out[4].score > out[3].score && out[3].score > out[2].score);
  assert.equal(d.name, 'raw');
});

test('discount 0 changes nothing; a negative discount is refused', () => {
  const raw = [0, 0.2, 0.5];
  const d = new DiscountedDetector(replay(raw), 0);
  assert.deepEqual(raw.map(() => d.update(0).score), raw);
  assert.throws(() => new DiscountedDetector(replay(raw), -1));
});
