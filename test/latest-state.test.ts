/**
 * The loop's latest state (knowledge/latest-state.ts, loop/state-summary.ts, loop/state-recorder.ts) on SQLite and
 * PostgreSQL: one row per run, replaced each tick, bounded however big the cluster, and written by simulations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';
import { LatestStateStore, LoopStateSchema, MAX_LISTED_NODES } from '../src/knowledge/latest-state.js';
import { openStore } from '../src/knowledge/store.js';
import { prepareSimulation, runSimulation } from '../src/loop/simulation.js';
import { summariseSnapshot } from '../src/loop/state-summary.js';
import { StateRecorder } from '../src/loop/state-recorder.js';
import { testEachBackend } from './support/backends.js';

function service(name: string, o: Partial<ServiceTelemetry> = {}): ServiceTelemetry {
  return {
    name, replicas: 3, readyReplicas: 3, pendingReplicas: 0, cpuRequestMillis: 500, memoryRequestMiB: 512, serviceRatePerReplica: 50,
    pods: { ready: 3, unready: 0, missing: 0, cpuUsageMillis: 600 }, cpuUtilization: 0.4, memoryUtilization: 0.5,
    requestRate: 100, servedRate: 100, errorRate: 0, latencyP50Ms: 20, latencyP99Ms: 80, queueDepth: 0, ...o,
  };
}

function node(i: number, o: Partial<NodeTelemetry> = {}): NodeTelemetry {
  return {
    name: `node-${String(i).padStart(4, '0')}`, instanceType: 'm5.xlarge', spot: false, ready: true, provisioning: false,
    cpuAllocatableMillis: 3920, memoryAllocatableMiB: 15000, cpuRequestedMillis: 1000, memoryRequestedMiB: 2000, pods: 4, pricePerHour: 0.192, readyForSeconds: 600, ...o,
  };
}

const snapshot = (o: Partial<Snapshot> = {}): Snapshot => ({ at: 1_700_000_000, services: [service('web')], nodes: [node(1)], events: [], logs: [], costPerHour: 0.192, ...o });

test('summary: cluster totals over every node, lists capped (not-ready nodes and worst services first), SLO status with reasons', () => {
  const nodes = Array.from({ length: 250 }, (_, i) => node(i, { ready: i !== 200 }));
  const services = [
    service('ok'),
    service('slow', { latencyP99Ms: 230 }),
    service('close', { latencyP99Ms: 170 }),
    service('failing', { errorRate: 0.05 }),
    service('short', { readyReplicas: 1, pendingReplicas: 2 }),
  ];
  const s = summariseSnapshot(snapshot({ nodes, services }), { '*': { p99Ms: 200, errorRate: 0.01 }, slow: { p99Ms: 300, errorRate: 0.01 } });
  LoopStateSchema.parse(s);
  assert.deepEqual(s.cluster.nodes, { total: 250, ready: 249, provisioning: 0 });
  assert.equal(s.cluster.cpu.allocatableMillis, 250 * 3920);
  assert.equal(s.nodes.length, MAX_LISTED_NODES);
  assert.equal(s.nodesOmitted, 150);
  assert.equal(s.nodes[0].name, 'node-0200', 'the not-ready node is listed first');
  const status = Object.fromEntries(s.services.map((x) => [x.name, x.status]));
  assert.deepEqual(status, { ok: 'ok', slow: 'ok', close: 'warning', failing: 'violated', short: 'warning' }, 'slow is within its own objective');
  assert.equal(s.services[0].name, 'failing', 'worst first');
  assert.match(s.services.find((x) => x.name === 'failing')!.reasons[0], /errors 5\.0 % > 1\.0 %/);
  assert.match(s.services.find((x) => x.name === 'short')!.reasons.join('; '), /1\/3 replicas ready; 2 pending/);
  assert.equal(summariseSnapshot(snapshot({ nodes: [node(1, { pricePerHour: 0 })], costPerHour: 0 })).cluster.costPerHour, null, 'no prices: no cost shown');
});

testEachBackend('latest state: one row per run, replaced each tick; newest prefers a running run; rate-limited recorder flushes the last', async (b) => {
  const store = await openStore(await b.fresh());
  try {
    const states = new LatestStateStore(store.db);
    assert.equal(await states.newest(), undefined);
    const done = await store.runs.create({ command: 'simulate' });
    const live = await store.runs.create({ command: 'run' });
    let wall = 1_000_000;
    const rec = (runId: string, minIntervalMs = 0) => new StateRecorder({ sink: states, runId, minIntervalMs, wallClock: () => wall });
    const liveRec = rec(live.id);
    await liveRec.record(snapshot({ at: 100 }));
    wall += 1000;
    await liveRec.record(snapshot({ at: 115, services: [service('web', { replicas: 5, readyReplicas: 5 })] }));
    wall += 1000;
    await rec(done.id).record(snapshot({ at: 999 }));
    await store.runs.complete(done.id, {});

    const rows = await store.db.selectFrom('latest_state').select('run_id').execute();
    assert.equal(rows.filter((r) => r.run_id === live.id).length, 1, 'upserted, not appended');
    const newest = await states.newest();
    assert.equal(newest?.runId, live.id, 'the running run, though the finished one wrote later');
    assert.equal(newest?.state.at, 115);
    assert.equal(newest?.state.services[0].replicas, 5);
    assert.equal(newest?.updatedAt, 1001);
    assert.equal(await states.lastWrite(), 1002);
    await store.runs.complete(live.id, {});
    assert.equal((await states.newest())?.runId, done.id, 'no run is running: the newest write');

    const throttled = rec(live.id, 60_000);
    await throttled.record(snapshot({ at: 200 }));
    await throttled.record(snapshot({ at: 215 }));
    assert.equal((await states.get(live.id))?.state.at, 200, 'held back by the rate limit');
    await throttled.flush();
    assert.equal((await states.get(live.id))?.state.at, 215, 'flushed');
  } finally {
    await store.close();
  }
});

testEachBackend('a simulation records its run\'s latest state (the shop\'s services against their SLOs)', async (b) => {
  const store = await openStore(await b.fresh());
  try {
    const run = await store.runs.create({ command: 'simulate' });
    const prepared = prepareSimulation({ policy: 'hpa', days: 0.05, seed: 2, load: { kind: 'generator', name: 'diurnal' } });
    await runSimulation(prepared, { store, runId: run.id });
    const s = await new LatestStateStore(store.db).get(run.id);
    assert.ok(s, 'state recorded');
    assert.equal(s.state.at, prepared.twin.time, 'the last tick, flushed at the end');
    assert.deepEqual(s.state.services.map((x) => x.name).sort(), ['api', 'checkout', 'web']);
    assert.equal(s.state.services.find((x) => x.name === 'checkout')?.slo.p99Ms, 400);
  } finally {
    await store.close();
  }
});
