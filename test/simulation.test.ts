import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildPlanners, prepareSimulation, runSimulation, SimulationSpecSchema,
  type PreparedSimulation, type SimulationDeps, type SimulationReport, type SimulationSpecInput,
} from '../src/loop/simulation.js';
import { SCENARIO_NODE_TYPE, SCENARIO_NODES, staticReplicas } from '../src/loop/scenario.js';
import { Controller, type Decision } from '../src/loop/controller.js';
import { ApprovalFlow } from '../src/loop/approval-flow.js';
import { trackedSimulation } from '../src/interfaces/cli/tracked-run.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import { stableStringify, type JournalEntry, type JsonValue } from '../src/knowledge/journal.js';
import { CATALOGUE } from '../src/execute/twin/catalogue.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { actionTarget, type Action } from '../src/core/action.js';
import type { Proposal } from '../src/core/proposal.js';
import type { ScalingPolicy, PlanContext } from '../src/plan/scaling/policy.js';
import type { Analyzer } from '../src/analyze/assessment.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import { ApprovalQueue } from '../src/govern/approvals.js';
import { MemoryApprovalRepository } from '../src/govern/memory-approval-repository.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-sim-'));
/** Stores shared between tests, closed when the file is done. */
const shared: Store[] = [];
after(async () => {
  for (const s of shared) await s.close();
  rmSync(dir, { recursive: true, force: true });
});
let dbs = 0;
const freshDb = (): string => join(dir, `s${++dbs}.db`);

const FAULTS = 'node-crash@2h,crash-loop:web@3h,memory-leak:api@4h,bad-rollout:checkout@5h';
const SPEC: SimulationSpecInput = { policy: 'autonomic', days: 0.25, seed: 7, load: { kind: 'generator', name: 'diurnal' }, faults: FAULTS };

/** The report without the fields that measure this machine rather than the simulation. */
function stable(r: SimulationReport): Omit<SimulationReport, 'wallSeconds' | 'tickMsP50'> {
  const { wallSeconds: _w, tickMsP50: _t, ...rest } = r;
  return rest;
}

async function simulate(spec: SimulationSpecInput, deps: SimulationDeps = {}): Promise<{ report: SimulationReport; prepared: PreparedSimulation }> {
  const prepared = prepareSimulation(spec);
  return { report: await runSimulation(prepared, deps), prepared };
}

let baseline: Promise<{ report: SimulationReport; prepared: PreparedSimulation }> | undefined;
const baselineRun = (): Promise<{ report: SimulationReport; prepared: PreparedSimulation }> => (baseline ??= simulate(SPEC));

/** The scenario's start (the twin's default start time). */
const T0 = 1704067200;
const price = CATALOGUE.get(SCENARIO_NODE_TYPE)?.onDemandPerHour ?? NaN;

test('same seed → the same report and the same final twin; another seed → a different one', async () => {
  const a = await baselineRun();
  const b = await simulate(SPEC);
  const c = await simulate({ ...SPEC, seed: 8 });
  assert.deepEqual(stable(b.report), stable(a.report));
  assert.deepEqual(b.prepared.twin.stats(), a.prepared.twin.stats());
  assert.deepEqual(b.prepared.twin.snapshotNow().nodes, a.prepared.twin.snapshotNow().nodes);
  assert.notDeepEqual(stable(c.report), stable(a.report));
  assert.notEqual(c.report.offered, a.report.offered, 'the load itself depends on the seed');
  // The run is not trivial: the loop acted, queued, and the faults cost something.
  assert.ok(a.report.actions > 10 && a.report.queuedForApproval > 0 && a.report.dropped > 0, JSON.stringify(a.report));
  assert.equal(a.report.ticks, (0.25 * 86400) / 15);
});

