import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initNeuralForecasting } from '../src/analyze/forecast/neural-common.js';
import type { Action } from '../src/core/action.js';
import type { Proposal } from '../src/core/proposal.js';
import { Rng } from '../src/core/rng.js';
import type { NodeTelemetry, Snapshot } from '../src/core/snapshot.js';
import { CATALOGUE } from '../src/execute/twin/catalogue.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import type { PlanContext } from '../src/plan/scaling/policy.js';
import { ACTIONS } from '../src/plan/rl/actions.js';
import { TwinVecEnv, type LoadSeries } from '../src/plan/rl/env.js';
import { ActorCritic, argmax, forward } from '../src/plan/rl/network.js';
import { NODE_HEADROOM, NODE_SCALE_DOWN_STABILISATION_SECONDS, NodePoolActuator, nodeActionAllowed, nodeActions, type NodeAct } from '../src/plan/rl/node-actions.js';
import { RlPolicy } from '../src/plan/rl/policy.js';
import { trainPpo } from '../src/plan/rl/trainer.js';
import { episodeSeed, type VecEnv } from '../src/plan/rl/vec-env.js';
import { FixedPolicy, fixedModel } from './support/rl-fixed-model.js';

// ---------------------------------------------------------------- helpers

const index = (acts: readonly NodeAct[], label: string): number => {
  const i = acts.findIndex((a) => a.label === label);
  assert.ok(i >= 0, `no node action '${label}' (have ${acts.map((a) => a.label).join(', ')})`);
  return i;
};

/** Pods of one shape a node of `type` holds when empty (by CPU and memory requests, and its pod limit). */
function slotsPerNode(type: string, cpuMillis: number, memoryMiB: number): number {
  const t = CATALOGUE.get(type);
  assert.ok(t, `unknown type ${type}`);
  return Math.min(Math.floor(t.cpuAllocatableMillis / cpuMillis), Math.floor(t.memoryAllocatableMiB / memoryMiB), t.maxPods);
}

/** Pods of one shape that still fit on the nodes of a snapshot (free allocatable, per node). */
function freeSlots(nodes: readonly NodeTelemetry[], cpuMillis: number, memoryMiB: number): number {
  return nodes.reduce((s, n) => s + Math.floor(Math.min((n.cpuAllocatableMillis - n.cpuRequestedMillis) / cpuMillis, (n.memoryAllocatableMiB - n.memoryRequestedMiB) / memoryMiB)), 0);
}

/** The fewest new nodes of `type` that, with the room left on the existing nodes, hold `pods` more pods. */
function minimalNewNodes(snap: Snapshot, pods: number, type: string): number {
  const s = snap.services[0];
  const left = pods - freeSlots(snap.nodes, s.cpuRequestMillis, s.memoryRequestMiB);
  return left <= 0 ? 0 : Math.ceil(left / slotsPerNode(type, s.cpuRequestMillis, s.memoryRequestMiB));
}

type AddNodes = Extract<Action, { kind: 'add-nodes' }>;
function addNodesOf(ps: readonly Proposal[]): AddNodes {
  const adds = ps.map((p) => p.action).filter((a): a is AddNodes => a.kind === 'add-nodes');
  assert.equal(adds.length, 1, `expected one add-nodes proposal, got ${JSON.stringify(ps.map((p) => p.action))}`);
  return adds[0];
}

const POOL = { instanceTypes: ['m5.xlarge', 'm5.2xlarge'], allowSpot: true };
const BOUNDS = { minNodes: 1, maxNodes: 100, allowedInstanceTypes: [], allowSpot: true };

/** The wanted pods a node action of headroom `h` plans for at `need` replicas (what the planner is fed). */
const withHeadroom = (need: number, h: number): number => Math.ceil(need * h - 1e-9);

// ---------------------------------------------------------------- 1. the action set and its guardrail mask

