import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertSuppressor } from '../src/analyze/anomaly/suppress.js';
import { pToScore, scoreToLog10, type Detector } from '../src/analyze/anomaly/detector.js';

/** Replays evidence values (-log10 p) as scores through a suppressor; returns the surviving evidence. */
function run(evidence: number[], rows: number, margin: number): number[] {
  let i = 0;
  const inner: Detector = { name: 'fake', update: () => ({ score: pToScore(10 ** -evidence[i++]), signal: 'v', explanation: 'x' }) };
  const d = new AlertSuppressor(inner, { rows, margin });
  return evidence.map(() => scoreToLog10(d.update(0).score));
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

test('isolated alerts far apart all pass; quiet rows stay quiet', () => {
  const e = new Array<number>(100).fill(0);
  e[10] = 5;
  e[50] = 3;
  e[90] = 4;
  const out = run(e, 20, 0.7);
  assert.ok(close(out[10], 5) && close(out[50], 3) && close(out[90], 4));
  assert.equal(out.filter((v) => v > 0).length, 3);
});

test('a weaker alert within the refractory period is suppressed, and passes once it is over', () => {
  const e = new Array<number>(100).fill(0);
  e[10] = 5;
  e[20] = 4; // within 20 rows of a stronger alert
  e[35] = 3.5; // below the (suppressed) raw score of row 20, still within 20 rows of it
  e[45] = 4; // 25 rows after row 20: a new local record again
  const out = run(e, 20, 0.7);
  assert.equal(out[20], 0);
  assert.equal(out[35], 0);
  assert.ok(close(out[45], 4));
});

test('a slowly rising score alerts once, not on every new high (the margin)', () => {
  const e = Array.from({ length: 60 }, (_, i) => (i >= 10 && i < 30 ? 3 + 0.02 * (i - 10) : 0));
  const noMargin = run(e, 20, 0).filter((v) => v > 0).length;
  const withMargin = run(e, 20, 0.7).filter((v) => v > 0).length;
  assert.equal(noMargin, 20, 'every row of the ramp is a new local record');
  assert.equal(withMargin, 1);
  // A much stronger alert inside the period still gets through.
  const jump = e.slice();
  jump[15] = 9;
  const out = run(jump, 20, 0.7);
  assert.ok(close(out[10], 3) && close(out[15], 9));
});

test('damp keeps suppressed rows ranked below alerts instead of silencing them', () => {
  const scores = [0, 0.5, 0.4, 0];
  let i = 0;
  const inner: Detector = { name: 'fake', update: () => ({ score: scores[i++], signal: 'v', explanation: 'x' }) };
  const d = new AlertSuppressor(inner, { rows: 5, damp: 0.5 });
  const out = scores.map(() => d.update(0));
  assert.deepEqual(
    out.map((r) => r.score),
    [0, 0.5, 0.2, 0],
  );
  assert.match(out[2].explanation, /suppressed/);
});
