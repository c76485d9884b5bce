import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, fitReplicas, ReplicaActuator, type ActionContext } from '../src/plan/rl/actions.js';
import { responseQuantile } from '../src/execute/twin/queueing.js';
import { parseRewardWeights } from '../src/plan/rl/config.js';
import { UserError } from '../src/core/errors.js';

const label = (l: string): number => {
  const i = ACTIONS.findIndex((a) => a.label === l);
  assert.ok(i >= 0, l);
  return i;
};
const base: ActionContext = { current: 20, rate: 1000, serviceRatePerReplica: 50, outlook: null, latencyObjectiveMs: 200, lastDirection: 0, sinceLastChange: Infinity };

test('a fit sizes for the larger of the current rate and the forecast quantile at its utilisation', () => {
  // 1000 req/s at 90 % of 50 req/s per replica: 22.2 → 23.
  assert.equal(fitReplicas(label('fit p50 @90%'), base, 1, 1000), 23);
  // The forecast's p90 (1500) is above the current rate: sized for it at 65 %: 46.2 → 47.
  const outlook = { p10: 800, p50: 1100, p90: 1500 };
  assert.equal(fitReplicas(label('fit p90 @65%'), { ...base, outlook }, 1, 1000), 47);
  // A forecast below the current rate never sizes under the load already arriving.
  assert.equal(fitReplicas(label('fit p50 @90%'), { ...base, outlook: { p10: 100, p50: 200, p90: 300 } }, 1, 1000), 23);
  // Bounds.
  assert.equal(fitReplicas(label('fit p90 @65%'), { ...base, outlook }, 1, 30), 30);
  assert.equal(fitReplicas(label('fit p50 @95%'), { ...base, rate: 0 }, 2, 30), 2);
});

test('at a few replicas the fit adds servers until the M/M/c p99 is within 80 % of the objective', () => {
  // 90 req/s at 95 % of 50 req/s: 2 replicas by utilisation, whose p99 is far above 160 ms.
  const ctx = { ...base, current: 2, rate: 90 };
  const to = fitReplicas(label('fit p50 @95%'), ctx, 1, 100);
  assert.ok(responseQuantile(0.01, 2, 50, 90) > 0.16);
  assert.ok(to > 2 && responseQuantile(0.01, to, 50, 90) <= 0.16 + 1e-9 && responseQuantile(0.01, to - 1, 50, 90) > 0.16, String(to));
});

test('scale-ups are immediate; scale-downs wait for the 5-minute stabilisation window, a deadband and 5 minutes after an up', () => {
  const tight = label('fit p50 @95%');
  const a = new ReplicaActuator();
  // Up at once.
  assert.equal(a.target(tight, { ...base, current: 10, rate: 1000 }, 0, 1, 1000), 22);
  // The load halves: the window still holds the fit of 1000 req/s.
  assert.equal(a.target(tight, { ...base, current: 22, rate: 500, lastDirection: 1, sinceLastChange: 15 }, 15, 1, 1000), 22);
  assert.equal(a.target(tight, { ...base, current: 22, rate: 500, lastDirection: 1, sinceLastChange: 285 }, 285, 1, 1000), 22);
  // After the window (and 5 minutes after the up) the fit of the last 5 minutes (500 req/s → 11) stands.
  assert.equal(a.target(tight, { ...base, current: 22, rate: 500, lastDirection: 1, sinceLastChange: 330 }, 330, 1, 1000), 11);
  // Within the deadband (less than 10 % down) nothing moves.
  const b = new ReplicaActuator();
  assert.equal(b.target(tight, { ...base, current: 22, rate: 1000 * 0.95 }, 0, 1, 1000), 22);
  // The delay after an up holds even when the window has no larger fit.
  const c = new ReplicaActuator();
  assert.equal(c.target(tight, { ...base, current: 22, rate: 500, lastDirection: 1, sinceLastChange: 60 }, 0, 1, 1000), 22);
  assert.equal(c.target(tight, { ...base, current: 22, rate: 500, lastDirection: -1, sinceLastChange: 60 }, 1, 1, 1000), 11);
});

test('the choice made now sizes the whole stabilisation window: a tight choice after a wide one scales down at once', () => {
  const wide = label('fit p90 @65%');
  const tight = label('fit p50 @95%');
  const a = new ReplicaActuator();
  const steady = { ...base, rate: 500, outlook: { p10: 500, p50: 500, p90: 500 }, lastDirection: -1, sinceLastChange: 3600 };
  const w = a.target(wide, { ...steady, current: 30 }, 0, 1, 1000);
  assert.equal(w, fitReplicas(wide, steady, 1, 1000));
  // Holding the largest past choice kept w for 5 minutes; the window's loads sized tight give the tight fit now.
  assert.equal(a.target(tight, { ...steady, current: w, sinceLastChange: 15 }, 15, 1, 1000), fitReplicas(tight, steady, 1, 1000));
  assert.ok(fitReplicas(tight, steady, 1, 1000) < w * 0.9);
});

test('a rising rate is extrapolated along its slope for the lead time; a falling one is not', () => {
  const a = new ReplicaActuator();
  for (let t = 0; t <= 120; t += 15) a.observe(t, 1000 + 2 * t);
  // 2 req/s per second for 45 s on top of the current 1240.
  assert.ok(Math.abs(a.rising(1240) - (1240 + 90)) < 1e-6);
  const b = new ReplicaActuator();
  for (let t = 0; t <= 120; t += 15) b.observe(t, 2000 - 5 * t);
  assert.equal(b.rising(1400), 1400);
});

test('--reward weights parse by name and refuse nonsense with the flag named', () => {
  assert.deepEqual(parseRewardWeights('slo=3, cost=1.5', '--reward'), { slo: 3, cost: 1.5 });
  assert.throws(() => parseRewardWeights('latency=2', '--reward'), (e: unknown) => e instanceof UserError && /slo, cost, flap, action/.test(e.message));
  assert.throws(() => parseRewardWeights('slo=-1', '--reward'), (e: unknown) => e instanceof UserError && /slo must be a number from 0 to 1000/.test(e.message));
  assert.throws(() => parseRewardWeights('slo', '--reward'), UserError);
});