test('nodeActions: per instance type, on-demand then spot (when offered), each at the three headrooms, in a fixed order', () => {
  assert.deepEqual([...NODE_HEADROOM], [1, 1.2, 1.5]);
  const acts = nodeActions(POOL);
  assert.deepEqual(acts.map((a) => a.label), [
    'nodes: fit ×1.0 m5.xlarge',
    'nodes: fit ×1.2 m5.xlarge',
    'nodes: fit ×1.5 m5.xlarge',
    'nodes: fit ×1.0 m5.xlarge spot',
    'nodes: fit ×1.2 m5.xlarge spot',
    'nodes: fit ×1.5 m5.xlarge spot',
    'nodes: fit ×1.0 m5.2xlarge',
    'nodes: fit ×1.2 m5.2xlarge',
    'nodes: fit ×1.5 m5.2xlarge',
    'nodes: fit ×1.0 m5.2xlarge spot',
    'nodes: fit ×1.2 m5.2xlarge spot',
    'nodes: fit ×1.5 m5.2xlarge spot',
  ]);
  assert.deepEqual(acts[0], { label: 'nodes: fit ×1.0 m5.xlarge', headroom: 1, instanceType: 'm5.xlarge', spot: false });
  assert.deepEqual(acts[4], { label: 'nodes: fit ×1.2 m5.xlarge spot', headroom: 1.2, instanceType: 'm5.xlarge', spot: true });
  assert.deepEqual(acts[11], { label: 'nodes: fit ×1.5 m5.2xlarge spot', headroom: 1.5, instanceType: 'm5.2xlarge', spot: true });
  // The label says what the action is.
  for (const a of acts) assert.equal(a.label, `nodes: fit ×${a.headroom.toFixed(1)} ${a.instanceType}${a.spot ? ' spot' : ''}`);

  const onDemand = nodeActions({ ...POOL, allowSpot: false });
  assert.deepEqual(onDemand.map((a) => a.label), [
    'nodes: fit ×1.0 m5.xlarge',
    'nodes: fit ×1.2 m5.xlarge',
    'nodes: fit ×1.5 m5.xlarge',
    'nodes: fit ×1.0 m5.2xlarge',
    'nodes: fit ×1.2 m5.2xlarge',
    'nodes: fit ×1.5 m5.2xlarge',
  ]);
  assert.ok(onDemand.every((a) => !a.spot));
  assert.deepEqual(onDemand.map((a) => a.headroom), [1, 1.2, 1.5, 1, 1.2, 1.5]);
  assert.throws(() => nodeActions({ instanceTypes: ['m5.nope'], allowSpot: false }), /unknown instance type 'm5\.nope'/);
  assert.throws(() => nodeActions({ instanceTypes: ['m5.xlarge', 'm5.nope'], allowSpot: true }), /unknown instance type 'm5\.nope'/);
});

test('nodeActionAllowed: spot only where spot is allowed, types only from a non-empty allow-list; nothing when no pool type is allowed', () => {
  const acts = nodeActions(POOL);
  const allowed = (cluster: { allowedInstanceTypes: string[]; allowSpot: boolean }) => acts.filter((a) => nodeActionAllowed(a, cluster)).map((a) => a.label);
  const labels = (type: string, spot: boolean) => NODE_HEADROOM.map((h) => `nodes: fit ×${h.toFixed(1)} ${type}${spot ? ' spot' : ''}`);
  assert.deepEqual(allowed({ allowedInstanceTypes: [], allowSpot: true }), acts.map((a) => a.label));
  assert.deepEqual(allowed({ allowedInstanceTypes: [], allowSpot: false }), [...labels('m5.xlarge', false), ...labels('m5.2xlarge', false)]);
  assert.deepEqual(allowed({ allowedInstanceTypes: ['m5.2xlarge'], allowSpot: true }), [...labels('m5.2xlarge', false), ...labels('m5.2xlarge', true)]);
  assert.deepEqual(allowed({ allowedInstanceTypes: ['m5.xlarge'], allowSpot: false }), labels('m5.xlarge', false));
  assert.deepEqual(allowed({ allowedInstanceTypes: ['m5.xlarge', 'm5.2xlarge'], allowSpot: true }), acts.map((a) => a.label));
  // No type of the pool on the allow-list: every node action is masked, spot or not.
  assert.deepEqual(allowed({ allowedInstanceTypes: ['c5.large'], allowSpot: false }), []);
  assert.deepEqual(allowed({ allowedInstanceTypes: ['c5.large'], allowSpot: true }), []);
});

// ---------------------------------------------------------------- 2. the actuator adding nodes, on a real twin

