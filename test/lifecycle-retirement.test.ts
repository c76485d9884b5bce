import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Controller } from '../src/loop/controller.js';
import { ApprovalFlow } from '../src/loop/approval-flow.js';
import { LOOP_MODES } from '../src/loop/mode.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { parsePolicy, defaultPolicy } from '../src/govern/policy.js';
import { ApprovalQueue } from '../src/govern/approvals.js';
import { MemoryApprovalRepository } from '../src/govern/memory-approval-repository.js';
import { openStore } from '../src/knowledge/store.js';
import { TelemetryStore, BUCKET_SECONDS } from '../src/knowledge/telemetry.js';
import { requestRateKey } from '../src/loop/telemetry-recorder.js';
import type { Snapshot } from '../src/core/snapshot.js';
import {
  findRetirementCandidates, retirementProposal, HOURS_PER_MONTH, RETIREMENT_SOURCE, type BucketSeries,
} from '../src/plan/lifecycle/retirement.js';
import { queueRetirements, withRetirementApproval, RETIREMENT_APPROVAL_REASON } from '../src/plan/lifecycle/retirement-approval.js';
import { NodeOccupancyRecorder, nodePodsKey } from '../src/plan/lifecycle/node-occupancy.js';
import { loadRetirementHistory } from '../src/plan/lifecycle/retirement-history.js';
import { parseServiceGraph } from '../src/plan/lifecycle/service-graph.js';
import { scanRetirements, formatRetirements } from '../src/plan/lifecycle/retirement-scan.js';
import { UserError } from '../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-retire-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400;

function twin(): TwinCluster {
  return new TwinCluster({
    services: [{ name: 'web', replicas: 3 }, { name: 'api', replicas: 2 }, { name: 'legacy-reports', replicas: 2, cpuRequestMillis: 1000 }],
    nodePools: [{ instanceType: 'm5.xlarge', count: 3 }],
  });
}

/** `days` of 5-minute buckets ending at `end`, each `value`. */
function series(end: number, days: number, value: (i: number) => number): BucketSeries {
  const n = Math.round((days * DAY) / BUCKET_SECONDS);
  const start = Math.floor(end / BUCKET_SECONDS) * BUCKET_SECONDS - n * BUCKET_SECONDS;
  return { values: Float64Array.from({ length: n }, (_, i) => value(i)), start, stepSeconds: BUCKET_SECONDS };
}

/** The twin's snapshot with api and legacy-reports seeing no traffic now, and one node emptied. */
function inventory(t: TwinCluster): { snap: Snapshot; emptyNode: string } {
  const s = t.snapshotNow();
  const empty = s.nodes.find((n) => n.pods === 0) ?? s.nodes[s.nodes.length - 1];
  return {
    snap: {
      ...s,
      services: s.services.map((x) => (x.name === 'web' ? x : { ...x, requestRate: 0 })),
      nodes: s.nodes.map((n) => (n.name === empty.name ? { ...n, pods: 0 } : n)),
    },
    emptyNode: empty.name,
  };
}

