import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterAutoscalerPolicy, firstFitDecreasing, type ClusterAutoscalerConfigInput } from '../src/plan/scaling/cluster-autoscaler.js';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';
import type { Proposal } from '../src/core/proposal.js';

// Node type used throughout: 2000m CPU, 8000 MiB allocatable.
const NODE = { instanceType: 'm5.large', cpuAllocatableMillis: 2000, memoryAllocatableMiB: 8000 };

function svc(name: string, pending: number, cpu: number, mem: number): ServiceTelemetry {
  return {
    name,
    replicas: pending,
    readyReplicas: 0,
    pendingReplicas: pending,
    cpuRequestMillis: cpu,
    memoryRequestMiB: mem,
    serviceRatePerReplica: 10,
    pods: { ready: 0, unready: pending, missing: 0, cpuUsageMillis: 0 },
    cpuUtilization: 0,
    memoryUtilization: 0,
    requestRate: 0,
    servedRate: 0,
    errorRate: 0,
    latencyP50Ms: 1,
    latencyP99Ms: 1,
    queueDepth: 0,
  };
}

function node(name: string, cpuReq: number, memReq: number, pods: number, over: Partial<NodeTelemetry> = {}): NodeTelemetry {
  return {
    name,
    instanceType: NODE.instanceType,
    spot: false,
    ready: true,
    provisioning: false,
    cpuAllocatableMillis: NODE.cpuAllocatableMillis,
    memoryAllocatableMiB: NODE.memoryAllocatableMiB,
    cpuRequestedMillis: cpuReq,
    memoryRequestedMiB: memReq,
    pods,
    pricePerHour: 0.1,
    readyForSeconds: 3600,
    ...over,
  };
}

const provisioningNode = (name: string, over: Partial<NodeTelemetry> = {}): NodeTelemetry =>
  node(name, 0, 0, 0, { ready: false, provisioning: true, readyForSeconds: 0, ...over });

const snap = (at: number, services: ServiceTelemetry[], nodes: NodeTelemetry[]): Snapshot => ({ at, services, nodes, events: [], logs: [], costPerHour: 0 });

const policy = (over: Partial<ClusterAutoscalerConfigInput> = {}) => new ClusterAutoscalerPolicy({ node: NODE, ...over });

function only(out: Proposal[]): Proposal {
  assert.equal(out.length, 1);
  return out[0];
}

function addCount(p: Proposal): number {
  assert.equal(p.action.kind, 'add-nodes');
  return p.action.kind === 'add-nodes' ? p.action.count : -1;
}

// ---- scale-up ----

test('pending pods → add-nodes with a first-fit-decreasing count', () => {
  // api 3×1500m and web 5×500m. Largest first: each api pod opens a node (1500m of 2000m), leaving 500m each,
  // which takes one web pod apiece; the last 2 web pods (1000m) open a fourth node. 7000m total also needs
  // at least ceil(7000/2000) = 4 nodes, so 4 is optimal here.
  const out = policy().decide({ now: 0, snapshot: snap(0, [svc('web', 5, 500, 1024), svc('api', 3, 1500, 512)], [node('n1', 1900, 1000, 4)]) });
  const p = only(out);
  assert.deepEqual(p.action, { kind: 'add-nodes', instanceType: 'm5.large', count: 4, spot: false });
  assert.equal(p.source, 'cluster-autoscaler');
  assert.equal(p.evidence.pendingPods, 8);
  assert.equal(p.evidence.estimatedNodes, 4);
  assert.match(p.rationale, /8 pending pods .* need 4 more m5\.large nodes by first-fit/);
});

test('memory can be the binding resource', () => {
  // 6 pods × 100m / 3000 MiB: CPU would fit 20 per node, memory only 2 (8000/3000) → 3 nodes.
  const out = policy().decide({ now: 0, snapshot: snap(0, [svc('cache', 6, 100, 3000)], []) });
  assert.equal(addCount(only(out)), 3);
});

