/**
 * Post-action verification wired into the simulation loop: the autonomic planners verify every executed action
 * against the SLO objectives (the scenario's, or the guardrail policy's `verification:` section) and undo, through
 * the guardrails, a scale-in that made a service worse. The twin is real; what counts as worse comes only from the
 * objectives given, so the same run with the scenario's objectives keeps those scale-ins.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlanners, prepareSimulation, runSimulation } from '../src/loop/simulation.js';
import type { DecisionEntry } from '../src/loop/controller.js';
import { openStore } from '../src/knowledge/store.js';
import { defaultPolicy, loadPolicyFile, parsePolicy } from '../src/govern/policy.js';
import { VerificationPlanner } from '../src/plan/verification/verification-planner.js';
import { UserError } from '../src/core/errors.js';
import type { Action } from '../src/core/action.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { scenarioTwin } from '../src/loop/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-verify-loop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A simulation of the shop (autonomic planners, diurnal load) with every journal entry kept. */
async function simulate(policyYaml: string | null, hours: number) {
  let policyFile: string | null = null;
  if (policyYaml !== null) {
    policyFile = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(policyFile, policyYaml);
  }
  const prepared = prepareSimulation({ policy: 'autonomic', days: hours / 24, seed: 1, load: { kind: 'generator', name: 'diurnal' }, policyFile });
  const store = await openStore(':memory:');
  try {
    const report = await runSimulation(prepared, { store, runId: 'verify' });
    const entries = (await store.journal.list({ runId: 'verify', limit: 100_000 })) as unknown as DecisionEntry[];
    return { report, entries };
  } finally {
    await store.close();
  }
}

const isScaleIn = (a: Action): boolean => a.kind === 'scale' && a.to < a.from;

test('a scale-in that breaks the policy\'s p99 objective is verified worse and undone through the guardrails', async () => {
  // The policy asks api for a p99 of 20 ms: tighter than its nominal service time allows, so a scale-in that raises
  // its p99 beyond tolerance is "worse" by this policy's standard.
  const tight = await simulate('verification:\n  objectives:\n    api: { p99Ms: 20, errorRate: 0.001 }\n', 2);
  const verdicts = tight.entries.filter((e) => e.kind === 'action-verification');
  assert.ok(verdicts.length > 0, 'executed actions are verified');
  const undone = verdicts.filter((e) => e.payload.verdict === 'worse' && isScaleIn(e.payload.action as Action) && e.payload.rolledBack === true);
  assert.ok(undone.length >= 1, verdicts.map((e) => e.summary).join('\n'));
  const v = undone[0];
  const action = v.payload.action as Extract<Action, { kind: 'scale' }>;
  assert.equal(action.service, 'api');
  assert.equal(v.payload.source, 'predictive');
  const before = (v.payload.baseline as Record<string, { p99Ms: number }>).api.p99Ms;
  const afterP99 = (v.payload.observed as Record<string, { p99Ms: number }>).api.p99Ms;
  assert.ok(afterP99 > before * 1.2 && afterP99 > 20, `api p99 ${before} → ${afterP99} ms`);
  assert.match(v.summary, /objective 20 ms/);
  // The undo is a decision of its own, through the guardrails, back to the replicas before the scale-in.
  const undo = tight.entries.filter((e) => e.kind === 'decision' && e.actor === 'verification/undo');
  assert.ok(undo.length >= undone.length, undo.map((e) => e.summary).join('\n'));
  const first = undo.find((e) => e.at >= v.at - 15);
  assert.ok(first);
  assert.match(first.summary, new RegExp(`Undo of scale api ${action.from}→${action.to} \\(by predictive\\).* → scale api ${action.to}→${action.from} executed`));
  assert.equal(tight.report.verification.undone, undone.length);
  assert.ok(tight.report.verification.worse >= undone.length);

  // Same run with the scenario's objectives (api: 150 ms): those scale-ins are within the SLO and stay.
  const scenario = await simulate(null, 2);
  const kept = scenario.entries.filter((e) => e.kind === 'action-verification' && (e.payload.action as Action).kind === 'scale' && (e.payload.action as { service: string }).service === 'api' && isScaleIn(e.payload.action as Action));
  assert.ok(kept.length >= 1, 'predictive scaled api in with the scenario objectives too');
  assert.ok(kept.every((e) => e.payload.rolledBack === false), kept.map((e) => e.summary).join('\n'));
  assert.equal(scenario.entries.filter((e) => e.actor === 'verification/undo').length, 0);
});

