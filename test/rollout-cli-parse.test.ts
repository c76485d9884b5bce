/**
 * In-process halves of `simulate --rollout` (the CLI runs are in rollout-cli.test.ts): the spec parser's every
 * error, and the run's deployment-risk model learning from the store's journal (other runs only) and re-learning
 * when one of its rollouts finishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRollout, parseRollouts } from '../src/loop/rollout-spec.js';
import { RunDeploymentRisk } from '../src/loop/risk-learning.js';
import { openStore } from '../src/knowledge/store.js';
import { UserError } from '../src/core/errors.js';

const SERVICES = ['web', 'api', 'checkout'];
const DAY = 86_400;
const T0 = 1704067200;

test('rollout specs parse into service, revision, time and the revision\'s behaviour', () => {
  assert.deepEqual(parseRollout('checkout:r2@6h:errors=3', SERVICES, DAY), { service: 'checkout', revision: 'r2', at: 6 * 3600, errorRate: 0.03, latencyFactor: 1, text: 'checkout:r2@6h:errors=3' });
  assert.deepEqual(parseRollout(' web:v1.2-rc_1@1d2h30m:latency=1.5:errors=0.5% ', SERVICES, 2 * DAY), { service: 'web', revision: 'v1.2-rc_1', at: DAY + 2 * 3600 + 1800, errorRate: 0.005, latencyFactor: 1.5, text: 'web:v1.2-rc_1@1d2h30m:latency=1.5:errors=0.5%' });
  assert.equal(parseRollout('api:r2@90', SERVICES, DAY).at, 90);
});

test('a bad rollout spec is a UserError naming --rollout, the spec and the part that is wrong', () => {
  const cases: [string, string][] = [
    ['checkout:r2', "--rollout 'checkout:r2': no @TIME: expected SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3"],
    ['checkout@1h', "--rollout 'checkout@1h': expected SERVICE:REVISION before the @, got 'checkout' (SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3)"],
    ['a:b:c@1h', "--rollout 'a:b:c@1h': expected SERVICE:REVISION before the @, got 'a:b:c' (SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3)"],
    ['shop:r2@1h', "--rollout 'shop:r2@1h': unknown service 'shop' (known: web, api, checkout)"],
    [':r2@1h', "--rollout ':r2@1h': the service is empty (SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3)"],
    ['web:@1h', "--rollout 'web:@1h': bad revision '': letters, digits, '.', '_' or '-' (SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3)"],
    ['web:r 2@1h', "--rollout 'web:r 2@1h': bad revision 'r 2': letters, digits, '.', '_' or '-' (SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3)"],
    ['web:r1@1h', "--rollout 'web:r1@1h': revision 'r1' is the one every service runs at the start: name the new revision, e.g. r2"],
    ['web:r2@6x', "--rollout 'web:r2@6x': bad time '6x' (use e.g. 90s, 30m, 6h, 1d12h)"],
    ['web:r2@', "--rollout 'web:r2@': bad time '' (use e.g. 90s, 30m, 6h, 1d12h)"],
    ['web:r2@1d', "--rollout 'web:r2@1d': time '1d' is not before the end of the run (1 day)"],
    ['web:r2@1h:errors=lots', "--rollout 'web:r2@1h:errors=lots': bad errors 'lots': a percentage of requests in 0..100, e.g. errors=3"],
    ['web:r2@1h:errors=101', "--rollout 'web:r2@1h:errors=101': bad errors '101': a percentage of requests in 0..100, e.g. errors=3"],
    ['web:r2@1h:errors', "--rollout 'web:r2@1h:errors': bad errors '': a percentage of requests in 0..100, e.g. errors=3"],
    ['web:r2@1h:latency=0', "--rollout 'web:r2@1h:latency=0': bad latency '0': a service-time factor above 0, e.g. latency=2 (twice as slow)"],
    ['web:r2@1h:latency=-1', "--rollout 'web:r2@1h:latency=-1': bad latency '-1': a service-time factor above 0, e.g. latency=2 (twice as slow)"],
    ['web:r2@1h:speed=2', "--rollout 'web:r2@1h:speed=2': unknown option 'speed=2' (known: errors=PERCENT, latency=FACTOR)"],
    ['web:r2@1h:errors=1:errors=2', "--rollout 'web:r2@1h:errors=1:errors=2': errors is given twice"],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parseRollout(spec, SERVICES, DAY), (e: unknown) => e instanceof UserError && e.message === message, spec);
  }
  assert.throws(() => parseRollouts(['web:r2@1h', 'web:r2@2h:errors=1'], SERVICES, DAY), (e: unknown) => e instanceof UserError && e.message === "--rollout 'web:r2@2h:errors=1': web revision r2 is rolled out twice");
  assert.equal(parseRollouts(['web:r2@1h', 'web:r3@2h', 'api:r2@1h'], SERVICES, DAY).length, 3);
});

const rolledBack = (service: string, at: number) => ({
  at, kind: 'rollout-result', actor: `rollout/${service}`, summary: 'rolled back',
  payload: { service, revision: 'x', outcome: 'rolled-back', change: { imageChanged: true, configKeysChanged: 0, replicaDelta: 0 }, startedAt: at, endedAt: at + 600 },
});

test('the run\'s risk model learns from the other runs in the journal, and re-learns when one of its rollouts finishes', async () => {
  const store = await openStore(':memory:');
  try {
    await store.journal.appendBatch([
      { ...rolledBack('checkout', T0 - 2 * DAY), runId: 'earlier' },
      { ...rolledBack('checkout', T0 - DAY), runId: 'earlier' },
      // Written by this very run before it was interrupted: a resumed run must not count it (the replay will).
      { ...rolledBack('checkout', T0 + 600), runId: 'this' },
    ]);
    const r = await RunDeploymentRisk.start(store.journal, T0, 'this');
    assert.deepEqual(r.lastFit, { model: 'prior', rollouts: 2, failures: 2 });
    const image = { imageChanged: true, configKeysChanged: 0, replicaDelta: 0 };
    const before = r.risk.score('checkout', image, T0 + 3600);
    assert.equal(before.contributions.find((c) => c.feature === 'recentFailures')?.value, 2);
    // A tick's notes: incidents join the history silently; a finished rollout re-fits.
    assert.equal(r.observe(T0 + 900, [{ kind: 'detection', actor: 'remediation', summary: 's', payload: { target: 'service/checkout' } }]), false);
    assert.equal(r.observe(T0 + 1200, [{ kind: 'rollout-result', actor: 'rollout/checkout', summary: 's', payload: rolledBack('checkout', T0 + 600).payload }]), true);
    assert.deepEqual(r.lastFit, { model: 'prior', rollouts: 3, failures: 3 });
    const afterFit = r.risk.score('checkout', image, T0 + 3600);
    assert.equal(afterFit.contributions.find((c) => c.feature === 'recentFailures')?.value, 3);
    assert.ok(afterFit.risk > before.risk);
    // No store: the prior model, no history.
    const none = await RunDeploymentRisk.start(undefined, T0);
    assert.deepEqual(none.lastFit, { model: 'prior', rollouts: 0, failures: 0 });
  } finally {
    await store.close();
  }
});
