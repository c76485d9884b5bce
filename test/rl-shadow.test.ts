import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Guardrails } from '../src/govern/guardrails.js';
import type { DecisionEntry } from '../src/loop/controller.js';
import { buildPlanners, prepareSimulation, runSimulation } from '../src/loop/simulation.js';
import { ShadowCounterfactual } from '../src/loop/shadow-counterfactual.js';
import { ShadowSession, describeShadow } from '../src/loop/shadow-run.js';
import { ACTIONS } from '../src/plan/rl/actions.js';
import { fixedModel } from './support/rl-fixed-model.js';

test('twin fork: same future under the same actions, and independent of the original', () => {
  const a = new TwinCluster({ seed: 7, services: [{ name: 'web', replicas: 4, load: { generator: 'diurnal' } }], nodePools: [{ instanceType: 'm5.xlarge', count: 2 }] });
  a.inject({ kind: 'crash-loop', target: 'web', at: a.time + 1800, duration: 600 });
  a.advance(1000);
  a.snapshotNow();
  const b = a.fork();
  for (const t of [a, b]) {
    t.applyNow({ kind: 'scale', service: 'web', from: 4, to: 9 });
    t.advance(3600);
  }
  assert.deepEqual(b.snapshotNow(), a.snapshotNow());
  assert.deepEqual(b.stats(), a.stats());
  // Acting on the fork leaves the original alone.
  const before = JSON.stringify(a.stats());
  b.applyNow({ kind: 'scale', service: 'web', from: 9, to: 30 });
  b.advance(600);
  assert.equal(JSON.stringify(a.stats()), before);
  assert.equal(a.snapshotNow().services[0].replicas, 9);
  assert.equal(b.snapshotNow().services[0].replicas, 30);
});

test('counterfactual of the active policy itself is what happened (fork + lockstep are exact)', async () => {
  const prepared = prepareSimulation({ policy: 'hpa', days: 0.25, load: { kind: 'generator', name: 'diurnal' }, faults: 'node-crash@2h' });
  const cf = new ShadowCounterfactual({
    windowSeconds: 3600,
    origin: prepared.twin.time,
    planners: buildPlanners('hpa', prepared.guardrailPolicy),
    guardrails: new Guardrails(prepared.guardrailPolicy),
  });
  const report = await runSimulation(prepared, { onTick: async (r) => void (await cf.afterTick(prepared.twin, r)) });
  assert.equal(cf.finish(prepared.twin), null, 'a whole-hour run ends on a window boundary');
  const s = cf.summary();
  assert.equal(s.windows, 6);
  // The actual side covers the run but its first tick (the first fork is taken after it).
  assert.ok(s.actual.costDollars <= report.costDollars && s.actual.costDollars > report.costDollars * 0.98);
  assert.ok(Math.abs(s.actual.sloViolationMinutes - report.sloViolationMinutes) <= 0.1 + 1e-9);
  assert.ok(s.actual.actions > 0);
  // Same planners from the same state: every window's outcome is reproduced exactly (a node crash included).
  for (const w of cf.windows) {
    assert.ok(Math.abs(w.delta.costDollars) < 1e-9 && Math.abs(w.delta.sloViolationMinutes) < 1e-9, JSON.stringify(w));
    assert.equal(w.counterfactual.actions, w.actual.actions);
  }
});

test('shadow rl on a short run: agreement per tick, counterfactual per window, journaled', async () => {
  const prepared = prepareSimulation({ policy: 'autonomic', days: 0.125, load: { kind: 'generator', name: 'diurnal' } });
  // A policy that always keeps the widest headroom: it must disagree with the active policy and cost more.
  const shadow = new ShadowSession(prepared, fixedModel('fit p90 @65%'), 'test model', 1800);
  const entries: DecisionEntry[] = [];
  shadow.attachJournal({ appendBatch: async (es) => void entries.push(...es) }, 'run-1');
  const report = await runSimulation(prepared, { onTick: (r) => shadow.onTick(r) });
  const s = await shadow.finish();

  const services = prepared.twin.serviceNames().length;
  assert.equal(s.agreement.serviceTicks, report.ticks * services);
  assert.ok(s.agreement.decisive > 0 && s.agreement.decisiveAgreementPct < 100);
  assert.ok(s.agreement.agreementPct >= 0 && s.agreement.agreementPct <= 100);
  assert.equal(s.counterfactual.windows, 6);
  assert.ok(s.counterfactual.counterfactual.actions > 0);
  // More replicas never take nodes away nor add SLO minutes (this load fits the same nodes either way).
  assert.ok(s.counterfactual.delta.costDollars >= 0, 'the widest headroom never costs less');
  assert.ok(s.counterfactual.delta.sloViolationMinutes <= 0, 'the widest headroom never violates more');
  const sum = s.counterfactual.actual.costDollars + s.counterfactual.delta.costDollars;
  assert.ok(Math.abs(sum - s.counterfactual.counterfactual.costDollars) < 0.02);

  const kinds = new Set(entries.map((e) => e.kind));
  assert.ok(kinds.has('shadow.agreement') && kinds.has('shadow.counterfactual'));
  const windows = entries.filter((e) => e.kind === 'shadow.counterfactual');
  assert.equal(windows.length, 6);
  for (const e of entries) assert.equal(e.runId, 'run-1');
  const agreements = entries.filter((e) => e.kind === 'shadow.agreement');
  // One entry per tick where either wanted a change, each listing every service.
  assert.ok(agreements.length > 0 && agreements.length <= report.ticks);
  const first = agreements[0].payload.services;
  assert.ok(Array.isArray(first) && first.length === services);
  assert.match(describeShadow(s), /agreement: .* counterfactual|counterfactual/s);
});