test('conservation over the whole run: offered = served + dropped (+ the queue left at the end), per service', async () => {
  const { report, prepared } = await baselineRun();
  const st = prepared.twin.stats();
  for (const s of st.services) {
    assert.ok(s.offered > 1e5, `${s.name} offered ${s.offered}`);
    const balance = s.offered - (s.served + s.dropped + s.backlog);
    assert.ok(Math.abs(balance) <= 1e-9 * s.offered, `${s.name}: offered ${s.offered} vs served ${s.served} + dropped ${s.dropped} + queued ${s.backlog}`);
    assert.ok(s.backlog >= 0 && s.backlog < 1e-6 * s.offered, `${s.name}: ${s.backlog} still queued`);
    assert.ok(s.failed >= 0 && s.failed <= s.served);
  }
  assert.ok(st.dropped > 0 && st.failed > 0, 'the faults dropped and failed requests, so the balance is not trivially 0 = 0');
  const sum = (f: (s: (typeof st.services)[number]) => number): number => st.services.reduce((n, s) => n + f(s), 0);
  assert.equal(report.offered, Math.round(sum((s) => s.offered)));
  assert.equal(report.dropped, Math.round(sum((s) => s.dropped)));
  assert.equal(report.failed, Math.round(sum((s) => s.failed)));
  assert.ok(Math.abs(report.errorPct - (100 * (st.dropped + st.failed)) / st.offered) <= 5e-4);
});

test('cost = Σ node-seconds × $/h over the whole run, with nodes lost, added and removed by the loop', async () => {
  const { report, prepared } = await baselineRun();
  const st = prepared.twin.stats();
  assert.ok(Number.isFinite(price) && price > 0);
  // Two accumulators of the twin (spend rate × time, and node count × time) must agree: one node type, on demand.
  assert.ok(Math.abs(st.costDollars - (st.nodeSeconds * price) / 3600) <= 1e-9 * st.costDollars, `${st.costDollars} vs ${(st.nodeSeconds * price) / 3600}`);
  assert.ok(Math.abs(report.costDollars - report.nodeHours * price) <= 0.05 * price + 0.005, `${report.costDollars} vs ${report.nodeHours} h × ${price}`);
  assert.equal(report.costDollars, Math.round(st.costDollars * 100) / 100);
  // The fleet did change (a crash, autoscaler additions and approved removals), so this is not count × time.
  assert.notEqual(report.nodeHours, SCENARIO_NODES * 6);
});

// ---------------------------------------------------------------- resume

/** A journal entry without what is random per process (approval ids) or per machine (wall time). */
function comparable(e: JournalEntry): { at: number; kind: string; actor: string; summary: string; payload: JsonValue } {
  const strip = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'approvalId' && k !== 'wallSeconds' && k !== 'tickMsP50') out[k] = strip(x);
    return out;
  };
  return { at: e.at, kind: e.kind, actor: e.actor, summary: e.summary, payload: strip(e.payload) };
}

const approvalIdOf = (e: JournalEntry): string | undefined => {
  const p = e.payload;
  return p !== null && typeof p === 'object' && !Array.isArray(p) && typeof p.approvalId === 'string' ? p.approvalId : undefined;
};

async function runJournal(store: Store, runId: string): Promise<JournalEntry[]> {
  return store.journal.list({ runId, limit: 100000 });
}

/** Stops the run by throwing from its progress callback at the `stopAtHour`-th simulated hour, as a crash would. */
async function interruptedThenResumed(spec: SimulationSpecInput, stopAtHour: number): Promise<{ store: Store; runId: string; report: SimulationReport }> {
  const store = await openStore(freshDb());
  let hours = 0;
  await assert.rejects(
    trackedSimulation(store, prepareSimulation(spec), () => {
      if (++hours === stopAtHour) throw new Error('simulated crash');
    }),
    /simulated crash/,
  );
  const [stopped] = await store.runs.list();
  assert.equal(stopped.status, 'failed');
  const journaledUntil = await store.journal.lastAt(stopped.id);
  assert.ok(journaledUntil !== undefined && journaledUntil <= T0 + stopAtHour * 3600, `journaled until ${journaledUntil}`);
  // As `autonomic runs resume` does: the spec from the run, a fresh twin, the run taken over, a deterministic replay.
  const again = prepareSimulation(SimulationSpecSchema.parse(stopped.config));
  const resumed = await store.runs.resume(stopped.id);
  const { report } = await trackedSimulation(store, again, () => undefined, resumed);
  return { store, runId: stopped.id, report };
}