test('NodePoolActuator: "fit ×h <type>[ spot]" adds the fewest nodes of that type and option that hold ceil(h × need) pods; none when they fit', () => {
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { generator: 'steady', params: { base: 60 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 1 }] });
  t.advance(60);
  const snap = t.snapshotNow();
  const web = snap.services[0];
  assert.equal(web.readyReplicas, 2);
  assert.equal(web.pendingReplicas, 0);
  const placed = web.replicas - web.pendingReplicas;
  const acts = nodeActions(POOL);
  const ctx: PlanContext = { snapshot: snap, now: snap.at };
  const decide = (label: string, need: number): Proposal[] => {
    const a = new NodePoolActuator(acts, BOUNDS);
    a.want('web', { replicas: need, rate: web.requestRate, outlook: null });
    return a.decide(index(acts, label), ctx);
  };
  const perBig = slotsPerNode('m5.2xlarge', web.cpuRequestMillis, web.memoryRequestMiB);
  const free = freeSlots(snap.nodes, web.cpuRequestMillis, web.memoryRequestMiB);
  // 500m pods: 5 more fit on the m5.xlarge (3915m allocatable, 1000m used), 15 on an m5.2xlarge (7910m).
  assert.equal(free, 5);
  assert.equal(perBig, 15);

  // ×1.0 at 40 replicas: 38 pods to place, 33 beyond the m5.xlarge's room → 3 m5.2xlarge.
  const need = 40;
  const add = addNodesOf(decide('nodes: fit ×1.0 m5.2xlarge', need));
  assert.equal(add.instanceType, 'm5.2xlarge');
  assert.equal(add.spot, false);
  const expected = minimalNewNodes(snap, need - placed, 'm5.2xlarge');
  assert.equal(expected, 3);
  assert.equal(add.count, expected);
  assert.ok(free + add.count * perBig >= need - placed, 'room for every wanted pod');
  assert.ok(free + (add.count - 1) * perBig < need - placed, 'and no node more than needed');

  // ×1.5 at the same need: ceil(1.5 × 40) = 60 replicas, 58 to place, 53 beyond the room left → 4 m5.2xlarge.
  const wide = withHeadroom(need, 1.5);
  assert.equal(wide, 60);
  const add15 = addNodesOf(decide('nodes: fit ×1.5 m5.2xlarge', need));
  assert.equal(minimalNewNodes(snap, wide - placed, 'm5.2xlarge'), 4);
  assert.deepEqual(add15, { kind: 'add-nodes', instanceType: 'm5.2xlarge', count: 4, spot: false });
  assert.ok(free + add15.count * perBig >= wide - placed && free + (add15.count - 1) * perBig < wide - placed);
  // ×1.2: ceil(48) = 48 replicas, 46 to place, 41 beyond → still 3 (45 slots).
  assert.equal(addNodesOf(decide('nodes: fit ×1.2 m5.2xlarge', need)).count, minimalNewNodes(snap, withHeadroom(need, 1.2) - placed, 'm5.2xlarge'));
  assert.equal(minimalNewNodes(snap, withHeadroom(need, 1.2) - placed, 'm5.2xlarge'), 3);

  // The spot variant: the same count, as spot nodes.
  assert.deepEqual(addNodesOf(decide('nodes: fit ×1.0 m5.2xlarge spot', need)), { kind: 'add-nodes', instanceType: 'm5.2xlarge', count: expected, spot: true });
  assert.deepEqual(addNodesOf(decide('nodes: fit ×1.5 m5.2xlarge spot', need)), { kind: 'add-nodes', instanceType: 'm5.2xlarge', count: 4, spot: true });
  // The smaller type needs more of them for the same pods.
  const small = addNodesOf(decide('nodes: fit ×1.0 m5.xlarge', need));
  assert.deepEqual(small, { kind: 'add-nodes', instanceType: 'm5.xlarge', count: minimalNewNodes(snap, need - placed, 'm5.xlarge'), spot: false });
  assert.equal(small.count, 5);

  // The pool already holds the want: 2 placed + 5 free = 7 replicas add nothing, at any type; 8 add one node.
  const fits = placed + free;
  for (const a of acts) assert.deepEqual(decide(a.label, 2), [], `${a.label} at the replicas running`);
  assert.deepEqual(decide('nodes: fit ×1.0 m5.2xlarge', fits), []);
  assert.deepEqual(decide('nodes: fit ×1.0 m5.xlarge spot', fits), []);
  assert.deepEqual(addNodesOf(decide('nodes: fit ×1.0 m5.2xlarge', fits + 1)), { kind: 'add-nodes', instanceType: 'm5.2xlarge', count: 1, spot: false });
  // ...and the headroom alone decides it: ×1.5 of 5 wanted is 8, one pod more than fits.
  assert.deepEqual(decide('nodes: fit ×1.0 m5.xlarge', 5), []);
  assert.equal(withHeadroom(5, 1.5), fits + 1);
  assert.deepEqual(addNodesOf(decide('nodes: fit ×1.5 m5.xlarge', 5)), { kind: 'add-nodes', instanceType: 'm5.xlarge', count: 1, spot: false });
});

