import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../src/core/action.js';
import type { Proposal, Verdict } from '../src/core/proposal.js';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';
import { Guardrails } from '../src/govern/guardrails.js';
import type { GuardrailOptions } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import type { GuardrailPolicyInput } from '../src/govern/policy.js';

function service(name: string, replicas: number): ServiceTelemetry {
  return {
    name, replicas, readyReplicas: replicas, pendingReplicas: 0, cpuRequestMillis: 500, memoryRequestMiB: 512,
    serviceRatePerReplica: 50, pods: { ready: replicas, unready: 0, missing: 0, cpuUsageMillis: 250 * replicas },
    cpuUtilization: 0.5, memoryUtilization: 0.4, requestRate: 100, servedRate: 100, errorRate: 0,
    latencyP50Ms: 20, latencyP99Ms: 80, queueDepth: 0,
  };
}

function node(name: string, instanceType = 'm5.large', pricePerHour = 0.1, spot = false): NodeTelemetry {
  return {
    name, instanceType, spot, ready: true, provisioning: false, cpuAllocatableMillis: 2000, memoryAllocatableMiB: 8192,
    cpuRequestedMillis: 1000, memoryRequestedMiB: 4096, pods: 4, pricePerHour, readyForSeconds: 3600,
  };
}

function snapshot(services: ServiceTelemetry[], nodes: NodeTelemetry[], costPerHour?: number): Snapshot {
  return { at: 1000, services, nodes, events: [], logs: [], costPerHour: costPerHour ?? nodes.reduce((s, n) => s + n.pricePerHour, 0) };
}

const proposal = (action: Action): Proposal => ({ action, source: 'test', rationale: 'because', evidence: {}, expectedEffect: 'better' });

function guard(policy: GuardrailPolicyInput = {}, options?: GuardrailOptions): Guardrails {
  return new Guardrails(GuardrailPolicySchema.parse(policy), options);
}

const scale = (service: string, from: number, to: number): Action => ({ kind: 'scale', service, from, to });
const fourNodes = [node('n1'), node('n2'), node('n3'), node('n4')];

function expect(v: Verdict, outcome: Verdict['outcome'], reason?: RegExp): void {
  assert.equal(v.outcome, outcome, `reasons: ${v.reasons.join(' | ')}`);
  if (reason) assert.ok(v.reasons.some((r) => reason.test(r)), `no reason matches ${reason}: ${v.reasons.join(' | ')}`);
}

test('a scale within every bound is allowed unchanged', () => {
  const g = guard({ services: { web: { minReplicas: 2, maxReplicas: 20 } } });
  const v = g.check(proposal(scale('web', 4, 6)), snapshot([service('web', 4)], fourNodes), 0);
  expect(v, 'allow');
  assert.deepEqual(v.action, scale('web', 4, 6));
  assert.deepEqual(v.reasons, []);
});

test('replica bounds clamp the target into [min, max]; unlisted services use "*"', () => {
  const g = guard({ services: { '*': { minReplicas: 1, maxReplicas: 8 }, web: { minReplicas: 3, maxReplicas: 12 } } });
  const snap = snapshot([service('web', 10), service('api', 6)], fourNodes);
  let v = g.check(proposal(scale('web', 10, 14)), snap, 0);
  expect(v, 'clamp', /Replica bounds: web may run 3–12 replicas, so the target 14 was clamped to 12/);
  assert.deepEqual(v.action, scale('web', 10, 12));
  v = g.check(proposal(scale('web', 10, 1)), snap, 0);
  // 10→3 is also beyond the blast radius (max(4, 5) = 5), so the target ends at 5.
  expect(v, 'clamp', /clamped to 3/);
  assert.deepEqual(v.action, scale('web', 10, 5));
  v = g.check(proposal(scale('api', 6, 9)), snap, 0);
  expect(v, 'clamp', /api may run 1–8/);
  assert.deepEqual(v.action, scale('api', 6, 8));
});

test('a service already at a bound cannot be pushed past it', () => {
  const g = guard({ services: { web: { minReplicas: 2, maxReplicas: 6 } } });
  const snap = snapshot([service('web', 6)], fourNodes);
  expect(g.check(proposal(scale('web', 6, 9)), snap, 0), 'deny', /web has 6 replicas and may run 2–6, so it cannot scale up/);
  expect(g.check(proposal(scale('web', 6, 6)), snap, 0), 'deny', /Nothing to do/);
});

