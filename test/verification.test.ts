import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import type { Action } from '../src/core/action.js';
import type { Proposal } from '../src/core/proposal.js';
import { Controller, type DecisionEntry } from '../src/loop/controller.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy } from '../src/govern/policy.js';
import type { PlanContext, ScalingPolicy } from '../src/plan/scaling/policy.js';
import { VerificationPlanner } from '../src/plan/verification/verification-planner.js';
import { ActionVerifier } from '../src/plan/verification/action-verifier.js';
import { inverseOf } from '../src/plan/verification/inverse.js';
import { parseVerificationConfig, VerificationConfigSchema } from '../src/plan/verification/config.js';
import { UserError } from '../src/core/errors.js';

const T0 = 1704067200;
const TICK = 15;

/** A planner that proposes given actions at given tick numbers: the action under test. */
class Scripted implements ScalingPolicy {
  readonly name = 'scripted';
  private tick = 0;
  constructor(private readonly at: Map<number, Action>) {}
  decide(_ctx: PlanContext): Proposal[] {
    const a = this.at.get(this.tick++);
    return a ? [{ action: a, source: this.name, rationale: 'test', evidence: {}, expectedEffect: 'test' }] : [];
  }
}

/** web: μ = 50 req/s per replica on three m5.xlarge nodes; load from a trace (req/s by seconds from the start). */
function twin(replicas: number, trace: { t: number; value: number }[]): TwinCluster {
  return new TwinCluster({
    seed: 3, startTime: T0,
    nodePools: [{ instanceType: 'm5.xlarge', count: 3, spot: false }],
    services: [{ name: 'web', replicas, serviceRatePerReplica: 50, sloP99Ms: 200, sloErrorRate: 0.01, load: { trace } }],
  });
}

async function run(t: TwinCluster, script: Map<number, Action>, ticks: number) {
  const entries: DecisionEntry[] = [];
  const verification = new VerificationPlanner();
  const controller = new Controller({
    source: t, provider: t, mode: 'auto', guardrails: new Guardrails(defaultPolicy()),
    policies: [verification, new Scripted(script)],
    journal: { appendBatch: async (e: DecisionEntry[]) => { entries.push(...e); } },
  });
  const replicas: number[] = [];
  for (let i = 0; i < ticks; i++) {
    const r = await controller.tick();
    replicas.push(r.snapshot.services[0].replicas);
    t.advance(TICK);
  }
  const verdicts = entries.filter((e) => e.kind === 'action-verification');
  return { entries, verdicts, replicas, verification };
}

const steady = (v: number) => [{ t: 0, value: v }, { t: 3600, value: v }];

test('a scale-in that causes SLO violations is verified worse and rolled back through the guardrails', async () => {
  const t = twin(10, steady(300));
  const { verdicts, entries, replicas } = await run(t, new Map([[4, { kind: 'scale', service: 'web', from: 10, to: 5 }]]), 24);
  const v = verdicts.find((e) => (e.payload.action as Action).kind === 'scale' && e.payload.source === 'scripted');
  assert.ok(v, 'the scale-in was verified');
  assert.equal(v.payload.verdict, 'worse');
  assert.equal(v.payload.rolledBack, true);
  const base = (v.payload.baseline as Record<string, { p99Ms: number; demand: number }>).web;
  const obs = (v.payload.observed as Record<string, { p99Ms: number; demand: number }>).web;
  assert.ok(obs.p99Ms > 200 && obs.p99Ms > base.p99Ms, `p99 ${base.p99Ms} → ${obs.p99Ms}`);
  assert.ok(obs.demand > 1, 'overloaded at 5 replicas');
  // The undo went through the guardrails as a decision (blast radius clamps 5→10 to 5→9, then 9→10).
  const undo = entries.filter((e) => e.kind === 'decision' && e.actor === 'verification/undo');
  assert.ok(undo.length >= 1);
  assert.ok(undo.every((e) => /executed/.test(e.summary)), undo.map((e) => e.summary).join('\n'));
  assert.equal(replicas.at(-1), 10, `replicas over time ${replicas.join(',')}`);
});

test('a helpful scale-out is verified improved and kept', async () => {
  const t = twin(4, steady(300));
  const { verdicts, entries, replicas } = await run(t, new Map([[4, { kind: 'scale', service: 'web', from: 4, to: 8 }]]), 16);
  const v = verdicts.find((e) => e.payload.source === 'scripted');
  assert.ok(v);
  assert.equal(v.payload.verdict, 'improved', v.summary);
  assert.equal(v.payload.rolledBack, false);
  assert.equal(entries.filter((e) => e.actor === 'verification/undo').length, 0);
  assert.equal(replicas.at(-1), 8);
});