test('NodePoolActuator counts the pod limit: small pods get the nodes they need, none left Pending', () => {
  // 50m / 64 MiB pods: an m5.xlarge's CPU would take 78, its pod limit (58) binds first.
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, cpuRequestMillis: 50, memoryRequestMiB: 64, load: { generator: 'steady', params: { base: 60 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 1 }] });
  t.advance(60);
  const snap = t.snapshotNow();
  assert.equal(slotsPerNode('m5.xlarge', 50, 64), 58);
  const acts = nodeActions({ instanceTypes: ['m5.xlarge'], allowSpot: false });
  const a = new NodePoolActuator(acts, BOUNDS);
  a.want('web', { replicas: 200, rate: 60, outlook: null });
  const add = addNodesOf(a.decide(index(acts, 'nodes: fit ×1.0 m5.xlarge'), { snapshot: snap, now: snap.at }));
  assert.equal(add.count, 3, '198 more pods: 56 on the existing node, 142 on three more at 58 each');
  t.applyNow(add);
  t.applyNow({ kind: 'scale', service: 'web', from: 2, to: 200 });
  t.advance(300);
  const after = t.snapshotNow();
  assert.equal(after.nodes.length, 4);
  assert.equal(after.services[0].pendingReplicas, 0);
});

// ---------------------------------------------------------------- 3. the actuator removing nodes, over time

interface NodeRun {
  /** The node action decided at step k. */
  label: (k: number) => string;
  /** Replicas wanted, or wanted at step k. */
  need: number | ((k: number) => number);
}

/**
 * Every `step` seconds for `seconds` of simulated time, each run decides its action on a fresh snapshot of `t`
 * (its own actuator, wanting `need` replicas of web). Nothing is applied, so every run sees the same cluster.
 * Returns, per run, what it proposed and how long after the first decision.
 */
function nodeTimeline(t: TwinCluster, runs: readonly NodeRun[], seconds: number, step = 15): { after: number; action: Action }[][] {
  const acts = nodeActions(POOL);
  const actuators = runs.map(() => new NodePoolActuator(acts, BOUNDS));
  const out: { after: number; action: Action }[][] = runs.map(() => []);
  const start = t.time;
  for (let k = 0; k * step <= seconds; k++) {
    if (k > 0) t.advance(step);
    const snap = t.snapshotNow();
    const web = snap.services[0];
    runs.forEach((r, i) => {
      actuators[i].want('web', { replicas: typeof r.need === 'number' ? r.need : r.need(k), rate: web.requestRate, outlook: null });
      for (const p of actuators[i].decide(index(acts, r.label(k)), { snapshot: snap, now: snap.at })) out[i].push({ after: snap.at - start, action: p.action });
    });
  }
  return out;
}

/** Six m5.xlarge and two 500m replicas, settled: four or five nodes are empty. */
function settledSixNodes(): { t: TwinCluster; snap: Snapshot } {
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { generator: 'steady', params: { base: 60 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 6 }] });
  t.advance(120);
  const snap = t.snapshotNow();
  assert.equal(snap.nodes.length, 6);
  assert.ok(snap.nodes.every((n) => n.ready && !n.provisioning));
  assert.equal(snap.services[0].readyReplicas, 2);
  assert.equal(snap.services[0].pendingReplicas, 0);
  return { t, snap };
}

const always = (label: string) => (): string => label;

test('NodePoolActuator removes the emptiest node once the others hold the want for the removal debounce (30 s), and nothing when they would not', () => {
  const { t, snap } = settledSixNodes();
  const web = snap.services[0];
  // Five m5.xlarge left hold 5 × 7 = 35 pods of 500m: 35 wanted still lets one go, 36 does not.
  const perNode = slotsPerNode('m5.xlarge', web.cpuRequestMillis, web.memoryRequestMiB);
  assert.equal(perNode, 7);
  const X1 = 'nodes: fit ×1.0 m5.xlarge';
  const [atReplicas, atRoom, beyond] = nodeTimeline(t, [
    { label: always(X1), need: web.replicas },
    { label: always(X1), need: 5 * perNode },
    { label: always(X1), need: 5 * perNode + 1 },
  ], 90);

  assert.ok(atReplicas.length > 0, 'wanting the replicas running, some node is removed');
  assert.equal(atReplicas[0].after, 30, `the first removal comes after the 30 s debounce, not before: ${JSON.stringify(atReplicas)}`);
  for (const { action } of atReplicas) assert.equal(action.kind, 'remove-node', JSON.stringify(action));
  const first = atReplicas[0].action;
  assert.ok(first.kind === 'remove-node');
  const removed = snap.nodes.find((n) => n.name === first.node);
  assert.ok(removed, `${first.node} is not a node of the cluster`);
  assert.equal(removed.pods, Math.min(...snap.nodes.map((n) => n.pods)), 'the emptiest node goes');
  assert.equal(removed.pods, 0);

  assert.ok(atRoom.length > 0 && atRoom[0].after === 30 && atRoom[0].action.kind === 'remove-node', `35 wanted: ${JSON.stringify(atRoom)}`);
  assert.deepEqual(beyond, [], 'the five nodes left would not hold 36 pods: nothing is removed (or added)');

  // Applied, the removal leaves the pods running on the rest.
  t.applyNow(first);
  t.advance(60);
  const after = t.snapshotNow();
  assert.equal(after.nodes.length, 5);
  assert.ok(!after.nodes.some((n) => n.name === first.node));
  assert.equal(after.services[0].readyReplicas, 2);
});