for (const c of [
  { name: 'an approval queued before the stop and approved after it', approveAfterSeconds: 5400, days: 0.25, stopAtHour: 1 },
  { name: 'approvals nobody decides', approveAfterSeconds: null, days: 0.25, stopAtHour: 3 },
]) {
  test(`a run stopped part-way and resumed ends exactly like an uninterrupted one (${c.name})`, async () => {
    const spec: SimulationSpecInput = { ...SPEC, days: c.days, approveAfterSeconds: c.approveAfterSeconds };
    const whole = await openStore(freshDb());
    const { run, report: want } = await trackedSimulation(whole, prepareSimulation(spec), () => undefined);
    const { store, runId, report: got } = await interruptedThenResumed(spec, c.stopAtHour);
    try {
      assert.deepEqual(stable(got), stable(want));
      const done = await store.runs.get(runId);
      assert.equal(done?.status, 'completed');

      // The journal holds every entry once: nothing lost at the stop, nothing written twice by the replay.
      const wantJournal = await runJournal(whole, run.id);
      const gotJournal = await runJournal(store, runId);
      assert.deepEqual(gotJournal.map(comparable), wantJournal.map(comparable));
      assert.deepEqual(await store.journal.verify(), { ok: true, entries: gotJournal.length, head: await store.journal.head() });

      // The approval queue ends the same, and every row is one the run's journal knows: no orphan left behind by the
      // interrupted process, no duplicate queued by the resumed one.
      const rows = async (s: Store): Promise<string[]> =>
        (await s.approvals.list()).map((a) => `${a.status} ${a.decidedBy ?? '-'} ${JSON.stringify(a.action)}`).sort();
      assert.deepEqual(await rows(store), await rows(whole));
      const referenced = new Set(gotJournal.map(approvalIdOf).filter((id): id is string => id !== undefined));
      assert.deepEqual(new Set((await store.approvals.list()).map((a) => a.id)), referenced);
      assert.ok(referenced.size > 0, 'the case must involve approvals to mean anything');
      if (c.approveAfterSeconds !== null) {
        assert.ok((await store.approvals.list()).some((a) => a.status === 'executed'));
      }
    } finally {
      await whole.close();
      await store.close();
    }
  });
}

// ---------------------------------------------------------------- modes

const MODE_SPEC: SimulationSpecInput = { policy: 'autonomic', days: 0.25, seed: 2, load: { kind: 'generator', name: 'diurnal' }, faults: 'bad-rollout:checkout@1h,crash-loop:web@2h' };

function assertUntouched(twin: TwinCluster): void {
  const s = twin.snapshotNow();
  assert.deepEqual(Object.fromEntries(s.services.map((x) => [x.name, x.replicas])), staticReplicas());
  assert.equal(s.nodes.length, SCENARIO_NODES);
  assert.ok(s.nodes.every((n) => n.ready && !n.provisioning));
  const st = twin.stats();
  assert.ok(Math.abs(st.costDollars - (SCENARIO_NODES * 6 * price)) < 1e-6, 'billed for exactly the starting nodes');
}

interface DecisionPayload {
  mode: string;
  verdict: string;
  outcome: JsonValue;
  proposed: JsonValue;
}

function decisionPayload(e: JournalEntry): DecisionPayload {
  const p = e.payload;
  assert.ok(p !== null && typeof p === 'object' && !Array.isArray(p));
  return { mode: String(p.mode), verdict: String(p.verdict), outcome: p.outcome ?? null, proposed: p.proposed ?? null };
}

/** The shadow run, shared by the two mode tests (with an operator who would approve at once). */
let shadow: Promise<{ store: Store; report: SimulationReport; prepared: PreparedSimulation }> | undefined;
const shadowRun = (): Promise<{ store: Store; report: SimulationReport; prepared: PreparedSimulation }> =>
  (shadow ??= (async () => {
    const store = await openStore(':memory:');
    shared.push(store);
    return { store, ...(await simulate({ ...MODE_SPEC, mode: 'shadow', approveAfterSeconds: 0 }, { store, runId: 'shadow' })) };
  })());