test('blast radius limits one change to a share of current replicas, but small services can still move', () => {
  const g = guard({ blastRadius: { maxReplicaChangeShare: 0.5, minAbsoluteChange: 4 }, services: { '*': { minReplicas: 0, maxReplicas: 1000 } } });
  const snap = snapshot([service('big', 40), service('tiny', 1), service('zero', 0)], fourNodes);
  let v = g.check(proposal(scale('big', 40, 100)), snap, 0);
  expect(v, 'clamp', /Blast radius: one action may change big by at most 20 replicas/);
  assert.deepEqual(v.action, scale('big', 40, 60));
  v = g.check(proposal(scale('big', 40, 5)), snap, 0);
  assert.deepEqual(v.action, scale('big', 40, 20));
  expect(g.check(proposal(scale('tiny', 1, 2)), snap, 0), 'allow'); // +100 %, but within the absolute floor
  v = g.check(proposal(scale('tiny', 1, 30)), snap, 0);
  assert.deepEqual(v.action, scale('tiny', 1, 5));
  v = g.check(proposal(scale('zero', 0, 10)), snap, 0);
  assert.deepEqual(v.action, scale('zero', 0, 4));
});

test('a stale `from` is corrected to the snapshot and the change computed from there', () => {
  const g = guard();
  const v = g.check(proposal(scale('web', 3, 7)), snapshot([service('web', 5)], fourNodes), 0);
  expect(v, 'clamp', /assumed web has 3 replicas but it has 5/);
  assert.deepEqual(v.action, scale('web', 5, 7));
});

test('a service outside its bounds is moved back one blast-radius step; moving it further out is denied', () => {
  const g = guard({ services: { web: { minReplicas: 1, maxReplicas: 100 } }, blastRadius: { maxReplicaChangeShare: 0.5, minAbsoluteChange: 4 } });
  const snap = snapshot([service('web', 400)], fourNodes);
  const v = g.check(proposal(scale('web', 400, 300)), snap, 0);
  expect(v, 'clamp', /outside 1–100; it is moved back toward them/);
  assert.deepEqual(v.action, scale('web', 400, 200));
  expect(g.check(proposal(scale('web', 400, 410)), snap, 0), 'deny', /outside its bounds of 1–100; scaling up would move it further out/);
});

test('a proposal that bounds and blast radius both reach exactly is allowed as it stands, not reported as clamped', () => {
  // Found by the property test: 82 replicas, bounds 0–0, a share of 31/82. The bound pulls the target to
  // 0, the blast radius steps it back to 82 − 31 = 51, which is the proposal itself.
  const g = guard({ services: { web: { minReplicas: 0, maxReplicas: 0 } }, blastRadius: { maxReplicaChangeShare: 31 / 82, minAbsoluteChange: 1 } });
  const v = g.check(proposal(scale('web', 82, 51)), snapshot([service('web', 82)], fourNodes), 0);
  expect(v, 'allow');
  assert.deepEqual(v.action, scale('web', 82, 51));
  const further = g.check(proposal(scale('web', 82, 40)), snapshot([service('web', 82)], fourNodes), 0);
  expect(further, 'clamp', /target became 51/);
});

test('executed scales update the replicas later proposals are checked against', () => {
  const g = guard({ blastRadius: { maxReplicaChangeShare: 0.5, minAbsoluteChange: 1 } });
  const snap = snapshot([service('web', 10)], fourNodes);
  const first = g.check(proposal(scale('web', 10, 15)), snap, 0);
  expect(first, 'allow');
  g.recordExecuted(first.action, 0);
  const second = g.check(proposal(scale('web', 10, 40)), snap, 1);
  assert.deepEqual(second.action, scale('web', 15, 22)); // from the executed 15, ±floor(7.5)
});

