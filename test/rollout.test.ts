import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Controller, type DecisionEntry } from '../src/loop/controller.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy } from '../src/govern/policy.js';
import { RolloutPlanner, ROLLOUT_RESULT_KIND, ROLLOUT_STEP_KIND } from '../src/plan/rollout/rollout-planner.js';
import type { RevisionBehaviourInput } from '../src/execute/twin/rollout.js';
import { mannWhitneyU, twoProportionZ } from '../src/plan/rollout/statistics.js';
import { analyseStep, CanaryAnalysisConfigSchema } from '../src/plan/rollout/canary-analysis.js';
import { UserError } from '../src/core/errors.js';

const T0 = 1704067200;
const TICK = 15;

/** web at 300 req/s on 10 replicas; the stable revision r1 fails 0.2 % of requests. */
function twin(): TwinCluster {
  const t = new TwinCluster({
    seed: 11, startTime: T0,
    nodePools: [{ instanceType: 'm5.xlarge', count: 3, spot: false }],
    services: [{ name: 'web', replicas: 10, serviceRatePerReplica: 50, sloP99Ms: 200, sloErrorRate: 0.01, load: { trace: [{ t: 0, value: 300 }, { t: 7200, value: 300 }] } }],
  });
  t.rollouts.setStable('web', 'r1', { errorRate: 0.002 });
  return t;
}

async function rollOut(revision: string, behaviour: RevisionBehaviourInput, minutes = 15) {
  const t = twin();
  t.rollouts.define('web', revision, behaviour);
  const planner = new RolloutPlanner(t.rollouts);
  const entries: DecisionEntry[] = [];
  const controller = new Controller({
    source: t, provider: t, mode: 'auto', guardrails: new Guardrails(defaultPolicy()), policies: [planner],
    journal: { appendBatch: async (e: DecisionEntry[]) => { entries.push(...e); } },
  });
  t.advance(60);
  planner.start({ service: 'web', revision, change: { imageChanged: true } }, t.time);
  for (let i = 0; i < (minutes * 60) / TICK; i++) {
    await controller.tick();
    t.advance(TICK);
  }
  return { t, planner, entries, steps: entries.filter((e) => e.kind === ROLLOUT_STEP_KIND), result: entries.find((e) => e.kind === ROLLOUT_RESULT_KIND) };
}

test('a bad revision (3× the error rate) is rolled back at its first or second canary step', async () => {
  const { t, steps, result, entries } = await rollOut('r2', { errorRate: 0.006 });
  assert.ok(result, 'the rollout finished');
  assert.equal(result.payload.outcome, 'rolled-back', result.summary);
  assert.ok(steps.length >= 1 && steps.length <= 2, steps.map((s) => s.summary).join('\n'));
  const last = steps.at(-1);
  assert.ok(last);
  assert.equal(last.payload.decision, 'abort');
  const analysis = last.payload.analysis as { errors: { failed: boolean; canaryRate: number; baselineRate: number; pValue: number } };
  assert.equal(analysis.errors.failed, true);
  assert.ok(analysis.errors.canaryRate > 2 * analysis.errors.baselineRate);
  assert.ok(analysis.errors.pValue < 0.01);
  // The abort went through the guardrails and the twin serves only the stable revision again.
  assert.ok(entries.some((e) => e.kind === 'decision' && /abort the rollout of web r2 executed/.test(e.summary)));
  assert.deepEqual(t.rollouts.status('web'), { stable: 'r1' });
  assert.deepEqual(t.faultEffects().badRevision, []);
});

test('a good revision passes every step and is promoted', async () => {
  const { t, steps, result } = await rollOut('r3', { errorRate: 0.002 });
  assert.ok(result);
  assert.equal(result.payload.outcome, 'promoted', [result.summary, ...steps.map((s) => s.summary)].join('\n'));
  assert.deepEqual(steps.map((s) => s.payload.weight), [10, 25, 50]);
  assert.deepEqual(steps.map((s) => s.payload.decision), ['advance', 'advance', 'promote']);
  assert.deepEqual(t.rollouts.status('web'), { stable: 'r3' });
  // Rolling back afterwards returns to r1.
  assert.equal(t.applyNow({ kind: 'rollback', service: 'web' }).ok, true);
  assert.equal(t.rollouts.status('web').stable, 'r1');
});

test('a slow revision (2× service time) fails on p99 latency', async () => {
  const { steps, result } = await rollOut('r4', { errorRate: 0.002, latencyFactor: 2 });
  assert.equal(result?.payload.outcome, 'rolled-back');
  const analysis = steps.at(-1)?.payload.analysis as { latency: { failed: boolean; canaryMedianMs: number; baselineMedianMs: number } };
  assert.equal(analysis.latency.failed, true);
  assert.ok(analysis.latency.canaryMedianMs > 1.5 * analysis.latency.baselineMedianMs);
});

test('test statistics match published values', () => {
  // scipy.stats.mannwhitneyu([6..10], [1..5], alternative='greater', method='asymptotic') → U 25, p 0.006092
  const mw = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(mw.u, 25);
  assert.ok(Math.abs(mw.pValue - 0.006092) < 2e-5, String(mw.pValue));
  // Ties: all equal → no evidence.
  assert.equal(mannWhitneyU([1, 1, 1], [1, 1, 1]).pValue > 0.5, true);
  // Two-proportion z: 10/1000 vs 25/1000 → pooled 0.0175, z = 0.015/sqrt(0.0175·0.9825·0.002) ≈ 2.5579, one-sided p ≈ 0.00527
  const z = twoProportionZ(10, 1000, 25, 1000);
  assert.ok(Math.abs(z.z - 2.5579) < 1e-3, String(z.z));
  assert.ok(Math.abs(z.pValue - 0.00527) < 1e-4, String(z.pValue));
  // Too little canary traffic is inconclusive, not a pass.
  const a = analyseStep({ revision: 'r1', requests: 10000, errors: 20, latencySamplesMs: [50, 51, 52, 50, 49, 50] }, { revision: 'r2', requests: 50, errors: 0, latencySamplesMs: [50, 51, 52, 50, 49, 50] }, CanaryAnalysisConfigSchema.parse({}));
  assert.equal(a.verdict, 'inconclusive');
});

test('bad rollout requests are errors naming the field', () => {
  const planner = new RolloutPlanner(twin().rollouts);
  assert.throws(() => planner.start({ service: 'web', revision: 'r2', strategy: { steps: [50, 25] } }, T0), (e: unknown) => e instanceof UserError && /strategy\.steps\.1/.test(e.message));
  assert.throws(() => twin().rollouts.define('web', 'r2', { errorRate: 3 }), (e: unknown) => e instanceof UserError && /rollout define web\/r2 errorRate/.test(e.message));
  assert.throws(() => twin().rollouts.define('nope', 'r2'), (e: unknown) => e instanceof UserError && /unknown service 'nope'/.test(e.message));
  planner.start({ service: 'web', revision: 'r2' }, T0);
  assert.throws(() => planner.start({ service: 'web', revision: 'r3' }, T0), /already rolling out r2/);
});