test('NodePoolActuator: a higher headroom keeps nodes a lower one removes; headrooms of one type and option share the debounce, other types do not', () => {
  const { t, snap } = settledSixNodes();
  const web = snap.services[0];
  const room = 5 * slotsPerNode('m5.xlarge', web.cpuRequestMillis, web.memoryRequestMiB);
  // 24 wanted: ×1.0 → 24 and ×1.2 → 29 pods fit on five nodes (35), ×1.5 → 36 do not (and fit on six: nothing to add).
  const need = 24;
  assert.ok(withHeadroom(need, 1.2) <= room && withHeadroom(need, 1.5) === room + 1);
  const xl = (h: string) => `nodes: fit ×${h} m5.xlarge`;
  const [x10, x12, x15, cycled, otherType] = nodeTimeline(t, [
    { label: always(xl('1.0')), need },
    { label: always(xl('1.2')), need },
    { label: always(xl('1.5')), need },
    // ×1.0, ×1.2, ×1.5, ×1.0, ...: the ×1.5 planner is first asked at 30 s, when the pool's debounce has run.
    { label: (k) => xl(['1.0', '1.2', '1.5'][k % 3]), need: web.replicas },
    // Two decisions as m5.xlarge, then m5.2xlarge: its planner starts its own debounce at 30 s.
    { label: (k) => (k < 2 ? xl('1.0') : 'nodes: fit ×1.0 m5.2xlarge'), need: web.replicas },
  ], 90);
  assert.ok(x10.length > 0 && x10[0].after === 30 && x10[0].action.kind === 'remove-node', `×1.0: ${JSON.stringify(x10)}`);
  assert.ok(x12.length > 0 && x12[0].after === 30 && x12[0].action.kind === 'remove-node', `×1.2: ${JSON.stringify(x12)}`);
  assert.deepEqual(x15, [], '×1.5 keeps the six nodes');
  assert.ok(cycled.length > 0 && cycled[0].after === 30 && cycled[0].action.kind === 'remove-node', `cycled headrooms: ${JSON.stringify(cycled)}`);
  assert.ok(otherType.length > 0 && otherType[0].after === 60 && otherType[0].action.kind === 'remove-node', `m5.2xlarge after m5.xlarge: ${JSON.stringify(otherType)}`);
});

test('NodePoolActuator: removals hold for the largest want of the last 5 minutes, sized by the headroom chosen now', () => {
  const { t } = settledSixNodes();
  // ×1.0 throughout; 36 replicas wanted (six nodes) for two decisions, then 24 (five would do).
  const [fell, switched] = nodeTimeline(t, [
    { label: always('nodes: fit ×1.0 m5.xlarge'), need: (k) => (k < 2 ? 36 : 24) },
    // 24 wanted throughout; ×1.5 (36 pods, six nodes) for two decisions, then ×1.0: the choice made now applies to the window.
    { label: (k) => (k < 2 ? 'nodes: fit ×1.5 m5.xlarge' : 'nodes: fit ×1.0 m5.xlarge'), need: 24 },
  ], 420);
  assert.ok(fell.length > 0, 'once the larger want has left the window, a node goes');
  assert.ok(fell[0].after >= NODE_SCALE_DOWN_STABILISATION_SECONDS, `first removal at ${fell[0].after}s, within the window`);
  assert.equal(fell[0].action.kind, 'remove-node');
  assert.ok(switched.length > 0 && switched[0].after < NODE_SCALE_DOWN_STABILISATION_SECONDS && switched[0].action.kind === 'remove-node', `×1.5 then ×1.0: ${JSON.stringify(switched)}`);
});

// ---------------------------------------------------------------- 4. RlPolicy's node head and its mask

const WIDE = 'fit p90 @65%';
const SPOT_BIG = 'nodes: fit ×1.5 m5.2xlarge spot';
const SMALL = 'nodes: fit ×1.0 m5.xlarge';
const modelPreferringSpotBig = () => fixedModel(WIDE, -100, 100, SPOT_BIG, { runnerUpNode: SMALL, config: { env: { nodePool: POOL } } });

/** Two replicas under ~500 req/s on one m5.xlarge: the wide fit wants far more pods than fit. */
function crowdedTwin(): TwinCluster {
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { generator: 'steady', params: { base: 500 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 1 }] });
  t.advance(60);
  return t;
}

