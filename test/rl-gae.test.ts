import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gae } from '../src/plan/rl/gae.js';

test('GAE matches a hand-computed example (one env, termination, bootstrap)', () => {
  // γ = 0.5, λ = 0.5, rewards 1, 2, 3, values 0.5, 1, 1.5, bootstrap 2.
  // δ2 = 3 + 0.5·2 − 1.5 = 2.5;   A2 = 2.5
  // δ1 = 2 + 0.5·1.5 − 1 = 1.75;  A1 = 1.75 + 0.25·2.5 = 2.375
  // δ0 = 1 + 0.5·1 − 0.5 = 1;     A0 = 1 + 0.25·2.375 = 1.59375
  const r = gae(Float32Array.of(1, 2, 3), Float32Array.of(0.5, 1, 1.5), new Uint8Array(3), Float32Array.of(2), 1, 0.5, 0.5);
  assert.deepEqual(Array.from(r.advantages), [1.59375, 2.375, 2.5]);
  assert.deepEqual(Array.from(r.returns), [2.09375, 3.375, 4]);
  // A termination at step 1 cuts both the bootstrap and the trace: A1 = 2 − 1 = 1, A0 = 1 + 0.25·1.
  const d = gae(Float32Array.of(1, 2, 3), Float32Array.of(0.5, 1, 1.5), Uint8Array.of(0, 1, 0), Float32Array.of(2), 1, 0.5, 0.5);
  assert.deepEqual(Array.from(d.advantages), [1.25, 1, 2.5]);
});

test('GAE keeps vectorised environments apart (time-major layout)', () => {
  // Two envs, two steps, γ = λ = 1, zero values: advantages are reward-to-go per env.
  const r = gae(Float32Array.of(1, 10, 2, 20), new Float32Array(4), new Uint8Array(4), Float32Array.of(0, 0), 2, 1, 1);
  assert.deepEqual(Array.from(r.advantages), [3, 30, 2, 20]);
});
