import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../src/knowledge/store.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Controller } from '../src/loop/controller.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy, parsePolicy } from '../src/govern/policy.js';
import { UserError } from '../src/core/errors.js';
import type { Proposal } from '../src/core/proposal.js';
import type { Snapshot } from '../src/core/snapshot.js';
import type { LoopMode } from '../src/loop/mode.js';
import { desiredStateFromJournal, appliedActions, type JournalRecord } from '../src/plan/lifecycle/applied-state.js';
import { detectDrift, reconcileDrift, DRIFT_SOURCE } from '../src/plan/lifecycle/drift.js';
import { readDecisions, readDesiredState } from '../src/plan/lifecycle/decision-history.js';
import { checkDrift, formatDriftCheck } from '../src/plan/lifecycle/drift-check.js';
import { DriftPlanner } from '../src/plan/lifecycle/drift-planner.js';
import { DEFAULT_DRIFT_POLICY } from '../src/plan/lifecycle/drift-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-drift-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function twin(): TwinCluster {
  return new TwinCluster({ services: [{ name: 'web', replicas: 3 }, { name: 'api', replicas: 2 }, { name: 'batch-report', replicas: 2 }], nodePools: [{ instanceType: 'm5.xlarge', count: 3 }] });
}

/** Run one loop tick that executes `proposals` on the twin and journals them, as the live loop would. */
async function tick(t: TwinCluster, store: Store, proposals: Proposal[], policy = defaultPolicy(), mode: LoopMode = 'auto'): Promise<void> {
  const c = new Controller({
    source: t, provider: t, mode, guardrails: new Guardrails(policy), journal: store.journal, runId: 'live',
    policies: [{ name: 'test', decide: () => proposals }],
  });
  await c.tick();
}

const scale = (service: string, from: number, to: number, source = 'hpa'): Proposal => ({
  action: { kind: 'scale', service, from, to }, source, rationale: `scale ${service} to ${to}`, evidence: {}, expectedEffect: '',
});

test('drift on the twin: applied by the loop, changed behind its back, detected with the journal entry; report-only by default', async () => {
  const store = await openStore(join(dir, `d${++n}.db`));
  try {
    const t = twin();
    await tick(t, store, [scale('web', 3, 5), scale('api', 2, 4)]);
    // Someone scales web by hand (kubectl scale) — Autonomic is not told.
    t.applyNow({ kind: 'scale', service: 'web', from: 5, to: 9 });
    t.advance(30);

    const entries = await readDecisions(store.journal, 'live');
    const desired = desiredStateFromJournal(entries);
    assert.deepEqual([...desired.services].map(([k, v]) => [k, v.replicas]), [['web', 5], ['api', 4]]);
    const webEntry = entries.find((e) => (e.payload as { action: { service: string } }).action.service === 'web');
    assert.ok(webEntry);

    const report = detectDrift(desired, t.snapshotNow(), DEFAULT_DRIFT_POLICY);
    assert.equal(report.checked, 2);
    assert.equal(report.items.length, 1);
    const [item] = report.items;
    assert.deepEqual(
      { resource: item.resource, field: item.field, desired: item.desired, live: item.live, since: item.since, sourceSeq: item.sourceSeq, ignored: item.ignored },
      { resource: 'service/web', field: 'replicas', desired: 5, live: 9, since: webEntry.at, sourceSeq: webEntry.seq, ignored: false },
    );
    assert.match(item.message, /web runs 9 replicas but Autonomic set 5 replicas .*journal seq \d+.*changed outside Autonomic/);

    const r = reconcileDrift(report, defaultPolicy().drift);
    assert.equal(r.proposals.length, 0);
    assert.match(r.skipped[0].reason, /report-only/);
    assert.equal(t.snapshotNow().services.find((s) => s.name === 'web')?.replicas, 9);
  } finally {
    await store.close();
  }
});