function decideOnce(policy: RlPolicy): { snap: Snapshot; out: Proposal[] } {
  const t = crowdedTwin();
  const snap = t.snapshotNow();
  return { snap, out: policy.decide({ snapshot: snap, now: t.time, notes: [] }) };
}

/** The node proposal, its add-nodes action and the pods it was sized for (the headroom applied). */
function nodeProposal(out: readonly Proposal[]): { p: Proposal; add: AddNodes; pods: number } {
  const add = addNodesOf(out);
  const p = out.find((q) => q.action.kind === 'add-nodes');
  assert.ok(p);
  const pods = p.evidence.forecastReplicas;
  assert.equal(typeof pods, 'number', 'the node proposal says how many replicas it holds room for');
  return { p, add, pods: Number(pods) };
}

test('RlPolicy node head: a choice the guardrails forbid is masked and the best allowed one is taken', () => {
  const { snap, out } = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: false, allowedInstanceTypes: [] } }));
  const scale = out.find((p) => p.action.kind === 'scale');
  assert.ok(scale && scale.action.kind === 'scale', 'the replica head scales out');
  const to = scale.action.to;
  assert.ok(to > 7, `${to} replicas do not need more than the one node`);

  const { p, add, pods } = nodeProposal(out);
  assert.equal(add.instanceType, 'm5.xlarge');
  assert.equal(add.spot, false);
  assert.equal(p.source, 'rl-ppo');
  assert.match(p.rationale, /^PPO node head chose nodes: fit ×1\.0 m5\.xlarge \(p=/);
  assert.equal(p.evidence.nodeAction, SMALL);
  // ×1.0: room for the replicas the replica head wants (at least what it asked for), and no node more.
  const web = snap.services[0];
  const placed = web.replicas - web.pendingReplicas;
  assert.ok(pods >= to, `${pods} pods planned for ${to} replicas`);
  assert.equal(add.count, minimalNewNodes(snap, pods - placed, 'm5.xlarge'));
});

test('RlPolicy node head: with spot allowed the preferred ×1.5 spot m5.2xlarge is taken; an allow-list without the pool\'s types adds nothing', () => {
  const onDemand = nodeProposal(decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: false, allowedInstanceTypes: [] } })).out);
  const { snap, out } = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: [] } }));
  const { p, add, pods } = nodeProposal(out);
  assert.equal(add.instanceType, 'm5.2xlarge');
  assert.equal(add.spot, true);
  assert.equal(p.source, 'rl-ppo');
  assert.match(p.rationale, /^PPO node head chose nodes: fit ×1\.5 m5\.2xlarge spot \(p=/);
  assert.equal(p.evidence.nodeAction, SPOT_BIG);
  // The same twin and replica decision as the ×1.0 run above: 1.5 × the pods it planned for.
  assert.equal(pods, withHeadroom(onDemand.pods, 1.5));
  const web = snap.services[0];
  assert.equal(add.count, minimalNewNodes(snap, pods - (web.replicas - web.pendingReplicas), 'm5.2xlarge'));

  // Spot allowed but m5.2xlarge not on the allow-list: the type mask alone moves the choice to the runner-up.
  const smallOnly = nodeProposal(decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: ['m5.xlarge'] } })).out);
  assert.equal(smallOnly.add.instanceType, 'm5.xlarge');
  assert.equal(smallOnly.add.spot, false);
  assert.equal(smallOnly.p.evidence.nodeAction, SMALL);

  // No type of the pool allowed: no node proposal, and the replicas still scale.
  const none = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: ['c5.large'] } }));
  assert.deepEqual(none.out.map((q) => q.action.kind), ['scale']);
});

test('RlPolicy with nodeHead off proposes replicas only', () => {
  const { out } = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: [] }, nodeHead: false }));
  assert.deepEqual(out.map((p) => p.action.kind), ['scale']);
  assert.equal(out[0].source, 'rl-ppo');
});

// ---------------------------------------------------------------- 5. spot reclaims in the training environment

// Two days of a daily-cycle series (as in rl-env.test.ts).
const series: LoadSeries[] = [0, 1].map((k) => ({
  id: `toy/${k}`,
  values: Array.from({ length: 576 }, (_, i) => 100 + 60 * Math.sin((2 * Math.PI * i) / 288 + k)),
  start: null,
}));

interface SpotRun {
  rewards: number[];
  obs: number[];
  /** Every snapshot the environment's twins produced, grouped per twin in time order. */
  twins: Snapshot[][];
}

/**
 * An episode of two environments that always take the wide fit and node action `nodeLabel`. The environment keeps
 * its twins private; their snapshots are observed by spying on TwinCluster.prototype.snapshotNow (which the env
 * calls once per step), so nothing in the environment is reached around its API.
 */
