import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erlangB, erlangC, meanResponse, queueStep, responseQuantile, responseTail, stationary, type QueueStep } from '../src/execute/twin/queueing.js';

/** Direct formula from twin-model.md, only for sizes where a^c/c! does not overflow. */
function erlangCDirect(c: number, a: number): number {
  let term = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const top = term / (1 - a / c);
  return top / (sum + top);
}

test('Erlang C matches the closed forms in twin-model.md', () => {
  assert.ok(Math.abs(erlangC(3, 2) - 4 / 9) < 1e-12);
  assert.ok(Math.abs(erlangC(12, 10) - 0.449388) < 1e-6);
  assert.ok(Math.abs(erlangC(55, 50) - 0.384547) < 1e-6);
  for (const [c, a] of [[4, 3.1], [20, 15], [80, 70]]) assert.ok(Math.abs(erlangC(c, a) - erlangCDirect(c, a)) < 1e-10);
});

test('M/M/1: C = ρ and P(T > t) = e^(−(μ−λ)t)', () => {
  const mu = 10, lambda = 7;
  assert.ok(Math.abs(erlangC(1, lambda / mu) - 0.7) < 1e-12);
  for (const t of [0.01, 0.1, 0.5, 1]) {
    assert.ok(Math.abs(responseTail(t, 1, mu, lambda) - Math.exp(-(mu - lambda) * t)) < 1e-12);
  }
  assert.ok(Math.abs(responseQuantile(0.01, 1, mu, lambda) - Math.log(100) / (mu - lambda)) < 1e-9);
  assert.ok(Math.abs(meanResponse(1, mu, lambda) - 1 / (mu - lambda)) < 1e-12);
});

test('θ = μ branch is the limit of the general tail formula', () => {
  // c = 2, μ = 1, λ = 1 → θ = cμ − λ = 1 = μ
  const exact = responseTail(0.7, 2, 1, 1);
  const near = responseTail(0.7, 2, 1, 1 + 1e-6);
  assert.ok(Math.abs(exact - near) < 1e-5);
});

test('c = 1000 does not overflow', () => {
  const C = erlangC(1000, 950);
  assert.ok(Number.isFinite(C) && C > 0 && C < 1);
  assert.ok(Number.isFinite(erlangB(1000, 950)));
  const p99 = responseQuantile(0.01, 1000, 1, 950);
  assert.ok(Number.isFinite(p99) && p99 > 0);
});

test('tabulated p99 is monotone in load and close to the exact quantile', () => {
  const out = { C: 0, p50: 0, p99: 0 };
  for (const c of [1, 3, 10, 100]) {
    let prev = 0;
    for (let rho = 0; rho <= 0.98; rho += 0.01) {
      stationary(c, rho, out);
      assert.ok(out.p99 >= prev - 1e-12, `c=${c} rho=${rho}`);
      prev = out.p99;
    }
    for (const rho of [0.3, 0.7, 0.9, 0.97]) {
      stationary(c, rho, out);
      const exact = responseQuantile(0.01, c, 1, rho * c);
      assert.ok(Math.abs(out.p99 - exact) / exact < 0.01, `c=${c} rho=${rho}: ${out.p99} vs ${exact}`);
    }
  }
});

test('queueStep: p99 is continuous across ρ = 1 and monotone in load', () => {
  const q: QueueStep = { offered: 0, served: 0, dropped: 0, backlogBefore: 0, backlogAfter: 0, p50Ms: 0, p99Ms: 0 };
  let prev = 0;
  for (let lambda = 10; lambda <= 120; lambda += 0.5) {
    queueStep(0, lambda, 10, 10, 1, 5, q);
    assert.ok(q.p99Ms >= prev - 1e-9, `λ=${lambda}`);
    prev = q.p99Ms;
  }
  // Either side of saturation (cμ = 100) the answers agree: no cliff for a policy to exploit.
  queueStep(0, 100 - 1e-6, 10, 10, 1, 5, q);
  const below = q.p99Ms;
  queueStep(0, 100 + 1e-6, 10, 10, 1, 5, q);
  assert.ok(Math.abs(q.p99Ms - below) < 1e-3);
  queueStep(0, 979, 100, 10, 1, 5, q);
  const a = q.p99Ms;
  queueStep(0, 981, 100, 10, 1, 5, q);
  assert.ok(q.p99Ms >= a && q.p99Ms - a < 5, `${a} vs ${q.p99Ms}`);
});

test('overload builds a backlog, then drops with timeouts; conservation holds each step', () => {
  const q: QueueStep = { offered: 0, served: 0, dropped: 0, backlogBefore: 0, backlogAfter: 0, p50Ms: 0, p99Ms: 0 };
  let backlog = 0;
  const seen: number[] = [];
  let firstDropStep = -1;
  for (let i = 0; i < 60; i++) {
    queueStep(backlog, 1500, 100, 10, 1, 0.05, q); // capacity 1000/s, offered 1500/s, 1 s timeout
    assert.ok(Math.abs(q.offered - (q.served + q.dropped + (q.backlogAfter - q.backlogBefore))) < 1e-9);
    seen.push(q.backlogAfter);
    if (q.dropped > 1e-3 && firstDropStep < 0) firstDropStep = i;
    backlog = q.backlogAfter;
  }
  assert.ok(seen[5] > seen[0] && seen[0] > 0, 'backlog grows');
  // Backlog grows 25 per step and the timeout caps it at cμτ = 1000: drops begin at about step 40.
  assert.ok(firstDropStep >= 38 && firstDropStep <= 41, `first drop at step ${firstDropStep}`);
  // In steady overload the backlog sits at cμτ and the excess is dropped.
  for (let i = 0; i < 200; i++) {
    queueStep(backlog, 1500, 100, 10, 1, 0.5, q);
    backlog = q.backlogAfter;
  }
  assert.ok(Math.abs(backlog - 1000) < 1e-6);
  assert.ok(Math.abs(q.dropped / q.offered - 1 / 3) < 0.02);
  assert.ok(Math.abs(q.p99Ms - 1100) < 1e-6, 'p99 at the client: timeout + one service time');
});

test('no replicas: everything is dropped and latency is the timeout', () => {
  const q: QueueStep = { offered: 0, served: 0, dropped: 0, backlogBefore: 0, backlogAfter: 0, p50Ms: 0, p99Ms: 0 };
  queueStep(3, 20, 0, 10, 0.5, 1, q);
  assert.equal(q.served, 0);
  assert.equal(q.dropped, 23);
  assert.equal(q.p99Ms, 500);
});