test('a load spike during the window is not blamed on a modest scale-in', async () => {
  // Load doubles 10 s after the scale-in (tick 4 = 60 s): 300 → 600 req/s, which 10 replicas could not serve either.
  const t = twin(10, [{ t: 0, value: 300 }, { t: 70, value: 300 }, { t: 75, value: 600 }, { t: 3600, value: 600 }]);
  const { verdicts, entries } = await run(t, new Map([[4, { kind: 'scale', service: 'web', from: 10, to: 8 }]]), 14);
  const v = verdicts.find((e) => e.payload.source === 'scripted');
  assert.ok(v);
  assert.notEqual(v.payload.verdict, 'worse', v.summary);
  assert.equal(v.payload.rolledBack, false);
  const attr = (v.payload.attribution as { loadExplains: boolean; loadRatio: number }[])[0];
  assert.equal(attr.loadExplains, true);
  assert.ok(attr.loadRatio > 1.5);
  assert.match(v.summary, /load rose/);
  assert.equal(entries.filter((e) => e.actor === 'verification/undo').length, 0);
});

test('actions owned by remediation are verified but not undone here; a restart cannot be undone', async () => {
  const t = twin(10, steady(300));
  const s0 = await t.snapshot();
  const verifier = new ActionVerifier({ settleSeconds: 0, windowSeconds: 30, minSamples: 2 });
  verifier.observe(s0);
  verifier.executed({ action: { kind: 'scale', service: 'web', from: 10, to: 4 }, source: 'remediation/dependency-slowdown', at: s0.at });
  t.applyNow({ kind: 'scale', service: 'web', from: 10, to: 4 });
  let results: ReturnType<ActionVerifier['observe']> = [];
  for (let i = 0; i < 4 && results.length === 0; i++) {
    t.advance(TICK);
    results = verifier.observe(await t.snapshot());
  }
  assert.equal(results.length, 1);
  assert.equal(results[0].verdict, 'worse');
  assert.equal(results[0].observeOnly, true);
  const restart = inverseOf({ kind: 'restart-pod', service: 'web' }, s0, s0);
  assert.equal(restart.ok, false);
  const drain = inverseOf({ kind: 'cordon-drain', node: s0.nodes[0].name }, s0, s0);
  assert.ok(drain.ok && drain.actions[0].kind === 'add-nodes');
  // Added nodes are undone by removing exactly the new ones.
  const add: Action = { kind: 'add-nodes', instanceType: 'm5.xlarge', count: 2, spot: false };
  t.applyNow(add);
  const s1 = await t.snapshot();
  const inv = inverseOf(add, s0, s1);
  const had = new Set(s0.nodes.map((n) => n.name));
  assert.ok(inv.ok);
  assert.equal(inv.actions.length, 2);
  assert.ok(inv.actions.every((a) => a.kind === 'remove-node' && !had.has(a.node)));
});

test('a superseding action on the same resource makes the first verdict inconclusive; config errors name the field', () => {
  const v = new ActionVerifier();
  const snap = { at: 0, services: [], nodes: [], events: [], logs: [], costPerHour: 0 };
  v.observe(snap);
  assert.equal(v.executed({ action: { kind: 'scale', service: 'web', from: 2, to: 3 }, source: 'hpa', at: 0 }).length, 0);
  const r = v.executed({ action: { kind: 'scale', service: 'web', from: 3, to: 4 }, source: 'hpa', at: 0 });
  assert.equal(r[0].verdict, 'inconclusive');
  const bad = VerificationConfigSchema.safeParse({ windowSeconds: -1 });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0].path, ['windowSeconds']);
  assert.throws(() => new VerificationPlanner({ tolerance: { p99: -1 } }), (e: unknown) => e instanceof UserError && /verification config tolerance\.p99/.test(e.message));
});

test('a verification block in YAML is validated with file, line and field', () => {
  const ok = parseVerificationConfig('windowSeconds: 90\ntolerance:\n  p99: 0.3\nobjectives:\n  web: { p99Ms: 150, errorRate: 0.005 }\n', 'verify.yaml');
  assert.equal(ok.windowSeconds, 90);
  assert.equal(ok.tolerance.p99, 0.3);
  assert.equal(ok.tolerance.errorRate, 0.002);
  assert.throws(() => parseVerificationConfig('windowSeconds: 60\ntolerance:\n  p99s: 0.3\n', 'verify.yaml'), (e: unknown) => e instanceof UserError && /verify\.yaml:3/.test(e.message) && /p99s/.test(e.message));
});