test('drift.reconcile: auto proposes scaling back; through the guardrails and the loop the twin is back at the desired count', async () => {
  const store = await openStore(join(dir, `d${++n}.db`));
  try {
    const t = twin();
    const policy = parsePolicy('drift:\n  reconcile: auto\n  ignore: ["service/batch-*"]\n', 'p.yaml');
    await tick(t, store, [scale('web', 3, 6), scale('batch-report', 2, 1)], policy);
    t.applyNow({ kind: 'scale', service: 'web', from: 6, to: 2 });
    t.applyNow({ kind: 'scale', service: 'batch-report', from: 1, to: 3 });

    const report = detectDrift(desiredStateFromJournal(await readDecisions(store.journal)), t.snapshotNow(), policy.drift);
    assert.deepEqual(report.items.map((i) => [i.resource, i.ignored]), [['service/batch-report', true], ['service/web', false]]);
    const r = reconcileDrift(report, policy.drift);
    assert.deepEqual(r.proposals.map((p) => [p.source, p.action]), [[DRIFT_SOURCE, { kind: 'scale', service: 'web', from: 2, to: 6 }]]);
    assert.match(r.skipped[0].reason, /drift\.ignore/);
    assert.equal(r.proposals[0].evidence.sourceSeq, report.items[1].sourceSeq);

    await tick(t, store, r.proposals, policy);
    assert.equal(t.snapshotNow().services.find((s) => s.name === 'web')?.replicas, 6);
    // The reconciliation is itself an executed decision, so desired state still says 6 and nothing drifts but the ignored one.
    const after = detectDrift(desiredStateFromJournal(await readDecisions(store.journal)), t.snapshotNow(), policy.drift);
    assert.deepEqual(after.items.map((i) => i.resource), ['service/batch-report']);
  } finally {
    await store.close();
  }
});

test('only executed actions define desired state: denied, queued, shadowed and failed decisions do not', async () => {
  const store = await openStore(join(dir, `d${++n}.db`));
  try {
    const t = twin();
    await tick(t, store, [scale('web', 3, 4)]);
    await tick(t, store, [scale('web', 4, 7)], defaultPolicy(), 'shadow');
    await tick(t, store, [{ ...scale('api', 2, 3), action: { kind: 'scale', service: 'nope', from: 1, to: 2 } }]);
    await tick(t, store, [{ action: { kind: 'remove-node', node: t.snapshotNow().nodes[0].name }, source: 'ca', rationale: 'idle', evidence: {}, expectedEffect: '' }]);
    const entries = await readDecisions(store.journal);
    assert.equal(entries.length, 4);
    assert.deepEqual(appliedActions(entries).map((a) => a.action), [{ kind: 'scale', service: 'web', from: 3, to: 4 }]);
    const desired = desiredStateFromJournal(entries);
    assert.equal(desired.services.get('web')?.replicas, 4);
    assert.equal(desired.nodes.size, 0);
    assert.equal(desired.throughSeq, entries[entries.length - 1].seq);
    assert.equal(detectDrift(desired, t.snapshotNow()).items.length, 0);
  } finally {
    await store.close();
  }
});