test('idle service and empty node found from stored history, with dependents, traffic seen and monthly saving', () => {
  const t = twin();
  const { snap, emptyNode } = inventory(t);
  const now = snap.at;
  const requestRates = new Map<string, BucketSeries>([
    ['web', series(now, 20, () => 120)],
    ['api', series(now, 20, (i) => (i === 100 ? 5 : 0))], // one burst of traffic about 19.6 days ago
    ['legacy-reports', series(now, 20, () => 0)],
  ]);
  const nodePods = new Map<string, BucketSeries>(snap.nodes.map((n) => [n.name, series(now, 2, () => (n.name === emptyNode ? 0 : 3))]));
  const found = findRetirementCandidates(
    { snapshot: snap, requestRates, nodePods, dependencies: { web: ['api'], api: ['legacy-reports'] } },
    { idleServiceDays: 14, idleNodeHours: 24 },
  );
  // api's only traffic lies outside the 14-day window: idle too.
  assert.deepEqual(found.map((c) => c.resource).sort(), ['node/' + emptyNode, 'service/api', 'service/legacy-reports'].sort());

  const legacy = found.find((c) => c.resource === 'service/legacy-reports');
  assert.ok(legacy);
  assert.deepEqual(legacy.action, { kind: 'scale', service: 'legacy-reports', from: 2, to: 0 });
  assert.deepEqual(legacy.impact.dependents, ['api']);
  assert.equal(legacy.impact.routedBy, 'unknown');
  assert.equal(legacy.impact.traffic.max, 0);
  assert.equal(legacy.impact.traffic.coverage, 1);
  assert.equal(legacy.impact.traffic.windowSeconds, 14 * DAY);
  assert.ok(legacy.impact.notes.some((x) => /api declares a dependency on legacy-reports/.test(x)));
  // 2 replicas × 1000 m at the cluster's price per millicore (m5.xlarge: 4 vCPU, $ per hour from the twin).
  const ready = snap.nodes.filter((n) => n.ready);
  const perMilli = ready.reduce((a, n) => a + n.pricePerHour, 0) / ready.reduce((a, n) => a + n.cpuAllocatableMillis, 0);
  const perMiB = ready.reduce((a, n) => a + n.pricePerHour, 0) / ready.reduce((a, n) => a + n.memoryAllocatableMiB, 0);
  const want = Math.round(2 * Math.max(1000 * perMilli, 512 * perMiB) * HOURS_PER_MONTH * 100) / 100;
  assert.equal(legacy.impact.costSavedPerMonth, want);
  assert.ok(want > 0);

  const node = found.find((c) => c.kind === 'node');
  assert.ok(node);
  assert.deepEqual(node.action, { kind: 'remove-node', node: emptyNode });
  const price = snap.nodes.find((n) => n.name === emptyNode)?.pricePerHour ?? NaN;
  assert.equal(node.impact.costSavedPerMonth, Math.round(price * HOURS_PER_MONTH * 100) / 100);
  assert.equal(node.impact.traffic.unit, 'pods');

  const p = retirementProposal(legacy);
  assert.equal(p.source, RETIREMENT_SOURCE);
  assert.equal(p.evidence.requiresApproval, true);
  assert.match(p.rationale, /Retire service\/legacy-reports: legacy-reports served no requests in the last 14 days .* saves about \$[\d.]+\/month/);
});

test('not enough history, any traffic, or a busy node: not a candidate (missing data is not idleness)', () => {
  const t = twin();
  const { snap, emptyNode } = inventory(t);
  const now = snap.at;
  const found = findRetirementCandidates({
    snapshot: snap,
    requestRates: new Map([
      ['web', series(now, 20, () => 120)],
      ['api', series(now, 3, () => 0)], // only 3 days stored
      ['legacy-reports', series(now, 20, (i) => (i === 5000 ? 0.2 : 0))], // one request in the window
    ]),
    nodePods: new Map([[emptyNode, series(now, 2, (i) => (i === 500 ? 1 : 0))]]), // a pod 7 hours ago
  }, { idleServiceDays: 14, idleNodeHours: 24 });
  assert.deepEqual(found, []);
});

test('orphaned: nothing routes to it and no traffic now, even with little history; a route keeps an idle service but is named', () => {
  const t = twin();
  const { snap } = inventory(t);
  const found = findRetirementCandidates({
    snapshot: snap, requestRates: new Map([['api', series(snap.at, 20, () => 0)]]), nodePods: new Map(),
    routes: { web: ['ingress/shop'], api: ['service/api'], 'legacy-reports': [] },
  });
  const byName = new Map(found.map((c) => [c.resource, c]));
  assert.match(byName.get('service/legacy-reports')?.reason ?? '', /nothing routes to it \(orphaned\)/);
  assert.ok(byName.get('service/api')?.impact.notes.some((x) => /still routed to by service\/api/.test(x)));
  assert.equal(byName.has('service/web'), false);
});

