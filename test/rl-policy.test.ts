import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import { Controller } from '../src/loop/controller.js';
import type { PlanContext, PlanNote } from '../src/plan/scaling/policy.js';
import { ACTIONS } from '../src/plan/rl/actions.js';
import { responseQuantile } from '../src/execute/twin/queueing.js';
import { modelFromJson, modelToJson, type RlModel } from '../src/plan/rl/model.js';
import { RlPolicy } from '../src/plan/rl/policy.js';
import { ShadowPolicy } from '../src/plan/rl/shadow.js';
import { FixedPolicy, fixedModel } from './support/rl-fixed-model.js';

// Two replicas under a steady ~125 req/s at 50 req/s per replica: the widest fit must scale out.
const twin = () => new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { generator: 'steady', params: { base: 125 } } }] });
const WIDE = 'fit p90 @65%';

/** The widest fit's size, checked against its definition: ≥ the 65 % utilisation bound, M/M/c p99 within 80 % of 200 ms, and minimal. */
function assertWideFit(to: number, rate: number, mu: number): void {
  const byUtilization = Math.ceil(rate / (mu * 0.65));
  assert.ok(to >= byUtilization, `${to} replicas for ${rate} req/s is below the 65 % bound ${byUtilization}`);
  assert.ok(responseQuantile(0.01, to, mu, rate) <= 0.16 + 1e-9, `p99 at ${to} replicas exceeds 160 ms`);
  if (to > byUtilization) assert.ok(responseQuantile(0.01, to - 1, mu, rate) > 0.16, `${to - 1} replicas would do`);
}

test('RL model survives its JSON round trip', () => {
  const m = fixedModel(WIDE, -1, 1);
  const back = modelFromJson(modelToJson(m));
  assert.deepEqual(Array.from(back.actor.layers[0].b), Array.from(m.actor.layers[0].b));
  assert.deepEqual(Array.from(back.ranges.max), Array.from(m.ranges.max));
});

test('in distribution the actor decides; out of distribution the fallback does, and says so', () => {
  const t = twin();
  t.advance(60);
  const ctx = (): PlanContext & { notes: PlanNote[] } => ({ snapshot: t.snapshotNow(), now: t.time, notes: [] });
  const inside = new RlPolicy(fixedModel(WIDE, -100, 100), new FixedPolicy(9));
  const c0 = ctx();
  const svc = c0.snapshot.services[0];
  const p = inside.decide(c0);
  assert.equal(p.length, 1);
  assert.equal(p[0].source, 'rl-ppo');
  const a = p[0].action;
  assert.ok(a.kind === 'scale' && a.service === 'web' && a.from === 2);
  assertWideFit(a.to, svc.requestRate, svc.serviceRatePerReplica);
  assert.match(p[0].rationale, /PPO actor chose fit p90 @65%/);

  // Ranges no real state fits: every state is out of distribution.
  const outside = new RlPolicy(fixedModel(WIDE, 50, 60), new FixedPolicy(9));
  const c = ctx();
  const q = outside.decide(c);
  assert.equal(q.length, 1);
  assert.equal(q[0].source, 'rl-ppo/fallback:predictive');
  assert.deepEqual(q[0].action, { kind: 'scale', service: 'web', from: 2, to: 9 });
  assert.match(q[0].rationale, /out of training distribution \(cpu_utilization=.* outside \[50\.000, 60\.000\]\); fell back to predictive/);
  assert.equal(c.notes.length, 1);
  assert.equal(c.notes[0].kind, 'rl-fallback');
  assert.equal(outside.stats.fallbacks, 1);
});

test('the network chooses once per decision period; the held fit is sized on every tick\'s load', () => {
  // Load doubles after 60 s: within the 5-minute decision the held fit follows it without a new network decision.
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { trace: [{ t: 0, value: 60 }, { t: 60, value: 60 }, { t: 90, value: 240 }, { t: 3600, value: 240 }], scale: 1, repeat: false } }] });
  const policy = new RlPolicy(fixedModel(WIDE, -100, 100, undefined, { config: { env: { decisionSeconds: 300 } } }), new FixedPolicy(9));
  const targets: number[] = [];
  for (let k = 0; k < 10; k++) {
    const snap = t.snapshotNow();
    for (const p of policy.decide({ snapshot: snap, now: t.time })) {
      if (p.action.kind !== 'scale') continue;
      targets.push(p.action.to);
      t.applyNow(p.action);
    }
    t.advance(15);
  }
  assert.equal(policy.stats.decisions, 1, 'one network decision in 150 s');
  assert.ok(targets.length >= 2, `the fit scaled out again when the load rose: ${targets.join(', ')}`);
  assert.ok(targets[targets.length - 1] > targets[0], `${targets.join(', ')}`);
  for (let k = 0; k < 20; k++) {
    policy.decide({ snapshot: t.snapshotNow(), now: t.time });
    t.advance(15);
  }
  assert.equal(policy.stats.decisions, 2, 'a second decision once the period has passed');
});

test('RL actions pass the guardrails like any planner (clamped to maxReplicas through the Controller)', async () => {
  const t = twin();
  const policy = new RlPolicy(fixedModel(WIDE, -100, 100), new FixedPolicy(2));
  const controller = new Controller({
    source: t,
    provider: t,
    policies: [policy],
    guardrails: new Guardrails(GuardrailPolicySchema.parse({ services: { '*': { minReplicas: 1, maxReplicas: 3 } } })),
    mode: 'auto',
  });
  t.advance(15);
  const r = await controller.tick();
  assert.equal(r.decisions.length, 1);
  const d = r.decisions[0];
  const wanted = d.proposal.action;
  assert.ok(wanted.kind === 'scale' && wanted.from === 2 && wanted.to >= 4, JSON.stringify(wanted));
  assert.equal(d.verdict.outcome, 'clamp');
  assert.deepEqual(d.verdict.action, { kind: 'scale', service: 'web', from: 2, to: 3 });
  assert.equal(t.snapshotNow().services[0].replicas, 3);
});

test('shadow mode returns the active policy only and records agreement', () => {
  const t = twin();
  t.advance(60);
  const shadow = new ShadowPolicy(new FixedPolicy(6), new RlPolicy(fixedModel(WIDE, -100, 100), new FixedPolicy(2)));
  const notes: PlanNote[] = [];
  const out = shadow.decide({ snapshot: t.snapshotNow(), now: t.time, notes });
  assert.deepEqual(out.map((p) => p.source), ['predictive']);
  assert.deepEqual(shadow.report(), { compared: 1, agreements: 1, agreementRate: 1, decisive: 1, decisiveAgreementRate: 1 });
  assert.equal(notes.length, 0);
  const disagree = new ShadowPolicy(new FixedPolicy(1), new RlPolicy(fixedModel(WIDE, -100, 100), new FixedPolicy(2)));
  disagree.decide({ snapshot: t.snapshotNow(), now: t.time, notes });
  assert.equal(disagree.report().agreementRate, 0);
  assert.equal(notes[0].kind, 'shadow');
  const rec = disagree.records[0];
  assert.deepEqual({ ...rec, shadow: 0 }, { at: t.time, service: 'web', replicas: 2, active: 1, shadow: 0, agree: false });
  assert.ok(rec.shadow >= 4);
});
