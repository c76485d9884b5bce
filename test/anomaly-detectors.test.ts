import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/core/rng.js';
import { createDetector } from '../src/analyze/anomaly/registry.js';
import { NoveltyDetector } from '../src/analyze/anomaly/novelty.js';
import { RangeBreakDetector } from '../src/analyze/anomaly/range-break.js';
import { SortedBag, upperTail } from '../src/analyze/anomaly/tail.js';
import { scoreToLog10 } from '../src/analyze/anomaly/detector.js';

const N = 2000;
const PROBATION = 300;
const ONSET = 1500;

/** Gaussian noise around 50 (sd 3) with one injected anomaly from ONSET. */
const kinds: Record<string, (r: Rng, i: number) => number> = {
  spike: (r, i) => 50 + 3 * r.normal() + (i === ONSET ? 40 : 0),
  'level shift': (r, i) => 50 + 3 * r.normal() + (i >= ONSET ? 12 : 0),
  'variance change': (r, i) => 50 + (i >= ONSET ? 9 : 3) * r.normal(),
};

function evidence(name: 'autonomic' | 'novelty', xs: number[]): number[] {
  const d = createDetector(name, { probation: PROBATION });
  return xs.map((x) => scoreToLog10(d.update(x).score));
}

for (const [kind, gen] of Object.entries(kinds)) {
  test(`autonomic detects an injected ${kind} promptly, above every alert on the normal stretch`, () => {
    for (const seed of [1, 2]) {
      const r = new Rng(seed);
      const xs = Array.from({ length: N }, (_, i) => gen(r, i));
      const e = evidence('autonomic', xs);
      const normal = e.slice(PROBATION, ONSET);
      const worstNormal = Math.max(...normal);
      // Few false alarms: nothing on the normal stretch reaches p = 1e-4.
      assert.ok(worstNormal < 4, `seed ${seed}: normal stretch reached -log10 p = ${worstNormal.toFixed(2)}`);
      assert.ok(normal.filter((v) => v > 0).length <= 15, 'alerts stay sparse');
      const first = e.slice(ONSET, ONSET + 50).findIndex((v) => v > worstNormal + 0.5);
      assert.ok(first >= 0 && first <= 20, `seed ${seed}: detected ${first} rows after onset`);
    }
  });
}

test('novelty alone also finds the variance change (block spread is part of the pattern)', () => {
  const r = new Rng(4);
  const xs = Array.from({ length: N }, (_, i) => kinds['variance change'](r, i));
  const e = evidence('novelty', xs);
  assert.ok(Math.max(...e.slice(ONSET, ONSET + 60)) > Math.max(...e.slice(PROBATION, ONSET)) + 0.5);
});

test('a repeating pattern is learned: a perfect square wave and a flat line raise nothing alarming', () => {
  const square = Array.from({ length: N }, (_, i) => (i % 200 < 100 ? 10 : 90));
  const flat = new Array<number>(N).fill(7);
  for (const xs of [square, flat]) {
    const e = evidence('autonomic', xs);
    // Blocks do not divide the period, so stretches repeat only approximately: p stays above 0.01.
    assert.ok(Math.max(...e.slice(PROBATION)) < 2, `max evidence ${Math.max(...e)}`);
  }
});

test('detectors are deterministic: the same series gives the same scores and explanations', () => {
  const r = new Rng(9);
  const xs = Array.from({ length: 1200 }, (_, i) => 20 + r.normal() + (i === 900 ? 15 : 0));
  for (const name of ['autonomic', 'novelty', 'ensemble', 'iforest'] as const) {
    const a = createDetector(name, { probation: 200 });
    const b = createDetector(name, { probation: 200 });
    const ra = xs.map((x) => a.update(x));
    const rb = xs.map((x) => b.update(x));
    assert.deepEqual(ra, rb, name);
  }
});

test('range break: silent within tolerance, stronger for bigger overshoots and longer histories', () => {
  const d = new RangeBreakDetector();
  for (let i = 0; i < 100; i++) d.update(i % 2 === 0 ? 0 : 10);
  assert.equal(d.update(10.4).score, 0, '4% of the range is within tolerance');
  const small = new RangeBreakDetector();
  const big = new RangeBreakDetector();
  for (let i = 0; i < 100; i++) {
    small.update(i % 2 === 0 ? 0 : 10);
    big.update(i % 2 === 0 ? 0 : 10);
  }
  const s = small.update(12);
  assert.ok(s.score > 0);
  assert.ok(big.update(30).score > s.score);
  assert.match(s.explanation, /above the highest value so far/);
  const early = new RangeBreakDetector();
  for (let i = 0; i < 10; i++) early.update(i % 2 === 0 ? 0 : 10);
  assert.ok(early.update(12).score < s.score, 'a break after 10 rows is weaker evidence than after 100');
});

test('novelty explains which stretch was new; scores only once per block', () => {
  const d = new NoveltyDetector({ probation: 100, blocksPerProbation: [100] });
  const r = new Rng(5);
  const out = Array.from({ length: 600 }, (_, i) => d.update({ t: i, values: { latency_ms: 100 + r.normal() + (i >= 500 ? 30 : 0) } }));
  const peak = out.reduce((b, x, k) => (x.score > out[b].score ? k : b), 0);
  assert.ok(peak >= 500 && peak < 510, `peak at ${peak}`);
  assert.equal(out[peak].signal, 'latency_ms');
  assert.match(out[peak].explanation, /latency_ms: the last 8 rows differ from every earlier stretch/);
});

test('tail: ranks inside the sample, a fitted Pareto tail beyond it (monotone, never zero)', () => {
  const bag = new SortedBag();
  const r = new Rng(6);
  for (let i = 0; i < 500; i++) bag.add(Math.abs(r.normal()));
  assert.ok(Math.abs(upperTail(bag, 0) - 1) < 1e-9);
  const med = bag.quantile(0.5);
  assert.ok(Math.abs(upperTail(bag, med) - 0.5) < 0.02);
  let prev = 1;
  for (const x of [1, 1.5, 2, 3, 5, 10, 50]) {
    const p = upperTail(bag, x);
    assert.ok(p < prev && p > 0, `tail at ${x}: ${p}`);
    prev = p;
  }
  assert.ok(bag.remove(bag.at(0)));
  assert.equal(bag.size, 499);
  assert.equal(bag.remove(-1), false);
});
