import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../src/core/action.js';
import { Rng } from '../src/core/rng.js';
import { TwinCluster, buildSyntheticCluster, type TwinConfigInput } from '../src/execute/twin/cluster.js';
import { CATALOGUE } from '../src/execute/twin/catalogue.js';

const T0 = 1704067200;

function small(extra: Partial<TwinConfigInput> = {}): TwinConfigInput {
  return {
    seed: 3,
    nodePools: [{ instanceType: 'm5.xlarge', count: 2, spot: false }],
    services: [
      { name: 'web', replicas: 3, serviceRatePerReplica: 50, load: { generator: 'spiky', params: { base: 120, spikesPerHour: 4, burstMultiplier: 3 } } },
      { name: 'api', replicas: 2, serviceRatePerReplica: 40, load: { generator: 'diurnal', params: { base: 50 } } },
    ],
    ...extra,
  };
}

test('500-node synthetic cluster: snapshot has the right counts', () => {
  const c = buildSyntheticCluster({ nodes: 500, podsPerNode: 30, podsPerService: 10, seed: 1 });
  c.advance(15);
  const s = c.snapshotNow();
  assert.equal(s.nodes.length, 500);
  assert.equal(s.services.length, 1500);
  assert.equal(s.nodes.reduce((n, x) => n + x.pods, 0), 15000);
  for (const n of s.nodes) assert.equal(n.pods, 30);
  for (const sv of s.services) {
    assert.equal(sv.replicas, 10);
    assert.equal(sv.readyReplicas, 10);
    assert.equal(sv.pods.ready + sv.pods.unready + sv.pods.missing, 10);
    assert.ok(sv.cpuUtilization > 0.3 && sv.cpuUtilization < 0.75, `${sv.name}: ${sv.cpuUtilization}`);
  }
  assert.ok(Math.abs(s.costPerHour - 500 * (CATALOGUE.get('m5.4xlarge')?.onDemandPerHour ?? 0)) < 1e-6);
});

test('conservation: offered = served + dropped + Δbacklog every step and in total', () => {
  const c = new TwinCluster(small({ services: [{ name: 'web', replicas: 2, serviceRatePerReplica: 20, load: { generator: 'spiky', params: { base: 35, spikesPerHour: 6, burstMultiplier: 4 } } }] }));
  let prev = c.stats().services[0];
  let sawBacklog = false, sawDrops = false;
  for (let i = 0; i < 720; i++) {
    c.advance(5);
    const cur = c.stats().services[0];
    const dOff = cur.offered - prev.offered;
    const rhs = cur.served - prev.served + (cur.dropped - prev.dropped) + (cur.backlog - prev.backlog);
    assert.ok(Math.abs(dOff - rhs) <= 1e-9 * Math.max(1, cur.offered), `step ${i}: ${dOff} vs ${rhs}`);
    if (cur.backlog > 1) sawBacklog = true;
    prev = cur;
  }
  const st = c.stats().services[0];
  if (st.dropped > 0) sawDrops = true;
  assert.ok(sawBacklog && sawDrops, 'the load must actually overload the service for this test to mean anything');
  assert.ok(Math.abs(st.offered - (st.served + st.dropped + st.backlog)) <= 1e-9 * st.offered);
  assert.ok(st.sloViolationSeconds > 0);
});