test('retirement always needs a human: in every loop mode, even with every risk tier low, nothing is executed', async () => {
  const lowEverything = parsePolicy('services:\n  "*": {minReplicas: 0}\nriskTiers:\n  scale: low\n  remove-node: low\n  cordon-drain: low\n', 'p.yaml');
  for (const mode of LOOP_MODES) {
    const t = twin();
    const { snap, emptyNode } = inventory(t);
    const candidates = findRetirementCandidates({
      snapshot: snap,
      requestRates: new Map([['legacy-reports', series(snap.at, 20, () => 0)]]),
      nodePods: new Map([[emptyNode, series(snap.at, 2, () => 0)]]),
    });
    assert.equal(candidates.length, 2);
    const repo = new MemoryApprovalRepository();
    const c = new Controller({
      source: t, provider: t, mode,
      guardrails: withRetirementApproval(new Guardrails(lowEverything)),
      approvals: new ApprovalFlow({ repo, expirySeconds: 3600 }),
      policies: [{ name: 'retirement', decide: () => candidates.map(retirementProposal) }],
    });
    const nodesBefore = t.snapshotNow().nodes.length;
    const r = await c.tick();
    assert.equal(r.executed, 0, mode);
    assert.ok(r.decisions.every((d) => d.verdict.outcome === 'needs-approval' && d.outcome === null), mode);
    assert.ok(r.decisions.every((d) => d.verdict.reasons.includes(RETIREMENT_APPROVAL_REASON)), mode);
    const after = t.snapshotNow();
    assert.equal(after.services.find((s) => s.name === 'legacy-reports')?.replicas, 2, mode);
    assert.equal(after.nodes.length, nodesBefore, mode);
    // dry-run decides only; the other modes queue both for a person.
    assert.equal((await repo.list({ status: 'pending' })).length, mode === 'dry-run' ? 0 : 2, mode);
  }
  // The same proposals without the retirement gate would have run: the gate is what stops them.
  const t = twin();
  const { snap } = inventory(t);
  const [svc] = findRetirementCandidates({ snapshot: snap, requestRates: new Map([['legacy-reports', series(snap.at, 20, () => 0)]]), nodePods: new Map() });
  const verdict = new Guardrails(lowEverything).check(retirementProposal(svc), snap, snap.at);
  assert.equal(verdict.outcome, 'allow');
});

test('queueRetirements: each candidate checked by the guardrails and queued as needs-approval; a denied one is not queued', async () => {
  const t = twin();
  const { snap, emptyNode } = inventory(t);
  const candidates = findRetirementCandidates({
    snapshot: snap,
    requestRates: new Map([['legacy-reports', series(snap.at, 20, () => 0)]]),
    nodePods: new Map([[emptyNode, series(snap.at, 2, () => 0)]]),
  });
  const repo = new MemoryApprovalRepository();
  const queue = new ApprovalQueue(repo, { expirySeconds: 600 });
  // Default policy: minReplicas 1 clamps the scale-to-zero; remove-node is high risk anyway.
  const queued = await queueRetirements(candidates, { gate: new Guardrails(defaultPolicy()), sink: queue, snapshot: snap, now: snap.at });
  assert.equal(queued.length, 2);
  for (const q of queued) {
    assert.equal(q.verdict.outcome, 'needs-approval');
    assert.ok(q.approvalId);
    const a = await queue.get(q.approvalId);
    assert.equal(a?.status, 'pending');
    assert.equal(a?.source, RETIREMENT_SOURCE);
  }
  const svc = queued.find((q) => q.candidate.kind === 'service');
  assert.deepEqual(svc?.verdict.action, { kind: 'scale', service: 'legacy-reports', from: 2, to: 1 });

  // Degraded telemetry: the guardrails deny taking capacity away, so nothing is queued.
  const degraded = { ...snap, degraded: 'prometheus unreachable' };
  const denied = await queueRetirements(candidates, { gate: new Guardrails(defaultPolicy()), sink: queue, snapshot: degraded, now: snap.at });
  assert.ok(denied.every((q) => q.verdict.outcome === 'deny' && q.approvalId === undefined));
  assert.equal((await repo.list()).length, 2);
});

