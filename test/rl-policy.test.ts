import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Proposal } from '../src/core/proposal.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import { Controller } from '../src/loop/controller.js';
import type { PlanContext, PlanNote, ScalingPolicy } from '../src/plan/scaling/policy.js';
import { ACTIONS } from '../src/plan/rl/actions.js';
import { RlTrainConfigSchema } from '../src/plan/rl/config.js';
import { NUM_FEATURES } from '../src/plan/rl/features.js';
import { modelFromJson, modelToJson, type RlModel } from '../src/plan/rl/model.js';
import { RlPolicy } from '../src/plan/rl/policy.js';
import { FeatureRanges } from '../src/plan/rl/ranges.js';
import { ShadowPolicy } from '../src/plan/rl/shadow.js';

/** A one-layer actor that always prefers `action`, with the given feature ranges. */
function fixedModel(action: string, min: number, max: number): RlModel {
  const A = ACTIONS.length;
  const b = new Float32Array(A);
  b[ACTIONS.findIndex((a) => a.label === action)] = 5;
  return {
    actor: { layers: [{ inputs: NUM_FEATURES, outputs: A, w: new Float32Array(NUM_FEATURES * A), b }] },
    ranges: new FeatureRanges(NUM_FEATURES, new Array(NUM_FEATURES).fill(min), new Array(NUM_FEATURES).fill(max)),
    config: RlTrainConfigSchema.parse({}),
    training: { seed: 1, series: ['toy'], episodes: 0, convergedAt: null, finalReward: 0, trainSeconds: 0 },
  };
}

/** Proposes a fixed target for every service (stands in for predictive / HPA). */
class FixedPolicy implements ScalingPolicy {
  readonly name = 'predictive';
  constructor(private readonly to: number) {}
  decide(ctx: PlanContext): Proposal[] {
    return ctx.snapshot.services.map((s) => ({
      action: { kind: 'scale', service: s.name, from: s.replicas, to: this.to },
      source: this.name, rationale: 'fixed', evidence: {}, expectedEffect: '',
    }));
  }
}

const twin = () => new TwinCluster({ services: [{ name: 'web', replicas: 4 }] });

test('RL model survives its JSON round trip', () => {
  const m = fixedModel('+1', -1, 1);
  const back = modelFromJson(modelToJson(m));
  assert.deepEqual(Array.from(back.actor.layers[0].b), Array.from(m.actor.layers[0].b));
  assert.deepEqual(Array.from(back.ranges.max), Array.from(m.ranges.max));
});

test('in distribution the actor decides; out of distribution the fallback does, and says so', () => {
  const t = twin();
  t.advance(60);
  const ctx = (): PlanContext & { notes: PlanNote[] } => ({ snapshot: t.snapshotNow(), now: t.time, notes: [] });
  const inside = new RlPolicy(fixedModel('+1', -100, 100), new FixedPolicy(9));
  const p = inside.decide(ctx());
  assert.equal(p.length, 1);
  assert.equal(p[0].source, 'rl-ppo');
  assert.deepEqual(p[0].action, { kind: 'scale', service: 'web', from: 4, to: 5 });

  // Ranges no real state fits: every state is out of distribution.
  const outside = new RlPolicy(fixedModel('+1', 50, 60), new FixedPolicy(9));
  const c = ctx();
  const q = outside.decide(c);
  assert.equal(q.length, 1);
  assert.equal(q[0].source, 'rl-ppo/fallback:predictive');
  assert.deepEqual(q[0].action, { kind: 'scale', service: 'web', from: 4, to: 9 });
  assert.match(q[0].rationale, /out of training distribution \(cpu_utilization=.* outside \[50\.000, 60\.000\]\); fell back to predictive/);
  assert.equal(c.notes.length, 1);
  assert.equal(c.notes[0].kind, 'rl-fallback');
  assert.equal(outside.stats.fallbacks, 1);
});

test('RL actions pass the guardrails like any planner (clamped to maxReplicas through the Controller)', async () => {
  const t = twin();
  const policy = new RlPolicy(fixedModel('+50%', -100, 100), new FixedPolicy(4));
  const controller = new Controller({
    source: t,
    provider: t,
    policies: [policy],
    guardrails: new Guardrails(GuardrailPolicySchema.parse({ services: { '*': { minReplicas: 1, maxReplicas: 5 } } })),
    mode: 'auto',
  });
  t.advance(15);
  const r = await controller.tick();
  assert.equal(r.decisions.length, 1);
  const d = r.decisions[0];
  assert.deepEqual(d.proposal.action, { kind: 'scale', service: 'web', from: 4, to: 6 });
  assert.equal(d.verdict.outcome, 'clamp');
  assert.deepEqual(d.verdict.action, { kind: 'scale', service: 'web', from: 4, to: 5 });
  assert.equal(t.snapshotNow().services[0].replicas, 5);
});

test('shadow mode returns the active policy only and records agreement', () => {
  const t = twin();
  t.advance(60);
  const shadow = new ShadowPolicy(new FixedPolicy(6), new RlPolicy(fixedModel('+1', -100, 100), new FixedPolicy(4)));
  const notes: PlanNote[] = [];
  const out = shadow.decide({ snapshot: t.snapshotNow(), now: t.time, notes });
  assert.deepEqual(out.map((p) => p.source), ['predictive']);
  assert.deepEqual(shadow.report(), { compared: 1, agreements: 1, agreementRate: 1, decisive: 1, decisiveAgreementRate: 1 });
  assert.equal(notes.length, 0);
  const disagree = new ShadowPolicy(new FixedPolicy(2), new RlPolicy(fixedModel('+1', -100, 100), new FixedPolicy(4)));
  disagree.decide({ snapshot: t.snapshotNow(), now: t.time, notes });
  assert.equal(disagree.report().agreementRate, 0);
  assert.equal(notes[0].kind, 'shadow');
  assert.deepEqual(disagree.records[0], { at: t.time, service: 'web', replicas: 4, active: 2, shadow: 5, agree: false });
});
