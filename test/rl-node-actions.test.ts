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
import type { PlanContext, ScalingPolicy } from '../src/plan/scaling/policy.js';
import { ACTIONS } from '../src/plan/rl/actions.js';
import { TwinVecEnv, type LoadSeries } from '../src/plan/rl/env.js';
import { ActorCritic, argmax, forward } from '../src/plan/rl/network.js';
import { NodePoolActuator, nodeActionAllowed, nodeActions, type NodeAct } from '../src/plan/rl/node-actions.js';
import { RlPolicy } from '../src/plan/rl/policy.js';
import { trainPpo } from '../src/plan/rl/trainer.js';
import { episodeSeed, type VecEnv } from '../src/plan/rl/vec-env.js';
import { fixedModel } from './support/rl-fixed-model.js';

// ---------------------------------------------------------------- helpers

/** Proposes a fixed target for every service (stands in for predictive / HPA), as in rl-policy.test.ts. */
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

// ---------------------------------------------------------------- 1. the action set and its guardrail mask

test('nodeActions: autoscaler, release, then one "ahead" per type (and spot, when offered), in a fixed order', () => {
  const acts = nodeActions(POOL);
  assert.deepEqual(acts.map((a) => a.label), [
    'nodes: autoscaler',
    'nodes: release',
    'nodes: ahead m5.xlarge',
    'nodes: ahead m5.xlarge spot',
    'nodes: ahead m5.2xlarge',
    'nodes: ahead m5.2xlarge spot',
  ]);
  assert.deepEqual(acts[5], { label: 'nodes: ahead m5.2xlarge spot', kind: 'ahead', instanceType: 'm5.2xlarge', spot: true });
  assert.deepEqual(acts[2], { label: 'nodes: ahead m5.xlarge', kind: 'ahead', instanceType: 'm5.xlarge', spot: false });

  const onDemand = nodeActions({ ...POOL, allowSpot: false });
  assert.deepEqual(onDemand.map((a) => a.label), ['nodes: autoscaler', 'nodes: release', 'nodes: ahead m5.xlarge', 'nodes: ahead m5.2xlarge']);
  assert.ok(onDemand.every((a) => a.kind !== 'ahead' || !a.spot));
  assert.throws(() => nodeActions({ instanceTypes: ['m5.nope'], allowSpot: false }), /unknown instance type 'm5\.nope'/);
});

test('nodeActionAllowed: spot only where spot is allowed, types only from a non-empty allow-list; autoscaler and release always', () => {
  const acts = nodeActions(POOL);
  const allowed = (cluster: { allowedInstanceTypes: string[]; allowSpot: boolean }) => acts.filter((a) => nodeActionAllowed(a, cluster)).map((a) => a.label);
  assert.deepEqual(allowed({ allowedInstanceTypes: [], allowSpot: true }), acts.map((a) => a.label));
  assert.deepEqual(allowed({ allowedInstanceTypes: [], allowSpot: false }), ['nodes: autoscaler', 'nodes: release', 'nodes: ahead m5.xlarge', 'nodes: ahead m5.2xlarge']);
  assert.deepEqual(allowed({ allowedInstanceTypes: ['m5.2xlarge'], allowSpot: true }), ['nodes: autoscaler', 'nodes: release', 'nodes: ahead m5.2xlarge', 'nodes: ahead m5.2xlarge spot']);
  assert.deepEqual(allowed({ allowedInstanceTypes: ['m5.xlarge'], allowSpot: false }), ['nodes: autoscaler', 'nodes: release', 'nodes: ahead m5.xlarge']);
  // Nothing of the pool allowed: only the two choices that add nothing are left.
  assert.deepEqual(allowed({ allowedInstanceTypes: ['c5.large'], allowSpot: false }), ['nodes: autoscaler', 'nodes: release']);
});

// ---------------------------------------------------------------- 2. the actuator on a real twin

