import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeploymentRisk, historyFromJournal, learnFromJournal, type JournalLike } from '../src/govern/deployment-risk.js';
import { openStore } from '../src/knowledge/store.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy } from '../src/govern/policy.js';
import { MemoryApprovalRepository } from '../src/govern/memory-approval-repository.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Controller, type DecisionEntry } from '../src/loop/controller.js';
import { ApprovalFlow } from '../src/loop/approval-flow.js';
import { RolloutPlanner } from '../src/plan/rollout/rollout-planner.js';
import { UserError } from '../src/core/errors.js';
import type { Action } from '../src/core/action.js';
import type { Snapshot } from '../src/core/snapshot.js';

const DAY = 86_400;
/** Tuesday 2024-01-09 10:00 UTC: working hours. */
const TUE_10 = 1704794400;
/** Friday 2024-01-12 19:00 UTC: off-hours on a Friday. */
const FRI_19 = 1705086000;

const small = { imageChanged: false, configKeysChanged: 1, replicaDelta: 0 };
const image = { imageChanged: true, configKeysChanged: 0, replicaDelta: 0 };

function result(service: string, at: number, outcome: 'promoted' | 'rolled-back', change = image): JournalLike {
  return { at, kind: 'rollout-result', payload: { service, revision: 'x', outcome, change, startedAt: at, endedAt: at + 600 } };
}

test('recent failed rollouts of a service raise its score; a tiny daytime change stays low', () => {
  const risk = new DeploymentRisk();
  const journal = [
    result('checkout', TUE_10 - 2 * DAY, 'rolled-back'), result('checkout', TUE_10 - 4 * DAY, 'rolled-back'), result('checkout', TUE_10 - 6 * DAY, 'rolled-back'),
    result('web', TUE_10 - 3 * DAY, 'promoted'),
    { at: TUE_10 - DAY, kind: 'detection', payload: { target: 'service/checkout' } },
  ];
  assert.equal(risk.learn(journal).model, 'prior');
  const checkout = risk.score('checkout', image, TUE_10);
  const web = risk.score('web', image, TUE_10);
  assert.ok(checkout.risk >= 0.5, `checkout ${checkout.risk}`);
  assert.ok(web.risk < 0.2, `web ${web.risk}`);
  assert.equal(checkout.contributions[0].feature, 'recentFailures');
  assert.equal(checkout.contributions[0].value, 3);
  const tiny = risk.score('web', small, TUE_10);
  assert.ok(tiny.risk < 0.1, `tiny ${tiny.risk}`);
  assert.equal(tiny.tier, 'low');
  // The same tiny change on a Friday evening is riskier.
  assert.ok(risk.score('web', small, FRI_19).risk > tiny.risk * 2);
});

test('with enough history the model is learned from the journal, and calibrated to its failure rate', () => {
  // 60 rollouts over 60 days: image changes with many config keys fail, small config changes do not (with noise).
  const journal: JournalLike[] = [];
  for (let i = 0; i < 60; i++) {
    const big = i % 3 === 0;
    const change = big ? { imageChanged: true, configKeysChanged: 12, replicaDelta: 4 } : { imageChanged: i % 2 === 0, configKeysChanged: 1, replicaDelta: 0 };
    const failed = big ? i % 9 !== 0 : i % 10 === 1;
    journal.push(result(`svc${i % 4}`, TUE_10 - (60 - i) * DAY, failed ? 'rolled-back' : 'promoted', change));
  }
  const risk = new DeploymentRisk();
  const learned = risk.learn(journal);
  assert.equal(learned.model, 'learned');
  assert.equal(learned.rollouts, 60);
  const bigRisk = risk.score('svc9', { imageChanged: true, configKeysChanged: 12, replicaDelta: 4 }, TUE_10);
  const smallRisk = risk.score('svc9', small, TUE_10);
  assert.equal(bigRisk.model, 'learned');
  assert.ok(bigRisk.risk > 0.5 && smallRisk.risk < 0.3, `big ${bigRisk.risk}, small ${smallRisk.risk}`);
  const rate = learned.failures / learned.rollouts;
  const { rollouts } = historyFromJournal(journal);
  const mean = rollouts.reduce((a, r) => a + risk.score(r.service, r.change, r.at).risk, 0) / rollouts.length;
  assert.ok(Math.abs(mean - rate) < 0.15, `mean predicted ${mean} vs rate ${rate}`);
});

const snap: Snapshot = {
  at: TUE_10, nodes: [], events: [], logs: [], costPerHour: 0,
  services: [{
    name: 'checkout', replicas: 4, readyReplicas: 4, pendingReplicas: 0, cpuRequestMillis: 500, memoryRequestMiB: 512, serviceRatePerReplica: 50,
    pods: { ready: 4, unready: 0, missing: 0, cpuUsageMillis: 800 }, cpuUtilization: 0.4, memoryUtilization: 0.5, requestRate: 80, servedRate: 80,
    errorRate: 0, latencyP50Ms: 20, latencyP99Ms: 60, queueDepth: 0,
  }],
};