test('no node ever has requests above allocatable, under random actions', () => {
  const c = new TwinCluster(small());
  const rng = new Rng(99);
  const names = () => c.snapshotNow().nodes.map((n) => n.name);
  for (let i = 0; i < 120; i++) {
    const r = rng.int(5);
    let a: Action;
    if (r <= 1) a = { kind: 'scale', service: rng.next() < 0.5 ? 'web' : 'api', from: 0, to: rng.int(25) };
    else if (r === 2) a = { kind: 'add-nodes', instanceType: rng.next() < 0.5 ? 'm5.large' : 'c5.xlarge', count: 1 + rng.int(2), spot: rng.next() < 0.5 };
    else {
      const ns = names();
      if (ns.length === 0) continue;
      a = r === 3 ? { kind: 'remove-node', node: ns[rng.int(ns.length)] } : { kind: 'cordon-drain', node: ns[rng.int(ns.length)] };
    }
    c.applyNow(a);
    c.advance(20 + rng.int(60));
    const snap = c.snapshotNow();
    let pods = 0;
    for (const n of snap.nodes) {
      assert.ok(n.cpuRequestedMillis <= n.cpuAllocatableMillis + 1e-9, `${n.name} cpu`);
      assert.ok(n.memoryRequestedMiB <= n.memoryAllocatableMiB + 1e-9, `${n.name} mem`);
      if (n.provisioning) assert.equal(n.pods, 0);
      pods += n.pods;
    }
    const want = snap.services.reduce((k, s) => k + s.replicas, 0);
    const pending = snap.services.reduce((k, s) => k + s.pendingReplicas, 0);
    assert.equal(pods + pending, want, 'every desired replica is either placed or Pending');
  }
});

test('pods stay Pending until a new node is provisioned, then start after the start-up delay', () => {
  const c = new TwinCluster({
    nodeProvisioningSeconds: 90,
    podStartupSeconds: 30,
    nodePools: [{ instanceType: 'm5.large', count: 1, spot: false }],
    services: [{ name: 'web', replicas: 2, cpuRequestMillis: 500, memoryRequestMiB: 512 }],
  });
  assert.equal(c.applyNow({ kind: 'scale', service: 'web', from: 2, to: 6 }).ok, true);
  c.advance(5);
  let s = c.snapshotNow();
  const fitsOne = Math.floor((CATALOGUE.get('m5.large')?.cpuAllocatableMillis ?? 0) / 500);
  assert.equal(s.services[0].pendingReplicas, 6 - fitsOne);
  assert.ok(s.events.some((e) => e.reason === 'FailedScheduling' && /Insufficient cpu/.test(e.message)));
  assert.equal(c.applyNow({ kind: 'add-nodes', instanceType: 'm5.large', count: 1, spot: false }).ok, true);
  assert.equal(c.applyNow({ kind: 'add-nodes', instanceType: 'z9.huge', count: 1, spot: false }).ok, false);
  c.advance(80); // 85 s after the request
  s = c.snapshotNow();
  assert.equal(s.services[0].pendingReplicas, 6 - fitsOne);
  assert.ok(s.nodes.some((n) => n.provisioning));
  c.advance(10); // past 90 s
  s = c.snapshotNow();
  assert.equal(s.services[0].pendingReplicas, 0);
  assert.equal(s.services[0].readyReplicas, fitsOne);
  c.advance(35);
  s = c.snapshotNow();
  assert.equal(s.services[0].readyReplicas, 6);
  assert.ok(c.stats().pendingPodSeconds >= (6 - fitsOne) * 90 - 1e-9);
});

test('cost = Σ node-seconds × $/h / 3600, provisioning included', () => {
  const c = new TwinCluster({ nodePools: [{ instanceType: 'm5.xlarge', count: 2, spot: false }], services: [{ name: 'web', replicas: 1 }] });
  const od = CATALOGUE.get('m5.xlarge')?.onDemandPerHour ?? NaN;
  const spot = CATALOGUE.get('c5.large')?.spotPerHour ?? NaN;
  c.advance(1800);
  c.applyNow({ kind: 'add-nodes', instanceType: 'c5.large', count: 1, spot: true });
  c.advance(600); // includes its 90 s of provisioning
  const newNode = c.snapshotNow().nodes.find((n) => n.instanceType === 'c5.large');
  assert.ok(newNode && newNode.spot && newNode.pricePerHour === spot);
  assert.equal(c.applyNow({ kind: 'remove-node', node: newNode.name }).ok, true);
  c.advance(1200);
  const want = (2 * 3600 * od + 600 * spot) / 3600;
  const st = c.stats();
  assert.ok(Math.abs(st.costDollars - want) < 1e-9, `${st.costDollars} vs ${want}`);
  assert.equal(st.nodeSeconds, 2 * 3600 + 600);
});