test('NodePoolActuator "ahead": adds the fewest nodes of the chosen type (and purchase option) that hold the wanted pods; "autoscaler" adds none', () => {
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { generator: 'steady', params: { base: 60 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 1 }] });
  t.advance(60);
  const snap = t.snapshotNow();
  const web = snap.services[0];
  assert.equal(web.readyReplicas, 2);
  assert.equal(web.pendingReplicas, 0);
  const want = 40;
  const unplaced = want - (web.replicas - web.pendingReplicas);
  const acts = nodeActions(POOL);
  const ctx: PlanContext = { snapshot: snap, now: snap.at };
  const decide = (label: string): Proposal[] => {
    const a = new NodePoolActuator(acts, BOUNDS, 'm5.xlarge');
    a.want('web', { replicas: want, rate: web.requestRate, outlook: null });
    return a.decide(index(acts, label), ctx);
  };

  const big = decide('nodes: ahead m5.2xlarge');
  const add = addNodesOf(big);
  assert.equal(add.instanceType, 'm5.2xlarge');
  assert.equal(add.spot, false);
  // 38 pods to place: 5 fit on the m5.xlarge (3915m allocatable, 1000m used), 15 per m5.2xlarge (7910m / 500m).
  const expected = minimalNewNodes(snap, unplaced, 'm5.2xlarge');
  assert.equal(expected, 3);
  assert.equal(add.count, expected);
  const perBig = slotsPerNode('m5.2xlarge', web.cpuRequestMillis, web.memoryRequestMiB);
  const free = freeSlots(snap.nodes, web.cpuRequestMillis, web.memoryRequestMiB);
  assert.ok(free + add.count * perBig >= unplaced, 'room for every wanted pod');
  assert.ok(free + (add.count - 1) * perBig < unplaced, 'and no node more than needed');

  const bigSpot = addNodesOf(decide('nodes: ahead m5.2xlarge spot'));
  assert.deepEqual(bigSpot, { kind: 'add-nodes', instanceType: 'm5.2xlarge', count: expected, spot: true });

  // The smaller type needs more of them for the same pods.
  const small = addNodesOf(decide('nodes: ahead m5.xlarge'));
  assert.deepEqual(small, { kind: 'add-nodes', instanceType: 'm5.xlarge', count: minimalNewNodes(snap, unplaced, 'm5.xlarge'), spot: false });
  assert.equal(small.count, 5);

  assert.deepEqual(decide('nodes: autoscaler'), []);
  // "release" never adds, even when more pods are wanted than fit.
  assert.deepEqual(decide('nodes: release'), []);
  // Nothing more wanted than runs: "ahead" adds nothing.
  const idle = new NodePoolActuator(acts, BOUNDS, 'm5.xlarge');
  idle.want('web', { replicas: 2, rate: web.requestRate, outlook: null });
  assert.deepEqual(idle.decide(index(acts, 'nodes: ahead m5.2xlarge'), ctx), []);
});

test('NodePoolActuator "ahead" counts the pod limit: small pods get the nodes they need, none left Pending', () => {
  // 50m / 64 MiB pods: an m5.xlarge's CPU would take 78, its pod limit (58) binds first.
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, cpuRequestMillis: 50, memoryRequestMiB: 64, load: { generator: 'steady', params: { base: 60 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 1 }] });
  t.advance(60);
  const snap = t.snapshotNow();
  const acts = nodeActions({ instanceTypes: ['m5.xlarge'], allowSpot: false });
  const a = new NodePoolActuator(acts, BOUNDS, 'm5.xlarge');
  a.want('web', { replicas: 200, rate: 60, outlook: null });
  const add = addNodesOf(a.decide(index(acts, 'nodes: ahead m5.xlarge'), { snapshot: snap, now: snap.at }));
  assert.equal(add.count, 3, '198 more pods: 56 on the existing node, 142 on three more at 58 each');
  t.applyNow(add);
  t.applyNow({ kind: 'scale', service: 'web', from: 2, to: 200 });
  t.advance(300);
  assert.equal(t.snapshotNow().services[0].pendingReplicas, 0);
});

test('NodePoolActuator "release": removes the emptiest node when the others hold the wanted pods, and nothing when they would not', () => {
  const t = new TwinCluster({ services: [{ name: 'web', replicas: 2, load: { generator: 'steady', params: { base: 60 } } }], nodePools: [{ instanceType: 'm5.xlarge', count: 6 }] });
  t.advance(120);
  const snap = t.snapshotNow();
  const web = snap.services[0];
  assert.equal(snap.nodes.length, 6);
  assert.ok(snap.nodes.every((n) => n.ready && !n.provisioning));
  assert.equal(web.readyReplicas, 2);
  assert.equal(web.pendingReplicas, 0);
  const acts = nodeActions(POOL);
  const release = index(acts, 'nodes: release');
  const decide = (want: number): Proposal[] => {
    const a = new NodePoolActuator(acts, BOUNDS, 'm5.xlarge');
    a.want('web', { replicas: want, rate: web.requestRate, outlook: null });
    return a.decide(release, { snapshot: snap, now: snap.at });
  };

  const out = decide(web.replicas);
  assert.equal(out.length, 1);
  const a = out[0].action;
  assert.ok(a.kind === 'remove-node', JSON.stringify(a));
  const removed = snap.nodes.find((n) => n.name === a.node);
  assert.ok(removed, `${a.node} is not a node of the cluster`);
  assert.equal(removed.pods, Math.min(...snap.nodes.map((n) => n.pods)), 'the emptiest node goes');
  assert.equal(removed.pods, 0);

  // Five m5.xlarge left hold 5 × 7 = 35 pods of 500m: 35 wanted still releases one, 36 does not.
  const perNode = slotsPerNode('m5.xlarge', web.cpuRequestMillis, web.memoryRequestMiB);
  assert.equal(perNode, 7);
  assert.equal(decide(5 * perNode).length, 1);
  assert.deepEqual(decide(5 * perNode + 1), []);
  assert.deepEqual(decide(60), []);
  // "autoscaler" and "ahead" never remove.
  const keep = new NodePoolActuator(acts, BOUNDS, 'm5.xlarge');
  keep.want('web', { replicas: 2, rate: web.requestRate, outlook: null });
  assert.deepEqual(keep.decide(index(acts, 'nodes: autoscaler'), { snapshot: snap, now: snap.at }), []);
  assert.deepEqual(keep.decide(index(acts, 'nodes: ahead m5.xlarge'), { snapshot: snap, now: snap.at }), []);
});