test('a raised tier makes the guardrails require approval for the rollout start, never for later steps or the abort', () => {
  const risk = new DeploymentRisk();
  risk.learn([result('checkout', TUE_10 - DAY, 'rolled-back'), result('checkout', TUE_10 - 2 * DAY, 'rolled-back'), result('checkout', TUE_10 - 3 * DAY, 'rolled-back')]);
  const g = new Guardrails(defaultPolicy(), { riskRaisers: [risk] });
  const propose = (action: Action) => g.check({ action, source: 'rollout/checkout', rationale: 't', evidence: {}, expectedEffect: 't' }, snap, TUE_10);
  const start = propose({ kind: 'rollout', service: 'checkout', revision: 'r9', weight: 10, change: image });
  assert.equal(start.outcome, 'needs-approval');
  assert.match(start.reasons.join(' '), /deployment risk \d+% ≥ 50%.*recentFailures/);
  assert.equal(propose({ kind: 'rollout', service: 'checkout', revision: 'r9', weight: 25 }).outcome, 'allow');
  assert.equal(propose({ kind: 'rollout', service: 'checkout', revision: 'r9', weight: 0 }).outcome, 'allow');
  // Without the raiser (or for a small change of a quiet service) the policy's low tier stands.
  assert.equal(new Guardrails(defaultPolicy()).check({ action: { kind: 'rollout', service: 'checkout', revision: 'r9', weight: 10, change: image }, source: 'x', rationale: 't', evidence: {}, expectedEffect: 't' }, snap, TUE_10).outcome, 'allow');
  assert.throws(() => new DeploymentRisk({ threshold: 2 }), (e: unknown) => e instanceof UserError && /deployment-risk config threshold/.test(e.message));
});

test('in the loop, a risky rollout waits in the approval queue and runs its canary once approved', async () => {
  const t = new TwinCluster({
    seed: 2, startTime: TUE_10,
    nodePools: [{ instanceType: 'm5.xlarge', count: 3, spot: false }],
    services: [{ name: 'checkout', replicas: 6, serviceRatePerReplica: 50, sloErrorRate: 0.01, load: { trace: [{ t: 0, value: 150 }, { t: 7200, value: 150 }] } }],
  });
  t.rollouts.define('checkout', 'r9', { errorRate: 0 });
  const risk = new DeploymentRisk();
  risk.learn([result('checkout', TUE_10 - DAY, 'rolled-back'), result('checkout', TUE_10 - 2 * DAY, 'rolled-back')]);
  const planner = new RolloutPlanner(t.rollouts);
  const entries: DecisionEntry[] = [];
  const journal = { appendBatch: async (e: DecisionEntry[]) => { entries.push(...e); } };
  const repo = new MemoryApprovalRepository();
  const approvals = new ApprovalFlow({ repo, expirySeconds: 3600, wallClock: () => t.time, simulatedOperatorSeconds: 120, journal });
  const controller = new Controller({ source: t, provider: t, mode: 'auto', guardrails: new Guardrails(defaultPolicy(), { riskRaisers: [risk] }), approvals, policies: [planner], journal });
  planner.start({ service: 'checkout', revision: 'r9', change: image }, t.time);
  await controller.tick();
  t.advance(15);
  assert.equal(planner.rollouts().active[0].phase, 'starting');
  await controller.tick();
  assert.equal(planner.rollouts().active[0].phase, 'awaiting-approval');
  assert.equal(t.rollouts.status('checkout').canary, undefined, 'no canary traffic before approval');
  const queued = entries.find((e) => e.kind === 'decision' && e.payload.verdict === 'needs-approval');
  assert.ok(queued);
  assert.match((queued.payload.reasons as string[]).join(' '), /deployment risk/);
  for (let i = 0; i < 20; i++) {
    t.advance(15);
    await controller.tick();
  }
  assert.ok(entries.some((e) => e.kind === 'decision' && /send 10% of checkout traffic to r9 executed after approval/.test(e.summary)), entries.map((e) => e.summary).join('\n'));
  assert.equal(planner.rollouts().active[0]?.phase, 'analysing');
  assert.ok((t.rollouts.status('checkout').canary?.weight ?? 0) >= 10, 'the canary runs');
});

test('the model learns from the real journal store: rollout results, incidents and worse verdicts', async () => {
  const store = await openStore(':memory:');
  try {
    const entries = [
      result('checkout', TUE_10 - 2 * DAY, 'rolled-back'), result('checkout', TUE_10 - 3 * DAY, 'rolled-back'), result('web', TUE_10 - 3 * DAY, 'promoted'),
      { at: TUE_10 - DAY, kind: 'action-verification', payload: { target: 'service/checkout', verdict: 'worse' } },
      { at: TUE_10 - DAY, kind: 'escalation', payload: { target: 'service/checkout' } },
      { at: TUE_10 - DAY, kind: 'rollout-result', payload: { garbage: true } },
    ];
    await store.journal.appendBatch(entries.map((e) => ({ ...e, actor: 'test', summary: 'test' })));
    const risk = new DeploymentRisk();
    const learned = await learnFromJournal(risk, store.journal, TUE_10);
    assert.deepEqual(learned, { model: 'prior', rollouts: 3, failures: 2 });
    const s = risk.score('checkout', image, TUE_10);
    const feature = (f: string) => s.contributions.find((c) => c.feature === f)?.value;
    assert.equal(feature('recentFailures'), 2);
    assert.equal(feature('serviceIncidents'), Math.round(Math.log1p(2) * 1000) / 1000);
    assert.ok(s.risk > risk.score('web', image, TUE_10).risk);
  } finally {
    await store.close();
  }
});