test('shadow mode decides and journals everything but executes nothing: the twin stays as it started', async () => {
  const { store, report, prepared } = await shadowRun();
  {
    assert.equal(report.actions, 0);
    assertUntouched(prepared.twin);
    const decisions = await store.journal.list({ runId: 'shadow', kind: 'decision', limit: 100000 });
    assert.ok(decisions.length > 50, `${decisions.length} decisions`);
    for (const e of decisions) {
      const p = decisionPayload(e);
      assert.equal(p.mode, 'shadow');
      assert.equal(p.outcome, null, e.summary);
      assert.match(e.summary, /not executed \(shadow\)|queued for approval|denied/);
    }
    // The faults' playbooks are among them: the rollback the bad rollout calls for is recorded, not run.
    assert.ok(decisions.some((e) => e.actor === 'remediation/bad-rollout' && /roll back checkout not executed \(shadow\)/.test(e.summary)));
    assert.ok(decisions.some((e) => e.actor === 'predictive'));
    // Even with an operator who approves at once, nothing queued is approved or executed in shadow mode.
    assert.ok((await store.approvals.list()).every((a) => a.status === 'pending'));
    assert.ok(decisions.some((e) => decisionPayload(e).verdict === 'needs-approval'), 'a high-risk action was among the decisions');
    assert.equal((await store.journal.list({ runId: 'shadow', kind: 'approval' })).length, 0);
  }
});

test('dry-run decides (the same decisions as shadow) but executes, queues and journals nothing', async () => {
  const store = await openStore(':memory:');
  try {
    const { report, prepared } = await simulate({ ...MODE_SPEC, mode: 'dry-run', approveAfterSeconds: 0 }, { store, runId: 'dry' });
    assert.equal(report.actions, 0);
    assert.equal(report.queuedForApproval, 0, 'nothing was queued');
    assertUntouched(prepared.twin);
    assert.equal(await store.journal.count(), 0);
    assert.deepEqual(await store.approvals.list(), []);
  } finally {
    await store.close();
  }

  // The decisions themselves, tick by tick, from a controller in dry-run over the same spec...
  const dry = prepareSimulation({ ...MODE_SPEC, mode: 'dry-run' });
  const { policies, analyzers } = buildPlanners('autonomic', dry.guardrailPolicy);
  const controller = new Controller({ source: dry.twin, provider: dry.twin, policies, analyzers, guardrails: new Guardrails(dry.guardrailPolicy), mode: 'dry-run' });
  const seen: { at: number; actor: string; proposed: Action; verdict: string }[] = [];
  let shadowed = 0;
  let undecided = 0;
  for (let i = 0; i < (0.25 * 86400) / 15; i++) {
    dry.twin.advance(15);
    const r = await controller.tick();
    shadowed += r.shadowed;
    assert.equal(r.executed, 0);
    for (const d of r.decisions) {
      assert.equal(d.outcome, null);
      if (d.verdict.outcome !== 'deny') undecided++;
      seen.push({ at: r.at, actor: d.proposal.source, proposed: d.proposal.action, verdict: d.verdict.outcome });
    }
  }
  assert.equal(shadowed, undecided, 'every decision not denied is counted as not executed because of the mode');
  assertUntouched(dry.twin);

  // ...are the ones a shadow run journals (which queues a high-risk action once, where dry-run decides it every tick).
  const { store: shadowStore } = await shadowRun();
  {
    const journaled = (await shadowStore.journal.list({ runId: 'shadow', kind: 'decision', limit: 100000 })).map((e) => {
      const p = decisionPayload(e);
      return { at: e.at, actor: e.actor, proposed: p.proposed, verdict: p.verdict };
    });
    const key = (x: { at: number; actor: string; proposed: JsonValue | Action; verdict: string }): string => `${x.at} ${x.actor} ${stableStringify(x.proposed)} ${x.verdict}`;
    assert.deepEqual(seen.filter((x) => x.verdict !== 'needs-approval').map(key), journaled.filter((x) => x.verdict !== 'needs-approval').map(key));
    const targets = (xs: { proposed: JsonValue | Action; verdict: string }[]): string[] =>
      [...new Set(xs.filter((x) => x.verdict === 'needs-approval').map((x) => stableStringify(x.proposed)))].sort();
    assert.ok(targets(journaled).length > 0);
    assert.deepEqual(targets(seen), targets(journaled));
    assert.ok(seen.filter((x) => x.verdict === 'needs-approval').length > journaled.filter((x) => x.verdict === 'needs-approval').length);
  }
});