test('the autonomic planners verify first, then heal, roll out, scale; the policy section replaces the scenario objectives only when given', () => {
  const twin = new TwinCluster(scenarioTwin({ kind: 'generator', name: 'steady' }, 1));
  const names = (p: ReturnType<typeof buildPlanners>): string[] => p.policies.map((x) => x.name);
  const auto = buildPlanners('autonomic', defaultPolicy(), undefined, twin.rollouts);
  assert.deepEqual(names(auto), ['verification', 'remediation', 'rollout', 'predictive', 'cluster-autoscaler']);
  assert.ok(auto.rollout);
  const v = auto.policies[0];
  assert.ok(v instanceof VerificationPlanner);
  assert.deepEqual(v.verifier.config.objectives.api, { p99Ms: 150, errorRate: 0.001 });
  assert.deepEqual(v.verifier.config.objectives.checkout, { p99Ms: 400, errorRate: 0.001 });
  // Baselines never verify, but can roll out (a deployment is not a scaling decision); without revision telemetry nobody does.
  assert.deepEqual(names(buildPlanners('hpa', defaultPolicy(), undefined, twin.rollouts)), ['rollout', 'hpa', 'cluster-autoscaler']);
  assert.deepEqual(names(buildPlanners('autonomic', defaultPolicy())), ['verification', 'remediation', 'predictive', 'cluster-autoscaler']);

  const own = parsePolicy('verification:\n  windowSeconds: 90\n  objectives:\n    "*": { p99Ms: 300, errorRate: 0.02 }\n', 'p.yaml');
  const mine = buildPlanners('autonomic', own).policies[0];
  assert.ok(mine instanceof VerificationPlanner);
  assert.equal(mine.verifier.config.windowSeconds, 90);
  assert.deepEqual(mine.verifier.config.objectives, { '*': { p99Ms: 300, errorRate: 0.02 } });
  // Settings without objectives keep the scenario's.
  const settingsOnly = buildPlanners('autonomic', parsePolicy('verification:\n  holdSeconds: 60\n', 'p.yaml')).policies[0];
  assert.ok(settingsOnly instanceof VerificationPlanner);
  assert.equal(settingsOnly.verifier.config.holdSeconds, 60);
  assert.deepEqual(settingsOnly.verifier.config.objectives.web, { p99Ms: 200, errorRate: 0.001 });
  // Absent section: nothing in the parsed policy (an empty file still equals the built-in defaults).
  assert.equal(defaultPolicy().verification, undefined);
  assert.deepEqual(parsePolicy('', 'p.yaml'), defaultPolicy());
});

test('a bad verification section names the file, line and field', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'rateLimits:\n  windowSeconds: 600\nverification:\n  tolerance:\n    p99s: 0.3\n');
  assert.throws(() => loadPolicyFile(file), (e: unknown) => e instanceof UserError && e.message.startsWith(`${file}:5:`) && /verification\.tolerance/.test(e.message) && /p99s/.test(e.message));
  writeFileSync(file, 'verification:\n  windowSeconds: -60\n');
  assert.throws(() => loadPolicyFile(file), (e: unknown) => e instanceof UserError && e.message.startsWith(`${file}:2:18: verification.windowSeconds:`));
  writeFileSync(file, 'verification:\n  objectives:\n    web: { p99Ms: 0, errorRate: 0.01 }\n');
  assert.throws(() => loadPolicyFile(file), (e: unknown) => e instanceof UserError && /verification\.objectives\.web\.p99Ms/.test(e.message));
});