test('scale: new pods count only once Ready; scale-down removes not-Ready pods first', () => {
  const c = new TwinCluster({ podStartupSeconds: 30, services: [{ name: 'web', replicas: 2 }] });
  c.applyNow({ kind: 'scale', service: 'web', from: 2, to: 5 });
  c.advance(15);
  let s = c.snapshotNow().services[0];
  assert.equal(s.readyReplicas, 2);
  assert.equal(s.pods.unready, 3);
  c.applyNow({ kind: 'scale', service: 'web', from: 5, to: 3 });
  s = c.snapshotNow().services[0];
  assert.equal(s.readyReplicas, 2, 'the Ready pods survive');
  assert.equal(s.pods.unready, 1);
  c.advance(30);
  assert.equal(c.snapshotNow().services[0].readyReplicas, 3);
  assert.equal(c.applyNow({ kind: 'scale', service: 'nope', from: 1, to: 2 }).ok, false);
});

test('the HPA sees CPU through a lagged 1-minute window', () => {
  const c = new TwinCluster({
    startTime: T0,
    services: [{ name: 'web', replicas: 4, serviceRatePerReplica: 50, load: { trace: [{ t: 0, value: 40 }, { t: 600, value: 40 }, { t: 601, value: 160 }, { t: 7200, value: 160 }] } }],
  });
  c.advance(600);
  const before = c.snapshotNow().services[0].cpuUtilization;
  c.advance(10);
  const justAfter = c.snapshotNow().services[0];
  c.advance(90);
  const later = c.snapshotNow().services[0].cpuUtilization;
  assert.ok(justAfter.requestRate > 150, 'the offered load has jumped');
  assert.ok(justAfter.cpuUtilization < 0.5 * later, `lagged ${justAfter.cpuUtilization} vs settled ${later}`);
  assert.ok(Math.abs(before - (0.05 + 0.95 * 0.2)) < 0.02, `20 % load → ${before}`);
  assert.ok(Math.abs(later - (0.05 + 0.95 * 0.8)) < 0.03, `80 % load → ${later}`);
});

test('deterministic: same seed and actions → identical stats; another seed differs', () => {
  const run = (seed: number) => {
    const c = new TwinCluster(small({ seed }));
    c.inject({ kind: 'node-crash', at: 600 });
    c.inject({ kind: 'memory-leak', target: 'api', at: 60 });
    for (let i = 0; i < 30; i++) {
      c.advance(60);
      if (i === 5) c.applyNow({ kind: 'scale', service: 'web', from: 3, to: 6 });
      if (i === 12) c.applyNow({ kind: 'add-nodes', instanceType: 'm5.large', count: 2, spot: true });
    }
    return { stats: c.stats(), snap: c.snapshotNow() };
  };
  const a = run(5);
  const b = run(5);
  assert.deepEqual(a.stats, b.stats);
  assert.deepEqual(a.snap, b.snap);
  assert.notDeepEqual(run(6).stats, a.stats);
});

test('stats: SLO seconds, mean and max p99 are consistent', () => {
  const c = new TwinCluster(small());
  c.advance(3600);
  const st = c.stats();
  assert.equal(st.elapsedSeconds, 3600);
  assert.ok(st.sloViolationSeconds <= 2 * 3600);
  assert.ok(st.anyViolationSeconds <= 3600 && st.anyViolationSeconds <= st.sloViolationSeconds);
  for (const s of st.services) assert.ok(s.meanP99Ms <= s.maxP99Ms && s.meanP99Ms > 0);
  assert.ok(Math.abs(st.offered - st.services.reduce((k, s) => k + s.offered, 0)) < 1e-6);
});