test('the rate limit counts executed actions per resource over a sliding window', () => {
  const g = guard({ rateLimits: { maxActionsPerWindow: 3, windowSeconds: 600 } });
  const snap = snapshot([service('web', 10), service('api', 10)], fourNodes);
  const restart: Action = { kind: 'restart-pod', service: 'web' };
  for (const t of [0, 100, 200]) {
    expect(g.check(proposal(restart), snap, t), 'allow');
    g.recordExecuted(restart, t);
  }
  expect(g.check(proposal(restart), snap, 599), 'deny', /Rate limit: service\/web already had 3 actions executed in the last 600 s/);
  // Same resource through another kind of action is counted too; another service is not.
  expect(g.check(proposal(scale('web', 10, 11)), snap, 599), 'deny', /Rate limit/);
  expect(g.check(proposal(scale('api', 10, 11)), snap, 599), 'allow');
  // Checked-but-not-executed actions do not count; at t=600 the action from t=0 has left the window.
  expect(g.check(proposal(restart), snap, 600), 'allow');
  g.recordExecuted(restart, 600);
  expect(g.check(proposal(restart), snap, 650), 'deny', /Rate limit/);
  assert.equal(g.recentActions('service/web', 799), 2); // 200 and 600
  assert.equal(g.recentActions('service/web', 801), 1); // 600 only
});

test('max nodes clamps add-nodes, counting nodes added since the snapshot, and denies when full', () => {
  const g = guard({ cluster: { maxNodes: 7 } });
  const snap = snapshot([], fourNodes);
  const add = (count: number): Action => ({ kind: 'add-nodes', instanceType: 'm5.large', count, spot: false });
  let v = g.check(proposal(add(5)), snap, 0);
  expect(v, 'clamp', /Max nodes: the cluster has 4 of at most 7 nodes, so 5 new nodes were clamped to 3/);
  assert.deepEqual(v.action, add(3));
  g.recordExecuted(add(2), 0);
  v = g.check(proposal({ kind: 'add-nodes', instanceType: 'c5.large', count: 4, spot: false }), snap, 1);
  assert.equal(v.action.kind === 'add-nodes' && v.action.count, 1);
  g.recordExecuted(v.action, 1);
  expect(g.check(proposal(add(1)), snap, 2), 'deny', /Max nodes: the cluster has 7 nodes .* limit is 7/);
  // A fresh snapshot starts from what it shows.
  expect(g.check(proposal(add(1)), snapshot([], fourNodes), 3), 'allow');
});

test('min nodes denies removing or draining below the minimum; drain-then-remove counts once', () => {
  const g = guard({ cluster: { minNodes: 3 }, riskTiers: { 'remove-node': 'low', 'cordon-drain': 'low' } });
  const snap = snapshot([], fourNodes);
  const drain = g.check(proposal({ kind: 'cordon-drain', node: 'n1' }), snap, 0);
  expect(drain, 'allow');
  g.recordExecuted(drain.action, 0);
  expect(g.check(proposal({ kind: 'remove-node', node: 'n1' }), snap, 1), 'allow');
  expect(g.check(proposal({ kind: 'remove-node', node: 'n2' }), snap, 1), 'deny', /Min nodes: removing n2 would leave 2 nodes in service, below the minimum of 3/);
  expect(g.check(proposal({ kind: 'cordon-drain', node: 'n3' }), snap, 1), 'deny', /Min nodes: draining n3/);
  expect(g.check(proposal({ kind: 'remove-node', node: 'n9' }), snap, 1), 'deny', /Unknown node: n9/);
});

test('the cost cap clamps add-nodes to what fits and denies when nothing does', () => {
  const g = guard({ cluster: { maxCostPerHour: 10 } });
  const snap = snapshot([], [node('n1', 'm5.large', 1), node('n2', 'm5.large', 1)], 6.5);
  const add = (count: number, instanceType = 'm5.large'): Action => ({ kind: 'add-nodes', instanceType, count, spot: false });
  // Price from the snapshot's m5.large nodes: $1/h, $3.50/h of room → 3 nodes.
  let v = g.check(proposal(add(5)), snap, 0);
  expect(v, 'clamp', /Cost cap: the cluster spends \$6\.50\/h and the cap is \$10\.00\/h; at \$1\.00\/h each, only 3 of 5/);
  assert.deepEqual(v.action, add(3));
  g.recordExecuted(add(3), 0);
  expect(g.check(proposal(add(1)), snap, 1), 'deny', /Cost cap: the cluster spends \$9\.50\/h; one more m5.large at \$1\.00\/h would exceed/);
  // No price known for a type the cluster does not run and no lookup given.
  expect(g.check(proposal(add(1, 'x9.huge')), snap, 1), 'deny', /no price is known for x9.huge/);
});