// ---------------------------------------------------------------- 3. RlPolicy's node head and its mask

const WIDE = 'fit p90 @65%';
const SPOT_BIG = 'nodes: ahead m5.2xlarge spot';
const SMALL = 'nodes: ahead m5.xlarge';
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

test('RlPolicy node head: a choice the guardrails forbid is masked and the best allowed one is taken', () => {
  const { snap, out } = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: false, allowedInstanceTypes: [] } }));
  const scale = out.find((p) => p.action.kind === 'scale');
  assert.ok(scale && scale.action.kind === 'scale', 'the replica head scales out');
  const to = scale.action.to;
  assert.ok(to > 7, `${to} replicas do not need more than the one node`);

  const add = addNodesOf(out);
  assert.equal(add.instanceType, 'm5.xlarge');
  assert.equal(add.spot, false);
  const node = out.find((p) => p.action.kind === 'add-nodes');
  assert.ok(node);
  assert.equal(node.source, 'rl-ppo');
  assert.match(node.rationale, /^PPO node head chose nodes: ahead m5\.xlarge \(p=/);
  assert.equal(node.evidence.nodeAction, SMALL);
  // The nodes make room for at least the replicas the replica head asked for.
  const web = snap.services[0];
  const unplaced = to - (web.replicas - web.pendingReplicas);
  assert.ok(add.count >= minimalNewNodes(snap, unplaced, 'm5.xlarge'), `${add.count} m5.xlarge do not hold ${unplaced} more pods`);
});

test('RlPolicy node head: with spot allowed the preferred spot m5.2xlarge is added; an allow-list without the pool\'s types adds nothing', () => {
  const { snap, out } = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: [] } }));
  const add = addNodesOf(out);
  assert.equal(add.instanceType, 'm5.2xlarge');
  assert.equal(add.spot, true);
  const node = out.find((p) => p.action.kind === 'add-nodes');
  assert.ok(node);
  assert.equal(node.source, 'rl-ppo');
  assert.match(node.rationale, /^PPO node head chose nodes: ahead m5\.2xlarge spot \(p=/);
  const scale = out.find((p) => p.action.kind === 'scale');
  assert.ok(scale && scale.action.kind === 'scale');
  const web = snap.services[0];
  assert.ok(add.count >= minimalNewNodes(snap, scale.action.to - (web.replicas - web.pendingReplicas), 'm5.2xlarge'));

  // Spot allowed but m5.2xlarge not on the allow-list: the type mask alone moves the choice to the runner-up.
  const smallOnly = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: ['m5.xlarge'] } }));
  const small = addNodesOf(smallOnly.out);
  assert.equal(small.instanceType, 'm5.xlarge');
  assert.equal(small.spot, false);

  // No type of the pool allowed: what is left adds nothing (the autoscaler choice), and the replicas still scale.
  const none = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: ['c5.large'] } }));
  assert.deepEqual(none.out.map((p) => p.action.kind), ['scale']);
});

test('RlPolicy with nodeHead off proposes replicas only', () => {
  const { out } = decideOnce(new RlPolicy(modelPreferringSpotBig(), new FixedPolicy(2), { cluster: { allowSpot: true, allowedInstanceTypes: [] }, nodeHead: false }));
  assert.deepEqual(out.map((p) => p.action.kind), ['scale']);
  assert.equal(out[0].source, 'rl-ppo');
});

// ---------------------------------------------------------------- 4. spot reclaims in the training environment

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
  const SPOT = 'nodes: ahead m5.xlarge spot';
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
  const onDemandHot = spotEpisode(1, 'nodes: ahead m5.xlarge');
  const onDemandCalm = spotEpisode(0, 'nodes: ahead m5.xlarge');
  assert.equal(maxSpot(onDemandHot), 0);
  assert.deepEqual(onDemandHot.twins.flatMap(reclaims), []);
  assert.deepEqual(onDemandHot.rewards, onDemandCalm.rewards);
  assert.deepEqual(onDemandHot.obs, onDemandCalm.obs);
});

// ---------------------------------------------------------------- 5. PPO with two action heads

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