test('the pod limit can be the binding resource: small pods fill the slots before CPU or memory', () => {
  // 60 pods × 10m / 16 MiB: CPU would fit 200 per node, but an m5.large takes 29 pods (the catalogue's ENI limit) → 3 nodes.
  assert.equal(addCount(only(policy().decide({ now: 0, snapshot: snap(0, [svc('tiny', 60, 10, 16)], []) }))), 3);
  // A configured limit wins over the catalogue's.
  assert.equal(addCount(only(policy({ node: { ...NODE, maxPods: 110 } }).decide({ now: 0, snapshot: snap(0, [svc('tiny', 60, 10, 16)], []) }))), 1);
  // A provisioning node that reports its pod limit absorbs only what fits under it.
  const full = provisioningNode('n2', { podsAllocatable: 29, pods: 0 });
  assert.equal(addCount(only(policy().decide({ now: 0, snapshot: snap(0, [svc('tiny', 60, 10, 16)], [full]) }))), 2);
});

test('capacity of nodes still provisioning is subtracted first', () => {
  // 5 web pods × 500m: a provisioning 2000m node will take 4 of them, so only 1 more node is needed.
  const out = policy().decide({ now: 0, snapshot: snap(0, [svc('web', 5, 500, 1024)], [node('n1', 1900, 1000, 4), provisioningNode('n2')]) });
  const p = only(out);
  assert.equal(addCount(p), 1);
  assert.equal(p.evidence.absorbedByProvisioning, 4);
  assert.equal(p.evidence.provisioningNodes, 1);
  // Two provisioning nodes absorb all 5 (4 + 1): nothing to add while waiting.
  assert.deepEqual(policy().decide({ now: 0, snapshot: snap(0, [svc('web', 5, 500, 1024)], [provisioningNode('n2'), provisioningNode('n3')]) }), []);
});

test('a provisioning node that reports no allocatable yet counts at the catalogue size', () => {
  const out = policy().decide({
    now: 0,
    snapshot: snap(0, [svc('web', 5, 500, 1024)], [provisioningNode('n2', { cpuAllocatableMillis: 0, memoryAllocatableMiB: 0 })]),
  });
  assert.equal(addCount(only(out)), 1);
});

test('maxNodes caps the count, counting provisioning nodes, and stops scale-up at the limit', () => {
  // 4 pods × 1500m: one per node. The provisioning node takes 1, so 3 new nodes are needed; 2 nodes exist
  // (one ready, one provisioning) and maxNodes is 4 → only 2 may be added.
  const nodes = [node('n1', 1900, 1000, 4), provisioningNode('n2')];
  const p = only(policy({ maxNodes: 4 }).decide({ now: 0, snapshot: snap(0, [svc('api', 4, 1500, 512)], nodes) }));
  assert.equal(addCount(p), 2);
  assert.equal(p.evidence.estimatedNodes, 3);
  assert.equal(p.evidence.cappedByMaxNodes, true);
  assert.match(p.rationale, /capped at 2 by maxNodes 4/);
  assert.deepEqual(policy({ maxNodes: 2 }).decide({ now: 0, snapshot: snap(0, [svc('api', 4, 1500, 512)], nodes) }), []);
});

test('pods larger than a node cannot be helped and add nothing', () => {
  const r = firstFitDecreasing([{ cpuMillis: 3000, memoryMiB: 10 }, { cpuMillis: 500, memoryMiB: 10 }], [], { cpuMillis: 2000, memoryMiB: 8000 });
  assert.deepEqual(r, { newNodes: 1, placedInExisting: 0, unfittable: 1 });
});

// ---- scale-down ----

/** n1 20% used with 2 pods of 200m; n2 and n3 at 60% (800m free each). */
const quietCluster = (n1cpu = 400): NodeTelemetry[] => [node('n1', n1cpu, 1000, 2), node('n2', 1200, 2000, 6), node('n3', 1200, 2000, 6)];