test('node occupancy is recorded per closed 5-minute bucket and read back from the store for retirement', async () => {
  const store = await openStore(join(dir, 'k.db'));
  try {
    const telemetry = new TelemetryStore(store.db);
    const rec = new NodeOccupancyRecorder(telemetry);
    const t = twin();
    const base = t.snapshotNow();
    const busy = base.nodes.find((n) => n.pods > 0);
    assert.ok(busy);
    const empty = base.nodes.find((n) => n !== busy);
    assert.ok(empty);
    const start = Math.ceil(base.at / BUCKET_SECONDS) * BUCKET_SECONDS;
    // 26 hours of one-minute ticks; the busy node has a pod only in one minute of its first bucket.
    for (let m = 0; m <= 26 * 60; m++) {
      const at = start + m * 60;
      await rec.record({
        ...base, at,
        nodes: base.nodes.map((n) => ({ ...n, pods: n === busy ? (m === 2 ? 1 : 0) : n === empty ? 0 : 2 })),
      });
    }
    const first = await telemetry.history(nodePodsKey(busy.name));
    assert.equal(first?.values[0], 1, 'the bucket keeps the most pods seen in it');
    for (const s of base.services) await telemetry.append(requestRateKey(s.name), start / BUCKET_SECONDS, new Array(26 * 12).fill(s.name === 'api' ? 0 : 10));

    const now = start + 26 * 3600;
    const snap: Snapshot = {
      ...base, at: now,
      services: base.services.map((x) => (x.name === 'api' ? { ...x, requestRate: 0 } : x)),
      nodes: base.nodes.map((n) => ({ ...n, pods: n === busy || n === empty ? 0 : 2 })),
    };
    const history = await loadRetirementHistory(telemetry, snap);
    assert.equal(history.requestRates.size, 3);
    const found = findRetirementCandidates({ snapshot: snap, ...history }, { idleNodeHours: 24, idleServiceDays: 1 });
    // Both nodes have been empty for the last 24 hours (busy's pod was 26 hours ago); api saw no requests for a day.
    assert.deepEqual(found.map((c) => c.resource).sort(), [`node/${busy.name}`, `node/${empty.name}`, 'service/api'].sort());
  } finally {
    await store.close();
  }
});

test('autonomic retire pieces: service graph file (located errors), scan from the store, and the printed impact', async () => {
  const graph = parseServiceGraph('dependencies:\n  web: [api]\n  api: [legacy-reports]\nroutes:\n  legacy-reports: []\n', 'graph.yaml');
  assert.deepEqual(graph.routes, { 'legacy-reports': [] });
  assert.throws(() => parseServiceGraph('dependencies:\n  web: api\n', 'graph.yaml'), (e: unknown) => e instanceof UserError && /^graph\.yaml:2:8: dependencies\.web: expected a list/.test(e.message));
  assert.throws(() => parseServiceGraph('depends: {}\n', 'graph.yaml'), (e: unknown) => e instanceof UserError && /unknown key "depends"/.test(e.message));

  const store = await openStore(join(dir, 'scan.db'));
  try {
    const telemetry = new TelemetryStore(store.db);
    const t = twin();
    const { snap } = inventory(t);
    const first = Math.floor(snap.at / BUCKET_SECONDS) - 15 * 288;
    await telemetry.append(requestRateKey('legacy-reports'), first, new Array(15 * 288).fill(0));
    await telemetry.append(requestRateKey('web'), first, new Array(15 * 288).fill(50));
    const candidates = await scanRetirements({ snapshot: snap, history: telemetry, graph, options: { idleServiceDays: 14 } });
    assert.deepEqual(candidates.map((c) => c.resource), ['service/legacy-reports']);
    const queued = await queueRetirements(candidates, { gate: new Guardrails(defaultPolicy()), sink: new ApprovalQueue(new MemoryApprovalRepository()), snapshot: snap, now: snap.at });
    const text = formatRetirements(queued);
    assert.match(text, /^service\/legacy-reports: legacy-reports served no requests in the last 14 days/);
    assert.match(text, /depended on by: api; routed to by: nothing/);
    assert.match(text, /queued for approval [0-9a-f-]{36} \(scale to 1\)/);
    assert.match(text, /1 candidate\(s\), about \$[\d.]+\/month in all\. Retirement always waits for a human's approval\./);
    assert.match(formatRetirements([]), /Nothing to retire/);
  } finally {
    await store.close();
  }
});

test('bad retirement options are user errors naming the field', () => {
  const { snap } = inventory(twin());
  assert.throws(() => findRetirementCandidates({ snapshot: snap, requestRates: new Map(), nodePods: new Map() }, { idleServiceDays: -3 }),
    (e: unknown) => e instanceof UserError && /^retirement options: idleServiceDays: /.test(e.message));
});