function spotEpisode(rate: number, nodeLabel: string): SpotRun {
  const spy = mock.method(TwinCluster.prototype, 'snapshotNow');
  try {
    const env = new TwinVecEnv(series, 2, 1, {
      episodeHours: 0.5,
      warmupHours: 2,
      meanRps: 4000,
      randomisation: { faultProbability: 0 },
      nodePool: { allowSpot: true, spotReclaimPerNodeHour: rate },
    });
    const fit = ACTIONS.findIndex((a) => a.label === WIDE);
    const node = index(env.nodeActions, nodeLabel);
    const rewards: number[] = [];
    const obs: number[] = [];
    obs.push(...env.reset(0));
    for (let t = 0; t < env.episodeSteps; t++) {
      const out = env.step(Int32Array.of(fit, node, fit, node));
      rewards.push(...out.rewards);
      obs.push(...out.obs);
    }
    const byTwin = new Map<unknown, Snapshot[]>();
    for (const c of spy.mock.calls) {
      const list = byTwin.get(c.this) ?? [];
      list.push(c.result as Snapshot);
      byTwin.set(c.this, list);
    }
    return { rewards, obs, twins: [...byTwin.values()] };
  } finally {
    spy.mock.restore();
  }
}

const reclaims = (snaps: readonly Snapshot[]) => snaps.flatMap((s) => s.events.filter((e) => e.reason === 'SpotInterruption'));
const maxSpot = (run: SpotRun) => Math.max(...run.twins.flat().map((s) => s.nodes.filter((n) => n.spot).length));