// ---------------------------------------------------------------- approvals

/** Wraps planners to count, per resource, the ticks on which a high-risk action was proposed for it. */
function spying(planners: { policies: ScalingPolicy[]; analyzers: Analyzer[] }, counts: Map<string, number>): { policies: ScalingPolicy[]; analyzers: Analyzer[] } {
  return {
    analyzers: planners.analyzers,
    policies: planners.policies.map((p): ScalingPolicy => ({
      name: p.name,
      decide(ctx: PlanContext): Proposal[] {
        const out = p.decide(ctx);
        for (const x of out) if (x.action.kind === 'remove-node' || x.action.kind === 'cordon-drain') counts.set(actionTarget(x.action), (counts.get(actionTarget(x.action)) ?? 0) + 1);
        return out;
      },
    })),
  };
}

const APPROVAL_SPEC: SimulationSpecInput = { policy: 'autonomic', days: 0.25, seed: 7, load: { kind: 'generator', name: 'diurnal' } };

test('a high-risk action waits in the approval queue exactly once while the planner keeps proposing it', async () => {
  const store = await openStore(':memory:');
  try {
    const prepared = prepareSimulation({ ...APPROVAL_SPEC, approveAfterSeconds: null });
    const proposed = new Map<string, number>();
    const report = await runSimulation(prepared, { store, runId: 'wait', planners: spying(buildPlanners('autonomic', prepared.guardrailPolicy), proposed) });
    const rows = await store.approvals.list();
    assert.ok(rows.length > 0);
    assert.equal(report.queuedForApproval, rows.length);
    const queuedDecisions = (await store.journal.list({ runId: 'wait', kind: 'decision', limit: 100000 })).filter((e) => decisionPayload(e).verdict === 'needs-approval');
    assert.deepEqual(queuedDecisions.map(approvalIdOf).sort(), rows.map((r) => r.id).sort(), 'one journal entry per queued row');
    for (const r of rows) {
      assert.equal(r.status, 'pending');
      const target = actionTarget(r.action);
      assert.equal(rows.filter((x) => actionTarget(x.action) === target).length, 1, `${target} queued more than once`);
      assert.ok((proposed.get(target) ?? 0) >= 20, `${target} was proposed on ${proposed.get(target)} ticks`);
    }
    // Nothing ran without an approval.
    assert.equal(prepared.twin.snapshotNow().nodes.length, SCENARIO_NODES);
  } finally {
    await store.close();
  }
});

test('an approved action runs after the guardrails recheck it, with the approver recorded, and is never queued again', async () => {
  const store = await openStore(':memory:');
  try {
    const prepared = prepareSimulation({ ...APPROVAL_SPEC, approveAfterSeconds: 600 });
    const report = await runSimulation(prepared, { store, runId: 'ok' });
    const rows = await store.approvals.list();
    assert.ok(rows.length > 0);
    assert.equal(report.queuedForApproval, rows.length);
    const journal = await store.journal.list({ runId: 'ok', limit: 100000 });
    const nodes = new Set(prepared.twin.snapshotNow().nodes.map((n) => n.name));
    for (const r of rows) {
      assert.equal(r.status, 'executed', JSON.stringify(r));
      assert.equal(r.decidedBy, 'simulated-operator');
      assert.equal(rows.filter((x) => actionTarget(x.action) === actionTarget(r.action)).length, 1, `${actionTarget(r.action)} queued again`);
      const mine = journal.filter((e) => approvalIdOf(e) === r.id);
      const queued = mine.find((e) => e.kind === 'decision' && decisionPayload(e).verdict === 'needs-approval');
      const approval = mine.find((e) => e.kind === 'approval');
      const ran = mine.find((e) => e.kind === 'decision' && e.actor === 'approval:simulated-operator');
      assert.ok(queued && approval && ran, `journal for ${r.id}: ${mine.map((e) => e.summary).join(' | ')}`);
      assert.equal(approval.actor, 'simulated-operator');
      assert.equal(approval.at, queued.at + 600);
      assert.equal(ran.at, approval.at);
      assert.equal(decisionPayload(ran).verdict, 'allow', 'rechecked by the guardrails');
      const outcome = decisionPayload(ran).outcome;
      assert.ok(outcome !== null && typeof outcome === 'object' && !Array.isArray(outcome) && outcome.ok === true, JSON.stringify(outcome));
      assert.match(ran.summary, /executed after approval/);
      if (r.action.kind === 'remove-node') assert.ok(!nodes.has(r.action.node), `${r.action.node} is gone`);
    }
  } finally {
    await store.close();
  }
});