test('nodes: a removed node that is back and a drained node running pods are reported, never reconciled', () => {
  const t = twin();
  const snap: Snapshot = t.snapshotNow();
  const b = snap.nodes.find((x) => x.pods > 0);
  const a = snap.nodes.find((x) => x !== b);
  assert.ok(a && b);
  const executed = (seq: number, action: unknown): JournalRecord => ({ seq, at: 1000 + seq, kind: 'decision', payload: { action, outcome: { ok: true, message: 'done' } } });
  const entries: JournalRecord[] = [
    executed(1, { kind: 'cordon-drain', node: a.name }),
    executed(2, { kind: 'remove-node', node: a.name }),
    executed(3, { kind: 'cordon-drain', node: b.name }),
    { seq: 4, at: 1004, kind: 'note', payload: { action: { kind: 'remove-node', node: b.name }, outcome: { ok: true } } },
  ];
  const desired = desiredStateFromJournal(entries);
  assert.deepEqual([...desired.nodes].map(([k, v]) => [k, v.state, v.seq]), [[a.name, 'removed', 2], [b.name, 'cordoned', 3]]);
  const report = detectDrift(desired, snap);
  // Items come sorted by resource name.
  assert.deepEqual(report.items.map((i) => [i.resource, i.field, i.desired, i.live]), [
    [`node/${a.name}`, 'present', false, true],
    [`node/${b.name}`, 'pods', 0, b.pods],
  ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  const r = reconcileDrift(report, { reconcile: 'auto', ignore: [] });
  assert.equal(r.proposals.length, 0);
  assert.ok(r.skipped.every((s) => /never reconciled automatically/.test(s.reason)));
});

test('the policy\'s drift section: report-only by default, bad values are located errors', () => {
  assert.deepEqual(defaultPolicy().drift, { reconcile: 'report-only', ignore: [] });
  assert.throws(() => parsePolicy('drift:\n  reconcile: sometimes\n', 'p.yaml'), (e: unknown) => e instanceof UserError && /^p\.yaml:2:14: drift\.reconcile: expected one of "report-only", "auto"/.test(e.message));
  assert.throws(() => parsePolicy('drift:\n  ignores: []\n', 'p.yaml'), (e: unknown) => e instanceof UserError && /drift\.ignores: unknown key/.test(e.message));
});

test('a service gone from the live system is drift that cannot be scaled back', () => {
  const t = twin();
  const snap = t.snapshotNow();
  const entries: JournalRecord[] = [{ seq: 9, at: 50, kind: 'decision', payload: { action: { kind: 'scale', service: 'legacy', from: 1, to: 2 }, outcome: { ok: true, message: '' } } }];
  const report = detectDrift(desiredStateFromJournal(entries), snap);
  assert.deepEqual(report.items.map((i) => [i.resource, i.field, i.desired, i.live]), [['service/legacy', 'present', true, false]]);
  assert.match(reconcileDrift(report, { reconcile: 'auto', ignore: [] }).skipped[0].reason, /missing service/);
});

test('checkDrift reads the journal page-wise; recent changes settle before they count; the text names each drift', async () => {
  const store = await openStore(join(dir, `d${++n}.db`));
  try {
    const t = twin();
    await tick(t, store, [scale('web', 3, 5)]);
    t.applyNow({ kind: 'scale', service: 'web', from: 5, to: 7 });
    const desired = await readDesiredState(store.journal, 'live');
    assert.deepEqual(desired, desiredStateFromJournal(await readDecisions(store.journal, 'live')));
    assert.equal((await readDesiredState(store.journal, 'some-simulation')).services.size, 0);
    // A simulation's decisions acted on a simulated twin; a later live run's count.
    const executed = (runId: string, to: number) => ({ at: t.time, runId, kind: 'decision', actor: 'hpa', summary: '', payload: { action: { kind: 'scale', service: 'api', from: 2, to }, outcome: { ok: true, message: '' } } });
    await store.journal.append(executed('live-2', 2));
    await store.journal.append(executed('sim-1', 11));
    const liveRuns = new Set(['live', 'live-2']);
    const both = await readDesiredState(store.journal, { includeRun: (id) => id !== null && liveRuns.has(id) });
    assert.deepEqual([...both.services].map(([k, v]) => [k, v.replicas]), [['web', 5], ['api', 2]]);

    const fresh = await checkDrift({ journal: store.journal, snapshot: t.snapshotNow(), policy: defaultPolicy().drift, scope: 'live', settleSeconds: 120 });
    assert.equal(fresh.report.items.length, 0);
    assert.equal(fresh.report.settling, 1);
    assert.match(formatDriftCheck(fresh), /1 recent change\(s\) not compared yet/);

    t.advance(180);
    const later = await checkDrift({ journal: store.journal, snapshot: t.snapshotNow(), policy: defaultPolicy().drift, scope: 'live', settleSeconds: 120 });
    assert.equal(later.report.items.length, 1);
    const text = formatDriftCheck(later);
    assert.match(text, /1 drifted of 1 resource\(s\)/);
    assert.match(text, /service\/web replicas: desired 5, live 7 \(seq \d+\)/);
    assert.match(text, /left as is: service\/web \(the policy's drift.reconcile is report-only\)/);
  } finally {
    await store.close();
  }
});

test('DriftPlanner in the loop: learns what ran, journals a drift once, and reconciles only with drift.reconcile: auto', async () => {
  for (const reconcile of ['report-only', 'auto'] as const) {
    const store = await openStore(join(dir, `d${++n}.db`));
    try {
      const t = twin();
      const policy = parsePolicy(`drift: {reconcile: ${reconcile}}\n`, 'p.yaml');
      const planner = await DriftPlanner.fromJournal(store.journal, policy.drift, { scope: 'live' });
      let pending: Proposal[] = [scale('web', 3, 5)];
      const c = new Controller({
        source: t, provider: t, mode: 'auto', guardrails: new Guardrails(policy), journal: store.journal, runId: 'live',
        policies: [planner, { name: 'hpa', decide: () => { const p = pending; pending = []; return p; } }],
      });
      await c.tick(); // the "hpa" scales web 3→5; the planner learns it next tick
      t.advance(15);
      await c.tick();
      t.applyNow({ kind: 'scale', service: 'web', from: 5, to: 8 }); // by hand
      for (let i = 0; i < 3; i++) {
        t.advance(15);
        await c.tick();
      }
      const notes = await store.journal.list({ kind: 'drift' });
      assert.equal(notes.length, 1, reconcile);
      assert.match(notes[0].summary, /web runs 8 replicas but Autonomic set 5 replicas .*this run/);
      const web = t.snapshotNow().services.find((s) => s.name === 'web')?.replicas;
      assert.equal(web, reconcile === 'auto' ? 5 : 8, reconcile);
      const reconciled = (await store.journal.list({ kind: 'decision' })).filter((e) => e.actor === DRIFT_SOURCE);
      assert.equal(reconciled.length, reconcile === 'auto' ? 1 : 0, reconcile);
    } finally {
      await store.close();
    }
  }
});

test('degraded telemetry yields no drift; DaemonSet pods on a drained node are not an uncordon', () => {
  const t = twin();
  const snap = t.snapshotNow();
  const busy = snap.nodes.find((x) => x.pods > 0);
  assert.ok(busy);
  const entries: JournalRecord[] = [
    { seq: 1, at: 10, kind: 'decision', payload: { action: { kind: 'cordon-drain', node: busy.name }, outcome: { ok: true, message: '' } } },
    { seq: 2, at: 11, kind: 'decision', payload: { action: { kind: 'scale', service: 'web', from: 3, to: 9 }, outcome: { ok: true, message: '' } } },
  ];
  const desired = desiredStateFromJournal(entries);
  const stale = detectDrift(desired, { ...snap, degraded: 'prometheus: timeout' });
  assert.deepEqual(stale.items, []);
  assert.equal(stale.degraded, 'prometheus: timeout');
  assert.match(formatDriftCheck({ report: stale, reconciliation: reconcileDrift(stale, DEFAULT_DRIFT_POLICY) }), /Drift not checked: the telemetry is degraded/);

  assert.deepEqual(detectDrift(desired, snap, DEFAULT_DRIFT_POLICY, { podsAfterDrain: busy.pods }).items.map((i) => i.resource), ['service/web']);
  assert.deepEqual(detectDrift(desired, snap, DEFAULT_DRIFT_POLICY, { podsAfterDrain: busy.pods - 1 }).items.map((i) => i.resource).sort(), [`node/${busy.name}`, 'service/web'].sort());
});