test('training env: spot nodes the node head adds are reclaimed at the configured rate (two-minute notice, then gone)', () => {
  const SPOT = 'nodes: fit ×1.5 m5.xlarge spot';
  const hot = spotEpisode(1, SPOT);
  assert.equal(hot.twins.length, 2);
  assert.ok(maxSpot(hot) >= 2, `the node head added spot nodes (${maxSpot(hot)})`);
  const events = hot.twins.map(reclaims);
  assert.ok(events.flat().length >= 1, 'at a reclaim rate of 1 per spot node-hour some spot node is reclaimed within 30 minutes');
  let goneChecked = 0;
  for (const [k, snaps] of hot.twins.entries()) {
    for (const e of events[k]) {
      const name = e.object.replace(/^node\//, '');
      // The node was a spot node before its notice...
      const before = snaps.filter((s) => s.at < e.at).at(-1);
      assert.ok(before, 'a snapshot precedes the notice');
      const was = before.nodes.find((n) => n.name === name);
      assert.ok(was, `${name} existed before its interruption`);
      assert.equal(was.spot, true, `${name} is on-demand, yet was reclaimed`);
      // ...and is gone once the notice (120 s) has run out.
      const later = snaps.filter((s) => s.at >= e.at + 120 + 15);
      for (const s of later) assert.ok(!s.nodes.some((n) => n.name === name), `${name} still there ${s.at - e.at}s after its notice`);
      if (later.length > 0) goneChecked++;
    }
  }
  assert.ok(goneChecked >= 1, 'some reclaim was followed long enough to see its node go');

  // Rate 0: the same spot nodes, never reclaimed.
  const calm = spotEpisode(0, SPOT);
  assert.ok(maxSpot(calm) >= 2);
  assert.deepEqual(calm.twins.flatMap(reclaims), []);
  // What the agent sees (observations, rewards) differs only because of the reclaims.
  assert.equal(calm.obs.length, hot.obs.length);
  assert.notDeepEqual(hot.obs, calm.obs);

  // On-demand only at the same rate: nothing to reclaim, and the episode is exactly the rate-0 one.
  const onDemandHot = spotEpisode(1, 'nodes: fit ×1.5 m5.xlarge');
  const onDemandCalm = spotEpisode(0, 'nodes: fit ×1.5 m5.xlarge');
  assert.equal(maxSpot(onDemandHot), 0);
  assert.deepEqual(onDemandHot.twins.flatMap(reclaims), []);
  assert.deepEqual(onDemandHot.rewards, onDemandCalm.rewards);
  assert.deepEqual(onDemandHot.obs, onDemandCalm.obs);
});

// ---------------------------------------------------------------- 6. PPO with two action heads

/** Target of the second head for cue c: not the cue itself, so the heads must learn different maps. */
const target = (cue: number): number => (cue === 0 ? 2 : 1);

/**
 * Two-head contextual bandit: the observation shows a cue (one-hot of 2); the first head (2 choices) earns 0.5 for
 * matching it, the second (3 choices) 0.5 for choosing target(cue). Uniform play earns 0.5/2 + 0.5/3 ≈ 0.42.
 */
class TwoHeadCueEnv implements VecEnv {
  readonly obsSize = 2;
  readonly numActions = 5;
  readonly heads = [2, 3] as const;
  readonly episodeSteps = 32;
  private rng = new Rng(1);
  private cue = new Int32Array(0);
  constructor(readonly numEnvs: number) {}
  private observe(): Float32Array {
    const o = new Float32Array(this.numEnvs * 2);
    this.cue = Int32Array.from({ length: this.numEnvs }, () => this.rng.int(2));
    this.cue.forEach((c, i) => (o[i * 2 + c] = 1));
    return o;
  }
  reset(first: number): Float32Array {
    this.rng = new Rng(episodeSeed(11, first));
    return this.observe();
  }
  step(actions: Int32Array): { obs: Float32Array; rewards: Float32Array } {
    if (actions.length !== this.numEnvs * this.heads.length) throw new Error(`expected ${this.numEnvs} × ${this.heads.length} actions, got ${actions.length}`);
    const rewards = new Float32Array(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const a0 = actions[i * 2];
      const a1 = actions[i * 2 + 1];
      if (a0 < 0 || a0 >= this.heads[0] || a1 < 0 || a1 >= this.heads[1]) throw new Error(`action (${a0}, ${a1}) outside its head`);
      rewards[i] = (a0 === this.cue[i] ? 0.5 : 0) + (a1 === target(this.cue[i]) ? 0.5 : 0);
    }
    return { obs: this.observe(), rewards };
  }
}

test('multi-head PPO learns both heads of a two-head contextual bandit, reproducibly by seed', async () => {
  const cfg = { seed: 3, numEnvs: 4, ppo: { hidden: 16, learningRate: 0.01, minibatch: 32, epochs: 4 }, stopAtConvergence: false };
  const r = await trainPpo(new TwoHeadCueEnv(4), cfg, { episodes: 48 });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(r.rewards.slice(0, 4));
  const last = mean(r.rewards.slice(-4));
  assert.ok(first < 0.6, `starts near chance (${first})`);
  assert.ok(last > 0.9, `learns both heads (${first} → ${last})`);
  // The greedy policy of each head, per cue.
  for (const cue of [0, 1]) {
    const logits = forward(r.model.actor, Float32Array.from([cue === 0 ? 1 : 0, cue === 1 ? 1 : 0]), 1);
    assert.equal(logits.length, 5);
    assert.equal(argmax(logits, 0, 2), cue, `head 0 for cue ${cue}`);
    assert.equal(argmax(logits, 2, 3), target(cue), `head 1 for cue ${cue}`);
  }
  const again = await trainPpo(new TwoHeadCueEnv(4), cfg, { episodes: 48 });
  assert.deepEqual(again.rewards, r.rewards);
  assert.deepEqual(Array.from(again.model.actor.layers[2].w), Array.from(r.model.actor.layers[2].w));
});

test('multi-head PPO: log-probabilities normalise within each head, and the sampled log-prob is the learner\'s joint one', async () => {
  await initNeuralForecasting();
  // Output layer starts at the prior: per-head softmax of [1, 0 | 2, 0, −1], whatever the input.
  const prior = Float32Array.from([1, 0, 2, 0, -1]);
  const net = new ActorCritic(2, 5, 8, 1, prior, [2, 3]);
  try {
    const p = tf.tidy(() => tf.exp(net.logProbs(tf.tensor2d([1, 0, 0, 1, 0.3, -2], [3, 2]))).arraySync() as number[][]);
    const soft = (xs: number[]) => xs.map((x) => Math.exp(x) / xs.reduce((a, y) => a + Math.exp(y), 0));
    const want = [...soft([1, 0]), ...soft([2, 0, -1])];
    for (const row of p) {
      assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-5 && Math.abs(row[2] + row[3] + row[4] - 1) < 1e-5, `not normalised per head: ${row}`);
      row.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-5, `${row} ≠ ${want}`));
    }
  } finally {
    net.dispose();
  }
  // One update of one epoch and one minibatch: the loss is evaluated before any step, so every ratio
  // exp(logp − oldLogp) is 1 — unless the rollout's log-prob (sampled head by head) and the learner's differ.
  const stats: number[] = [];
  await trainPpo(new TwoHeadCueEnv(4), { numEnvs: 4, ppo: { hidden: 8, epochs: 1, minibatch: 4 * 32 } }, { episodes: 4, onUpdate: (_u, s) => stats.push(s.clipFraction, s.policyLoss) });
  assert.equal(stats.length, 2);
  assert.equal(stats[0], 0, 'some first-step ratio left [1 − ε, 1 + ε]');
  // At ratio 1 the surrogate is −mean of the normalised advantages: 0.
  assert.ok(Math.abs(stats[1]) < 1e-4, `policy loss ${stats[1]} at ratio 1`);
});