test('a node underutilised for less than 10 minutes is kept; at 10 minutes it is removed', () => {
  const ca = policy();
  assert.deepEqual(ca.decide({ now: 0, snapshot: snap(0, [], quietCluster()) }), []);
  assert.deepEqual(ca.decide({ now: 599, snapshot: snap(599, [], quietCluster()) }), []);
  assert.equal(ca.unneededFor('n1', 599), 599);
  const p = only(ca.decide({ now: 600, snapshot: snap(600, [], quietCluster()) }));
  assert.deepEqual(p.action, { kind: 'remove-node', node: 'n1' });
  assert.equal(p.evidence.utilization, 0.2); // max(400/2000, 1000/8000)
  assert.equal(p.evidence.unneededSeconds, 600);
  assert.match(p.rationale, /node n1 has had 20% of its allocatable requested .* for 10 min, below the 50% threshold, and its 2 pods fit on the other nodes/);
});

test('the unneeded timer restarts when the node is busy again', () => {
  const ca = policy();
  ca.decide({ now: 0, snapshot: snap(0, [], quietCluster()) });
  // At 300 s n1 is at 60%: no longer unneeded.
  ca.decide({ now: 300, snapshot: snap(300, [], quietCluster(1200)) });
  assert.equal(ca.unneededFor('n1', 300), undefined);
  ca.decide({ now: 310, snapshot: snap(310, [], quietCluster()) });
  // 600 s after the first sighting, but only 290 s continuously → kept.
  assert.deepEqual(ca.decide({ now: 600, snapshot: snap(600, [], quietCluster()) }), []);
  assert.equal(only(ca.decide({ now: 910, snapshot: snap(910, [], quietCluster()) })).action.kind, 'remove-node');
});

test('an underutilised node whose pods do not fit elsewhere is never removed', () => {
  // n1: 40% with one 800m pod; n2, n3 at 90% (200m free each): the pod fits nowhere.
  const nodes = [node('n1', 800, 1000, 1), node('n2', 1800, 2000, 6), node('n3', 1800, 2000, 6)];
  const ca = policy();
  for (const t of [0, 600, 1200]) assert.deepEqual(ca.decide({ now: t, snapshot: snap(t, [], nodes) }), []);
  assert.equal(ca.unneededFor('n1', 1200), undefined);
});

test('at most one removal per tick, the emptiest first', () => {
  // n1 10%, n2 0% (empty), n3 70%: both n1 and n2 are unneeded; n2 goes first.
  const nodes = [node('n1', 200, 800, 1), node('n2', 0, 0, 0), node('n3', 1400, 2000, 6)];
  const ca = policy();
  ca.decide({ now: 0, snapshot: snap(0, [], nodes) });
  const p = only(ca.decide({ now: 600, snapshot: snap(600, [], nodes) }));
  assert.deepEqual(p.action, { kind: 'remove-node', node: 'n2' });
  assert.equal(p.evidence.candidates, 2);
});

test('no scale-down within 10 minutes of a scale-up, nor below minNodes', () => {
  const ca = policy();
  ca.decide({ now: 0, snapshot: snap(0, [], quietCluster()) });
  // A scale-up at 300 s (pending pods) starts the scale-down delay.
  const up = ca.decide({ now: 300, snapshot: snap(300, [svc('web', 4, 1500, 512)], quietCluster()) });
  assert.deepEqual(up.map((p) => p.action.kind), ['add-nodes']);
  // 600 s: n1 unneeded long enough, but only 300 s since the scale-up.
  assert.deepEqual(ca.decide({ now: 600, snapshot: snap(600, [], quietCluster()) }), []);
  assert.equal(only(ca.decide({ now: 900, snapshot: snap(900, [], quietCluster()) })).action.kind, 'remove-node');

  const floor = policy({ minNodes: 3 });
  floor.decide({ now: 0, snapshot: snap(0, [], quietCluster()) });
  assert.deepEqual(floor.decide({ now: 600, snapshot: snap(600, [], quietCluster()) }), []);
});

test('config defaults follow cluster-autoscaler', () => {
  const c = policy().config;
  assert.equal(c.scaleDownUtilizationThreshold, 0.5);
  assert.equal(c.scaleDownUnneededTimeSeconds, 600);
  assert.equal(c.scaleDownDelayAfterAddSeconds, 600);
  assert.throws(() => policy({ minNodes: 5, maxNodes: 2 }));
});