/** Proposes removing one node on every tick (as a planner that keeps wanting it does). */
class RemoveNode implements ScalingPolicy {
  readonly name = 'remover';
  constructor(private readonly node: string) {}
  decide(): Proposal[] {
    return [{ action: { kind: 'remove-node', node: this.node }, source: this.name, rationale: `remove ${this.node}`, evidence: {}, expectedEffect: 'one node fewer' }];
  }
}

async function approvalLoop(crashAnother: boolean): Promise<{ decisions: { at: number; d: Decision }[]; twin: TwinCluster; repo: MemoryApprovalRepository }> {
  const twin = new TwinCluster({ seed: 1, nodePools: [{ instanceType: 'm5.large', count: 3, spot: false }], services: [{ name: 'web', replicas: 2 }] });
  const [victim, other] = twin.snapshotNow().nodes.map((n) => n.name);
  const policy = GuardrailPolicySchema.parse({ cluster: { minNodes: 2 } });
  const repo = new MemoryApprovalRepository();
  const controller = new Controller({
    source: twin, provider: twin, policies: [new RemoveNode(victim)], guardrails: new Guardrails(policy),
    approvals: new ApprovalFlow({ repo, expirySeconds: 3600 }), mode: 'auto',
  });
  const decisions: { at: number; d: Decision }[] = [];
  const tick = async (): Promise<void> => {
    twin.advance(15);
    const r = await controller.tick();
    for (const d of r.decisions) decisions.push({ at: r.at, d });
  };
  for (let i = 0; i < 8; i++) await tick();
  const pending = await repo.list({ status: 'pending' });
  assert.equal(pending.length, 1, 'queued once over eight ticks');
  if (crashAnother) {
    twin.inject({ kind: 'node-crash', target: other, at: 0 });
    await tick();
  }
  await new ApprovalQueue(repo).approve(pending[0].id, 'alice', Date.now() / 1000, 'ok to remove');
  for (let i = 0; i < 4; i++) await tick();
  return { decisions, twin, repo };
}

test('a person\'s approval is executed after the guardrails recheck, recorded as theirs', async () => {
  const { decisions, twin, repo } = await approvalLoop(false);
  const ran = decisions.filter((x) => x.d.proposal.source === 'approval:alice');
  assert.equal(ran.length, 1);
  assert.equal(ran[0].d.verdict.outcome, 'allow');
  assert.equal(ran[0].d.outcome?.ok, true);
  const [row] = await repo.list();
  assert.equal(row.status, 'executed');
  assert.equal(row.decidedBy, 'alice');
  assert.equal(twin.snapshotNow().nodes.length, 2);
  assert.ok(decisions.filter((x) => x.d.proposal.source === 'remover' && x.at > ran[0].at).every((x) => x.d.verdict.outcome === 'deny'), 'not queued again once done');
  assert.equal((await repo.list()).length, 1);
});

test('an approved action the world has outgrown is refused by the recheck and not executed', async () => {
  const { decisions, twin, repo } = await approvalLoop(true);
  const ran = decisions.filter((x) => x.d.proposal.source === 'approval:alice');
  assert.equal(ran.length, 1);
  assert.equal(ran[0].d.verdict.outcome, 'deny');
  assert.ok(ran[0].d.verdict.reasons.some((r) => /Min nodes/.test(r)), ran[0].d.verdict.reasons.join(' | '));
  assert.equal(ran[0].d.outcome, null);
  const rows = await repo.list();
  assert.equal(rows.length, 1, 'the refused removal is not queued again: the same bound denies the planner too');
  assert.equal(rows[0].status, 'approved', 'approved by alice, never executed');
  assert.equal(rows[0].decidedBy, 'alice');
  assert.equal(twin.snapshotNow().nodes.length, 2, 'one crashed, the approved removal did not run');
});