test('an explicit price lookup is used before snapshot prices', () => {
  const g = guard({ cluster: { maxCostPerHour: 10 } }, { priceOf: (t, spot) => (t === 'm5.large' ? (spot ? 0.5 : 2) : undefined) });
  const snap = snapshot([], [node('n1', 'm5.large', 1)], 4);
  let v = g.check(proposal({ kind: 'add-nodes', instanceType: 'm5.large', count: 5, spot: false }), snap, 0);
  assert.deepEqual(v.action, { kind: 'add-nodes', instanceType: 'm5.large', count: 3, spot: false });
  v = g.check(proposal({ kind: 'add-nodes', instanceType: 'm5.large', count: 5, spot: true }), snap, 0);
  expect(v, 'allow'); // 4 + 5 × 0.5 = 6.5 ≤ 10
});

test('disallowed instance types and spot are denied', () => {
  const g = guard({ cluster: { allowedInstanceTypes: ['m5.large', 'm5.xlarge'], allowSpot: false } });
  const snap = snapshot([], fourNodes);
  expect(g.check(proposal({ kind: 'add-nodes', instanceType: 'p4d.24xlarge', count: 1, spot: false }), snap, 0), 'deny', /p4d.24xlarge is not in the policy's allowed list \(m5.large, m5.xlarge\)/);
  expect(g.check(proposal({ kind: 'add-nodes', instanceType: 'm5.large', count: 1, spot: true }), snap, 0), 'deny', /Spot: the policy does not allow spot/);
  expect(g.check(proposal({ kind: 'add-nodes', instanceType: 'm5.xlarge', count: 1, spot: false }), snap, 0), 'allow');
});

test('actions on a service missing from the snapshot are denied', () => {
  const g = guard();
  const snap = snapshot([service('web', 3)], fourNodes);
  for (const a of [scale('ghost', 3, 4), { kind: 'restart-pod', service: 'ghost' } as const, { kind: 'rollback', service: 'ghost' } as const]) {
    const v = g.check(proposal(a), snap, 0);
    expect(v, 'deny', /Unknown service: ghost is not in the current snapshot/);
    assert.deepEqual(v.action, a);
  }
});

test('high-tier actions need approval, carrying the clamped action; denial still wins', () => {
  const g = guard({ riskTiers: { scale: 'high' }, services: { web: { maxReplicas: 8 } } });
  const snap = snapshot([service('web', 6)], fourNodes);
  const v = g.check(proposal(scale('web', 6, 20)), snap, 0);
  expect(v, 'needs-approval', /Risk tier: "scale" is high-risk/);
  assert.deepEqual(v.action, scale('web', 6, 8));
  assert.ok(v.reasons.some((r) => /clamped to 8/.test(r)));
  expect(g.check(proposal({ kind: 'remove-node', node: 'n1' }), snap, 0), 'needs-approval', /remove-node/); // default tier
  expect(g.check(proposal({ kind: 'restart-pod', service: 'web' }), snap, 0), 'allow'); // default tier low
  expect(g.check(proposal({ kind: 'remove-node', node: 'nope' }), snap, 0), 'deny', /Unknown node/);
  // An approved action is rechecked against the bounds only.
  expect(g.recheckApproved(scale('web', 6, 8), snap, 0), 'allow');
  expect(g.recheckApproved(scale('web', 6, 12), snap, 0), 'clamp', /clamped to 8/);
});

test('check stays O(1) per proposal at 10,000 nodes and 2,000 services', () => {
  const services = Array.from({ length: 2000 }, (_, i) => service(`svc-${i}`, 10));
  const nodes = Array.from({ length: 10_000 }, (_, i) => node(`n-${i}`));
  const snap = snapshot(services, nodes);
  const g = guard({ cluster: { maxNodes: 20_000, minNodes: 1 } });
  const n = 20_000;
  const started = performance.now();
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    const a: Action = i % 2 === 0 ? scale(`svc-${i % 2000}`, 10, 12) : { kind: 'remove-node', node: `n-${i % 10_000}` };
    if (g.check(proposal(a), snap, i).outcome !== 'deny') allowed++;
  }
  const ms = performance.now() - started;
  assert.equal(allowed, n);
  // Rebuilding a lookup per proposal would cost ~10^4 × 2·10^4 operations (many seconds); the bound is loose for shared CI cores.
  assert.ok(ms < 2000, `20,000 checks took ${ms.toFixed(0)} ms`);
});
