import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../src/core/action.js';
import type { Outcome, Proposal } from '../src/core/proposal.js';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import { Controller, type DecisionEntry } from '../src/loop/controller.js';
import type { ScalingPolicy } from '../src/plan/scaling/policy.js';

function service(name: string, replicas: number): ServiceTelemetry {
  return {
    name, replicas, readyReplicas: replicas, pendingReplicas: 0, cpuRequestMillis: 500, memoryRequestMiB: 512,
    serviceRatePerReplica: 50, pods: { ready: replicas, unready: 0, missing: 0, cpuUsageMillis: 250 * replicas },
    cpuUtilization: 0.5, memoryUtilization: 0.4, requestRate: 100, servedRate: 100, errorRate: 0,
    latencyP50Ms: 20, latencyP99Ms: 80, queueDepth: 0,
  };
}

function node(name: string): NodeTelemetry {
  return {
    name, instanceType: 'm5.large', spot: false, ready: true, provisioning: false, cpuAllocatableMillis: 2000, memoryAllocatableMiB: 8192,
    cpuRequestedMillis: 1000, memoryRequestedMiB: 4096, pods: 4, pricePerHour: 0.1, readyForSeconds: 3600,
  };
}

const REASON = 'Prometheus unavailable (circuit open after repeated failures); showing the last good snapshot, 42 s old';

function snapshot(degraded?: string): Snapshot {
  return {
    at: 1000,
    services: [service('web', 8), service('api', 4), service('cart', 2)],
    nodes: [node('n1'), node('n2'), node('n3'), node('n4')],
    events: [],
    logs: [],
    costPerHour: 0.4,
    ...(degraded ? { degraded } : {}),
  };
}

/** A planner that proposes a fixed list every tick. */
function fixed(actions: Action[]): ScalingPolicy {
  return {
    name: 'fixed',
    decide: (): Proposal[] => actions.map((action) => ({ action, source: 'test', rationale: `test wants ${action.kind}`, evidence: {}, expectedEffect: '' })),
  };
}

function loop(snap: Snapshot, actions: Action[]) {
  const applied: Action[] = [];
  const journal: DecisionEntry[] = [];
  const controller = new Controller({
    source: { name: 'stub', snapshot: async () => snap },
    provider: { name: 'stub', apply: async (a: Action): Promise<Outcome> => (applied.push(a), { ok: true, message: 'done' }) },
    policies: [fixed(actions)],
    // Node removal and drain are low risk here so that only the degraded guard can stop them.
    guardrails: new Guardrails(GuardrailPolicySchema.parse({ riskTiers: { 'remove-node': 'low', 'cordon-drain': 'low' } })),
    journal: { appendBatch: async (e: DecisionEntry[]) => journal.push(...e) },
    mode: 'auto',
  });
  return { controller, applied, journal };
}

const ACTIONS: Action[] = [
  { kind: 'scale', service: 'web', from: 8, to: 6 },
  { kind: 'scale', service: 'api', from: 4, to: 6 },
  { kind: 'remove-node', node: 'n4' },
  { kind: 'cordon-drain', node: 'n3' },
  { kind: 'restart-pod', service: 'cart' },
];

test('on degraded telemetry the loop refuses scale-down, node removal and drain, journals why, and still scales up and heals', async () => {
  const { controller, applied, journal } = loop(snapshot(REASON), ACTIONS);
  const r = await controller.tick();
  assert.equal(r.degraded, REASON);
  assert.deepEqual(applied.map((a) => a.kind + ('service' in a ? `:${a.service}` : '')), ['scale:api', 'restart-pod:cart']);
  assert.equal(r.denied, 3);
  const denied = journal.filter((e) => e.payload.verdict === 'deny');
  assert.equal(denied.length, 3);
  for (const e of denied) {
    assert.match(e.summary, /denied \(Degraded telemetry: Prometheus unavailable/);
    assert.equal(e.payload.degraded, REASON);
    assert.ok((e.payload.reasons as string[]).some((x) => x.includes('waits for fresh data')));
  }
});

test('the same proposals on fresh telemetry all run', async () => {
  const { controller, applied } = loop(snapshot(), ACTIONS);
  const r = await controller.tick();
  assert.equal(r.degraded, undefined);
  assert.equal(applied.length, ACTIONS.length, JSON.stringify(r.decisions.map((d) => d.verdict.reasons)));
});

test('an approved node removal is refused by the recheck while telemetry is degraded', () => {
  const g = new Guardrails(GuardrailPolicySchema.parse({}));
  const v = g.recheckApproved({ kind: 'remove-node', node: 'n4' }, snapshot(REASON), 1000);
  assert.equal(v.outcome, 'deny');
  assert.match(v.reasons.join(' '), /Degraded telemetry/);
  assert.equal(g.recheckApproved({ kind: 'remove-node', node: 'n4' }, snapshot(), 1000).outcome, 'allow');
});
