/**
 * Approvals under `autonomic run --ha`, on the real PostgreSQL (a fresh schema per run): the leader queues a
 * high-risk action in the shared queue, the leader fails over, an approver approves through the API served from
 * another process's view of the store, and the CURRENT leader runs it exactly once after the guardrails recheck.
 * Replayed approvals, expired ones and a deposed leader's claim do nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../src/core/action.js';
import type { Outcome } from '../src/core/proposal.js';
import { ApprovalQueue } from '../src/govern/approvals.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy } from '../src/govern/policy.js';
import { LoopApprovalLedger } from '../src/knowledge/loop-approvals.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import { FencedError } from '../src/knowledge/tick-ledger.js';
import { Controller } from '../src/loop/controller.js';
import { TickBuffer } from '../src/loop/ha-loop.js';
import { ReplicatedApprovalFlow } from '../src/loop/replicated-approval-flow.js';
import { prepareSimulation } from '../src/loop/simulation.js';
import { runReplicated, RUN_LOOP_ID } from '../src/interfaces/cli/ha-run.js';
import { generateToken, hashToken, TokenVerifier } from '../src/interfaces/api/auth/tokens.js';
import { buildApiServer } from '../src/interfaces/api/server.js';
import type { ScalingPolicy } from '../src/plan/scaling/policy.js';
import { freshPgUrl, pgSkip } from './support/backends.js';

interface Applied {
  replica: string;
  action: Action;
}

interface Replica {
  id: string;
  store: Store;
  stop(): Promise<void>;
}

const EXTERNAL = (a: { source: string }): boolean => /^(api|mcp):/.test(a.source);

/** A replica of `autonomic run --ha` on the twin: every tick its planner proposes draining the first node (high-risk). */
async function startReplica(url: string, id: string, applied: Applied[]): Promise<Replica> {
  const store = await openStore(url);
  const { twin } = prepareSimulation({ policy: 'static', days: 1, seed: 5, load: { kind: 'generator', name: 'diurnal' } });
  const first = (await twin.snapshot()).nodes[0].name;
  const drainFirst: ScalingPolicy = {
    name: 'maintenance',
    decide: () => [{ action: { kind: 'cordon-drain', node: first }, source: 'maintenance', rationale: `drain ${first} for its kernel update`, evidence: {}, expectedEffect: 'node drained' }],
  };
  const policy = defaultPolicy();
  const approvals = new ReplicatedApprovalFlow({ ledger: new LoopApprovalLedger(store.db, store.flavor), loopId: RUN_LOOP_ID, expirySeconds: policy.approvals.expirySeconds, adoptExternal: EXTERNAL });
  const buffer = new TickBuffer();
  const run = await store.runs.create({ command: 'run', config: { replica: id } });
  const controller = new Controller({
    source: { name: 'twin', snapshot: async () => { twin.advance(15); return twin.snapshot(); } },
    provider: { name: 'recording', apply: async (action): Promise<Outcome> => { applied.push({ replica: id, action }); return { ok: true, message: 'done' }; } },
    policies: [drainFirst], guardrails: new Guardrails(policy), approvals, journal: buffer, mode: 'auto', runId: run.id,
  });
  const stop = new AbortController();
  const done = runReplicated({ store, url, runId: run.id, json: true, controller, buffer, approvals, intervalSeconds: 0.2, signal: stop.signal });
  return {
    id, store,
    async stop() {
      stop.abort();
      await done;
      await store.runs.complete(run.id, {});
      await store.close();
    },
  };
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('HA approvals on PostgreSQL: queued once across leaders, approved via the API, run exactly once by the current leader; replays and expired approvals do nothing', { skip: pgSkip, timeout: 120_000 }, async (t) => {
  const url = await freshPgUrl();
  // `autonomic serve --db postgres://…`: the API process has a store of its own.
  const apiStore = await openStore(url);
  const approverToken = generateToken();
  const operatorToken = generateToken();
  const { app } = await buildApiServer({
    store: apiStore, policy: defaultPolicy(), log: false,
    tokens: new TokenVerifier([{ name: 'alice', role: 'approver', sha256: hashToken(approverToken) }, { name: 'olga', role: 'operator', sha256: hashToken(operatorToken) }]),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const call = async (path: string, token: string, body: unknown = {}): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const applied: Applied[] = [];
  const ledger = new LoopApprovalLedger(apiStore.db, apiStore.flavor);
  const term = async (): Promise<{ term: number; holder: string } | undefined> => {
    const r = await apiStore.db.selectFrom('leader_terms').select(['term', 'holder']).where('name', '=', RUN_LOOP_ID).executeTakeFirst();
    return r ? { term: Number(r.term), holder: r.holder } : undefined;
  };
  const replicas: Replica[] = [];
  try {
    const a = await startReplica(url, 'replica-a', applied);
    replicas.push(a);
    const queued = await until('the leader to queue the drain', 20_000, async () => (await apiStore.approvals.list({ status: 'pending' }))[0]);
    assert.equal(queued.action.kind, 'cordon-drain');
    assert.equal(queued.source, 'maintenance');
    const first = await term();
    assert.ok(first);

    const b = await startReplica(url, 'replica-b', applied);
    replicas.push(b);
    // The leader keeps proposing the same drain every tick: still one approval.
    const ticksBefore = (await apiStore.ticks.last(RUN_LOOP_ID))?.tick ?? 0;
    await until('a few more ticks', 10_000, async () => ((await apiStore.ticks.last(RUN_LOOP_ID))?.tick ?? 0) >= ticksBefore + 3);
    assert.equal((await apiStore.approvals.list()).length, 1, 'queued once while one leader leads');

    // The leader goes; the follower takes over and must not queue the drain a second time.
    await a.stop();
    replicas.splice(replicas.indexOf(a), 1);
    const second = await until('the follower to lead', 15_000, async () => { const tm = await term(); return tm && tm.term > first.term ? tm : undefined; });
    const ticksAtTakeover = (await apiStore.ticks.last(RUN_LOOP_ID))?.tick ?? 0;
    await until('the new leader to tick', 10_000, async () => ((await apiStore.ticks.last(RUN_LOOP_ID))?.tick ?? 0) >= ticksAtTakeover + 3);
    assert.equal((await apiStore.approvals.list()).length, 1, 'queued once across the failover');
    assert.equal(applied.length, 0, 'nothing runs before a human approves');

    // Approved through the API (another process's store): the current leader runs it, once, after the recheck.
    const approved = await call(`/api/approvals/${queued.id}/approve`, approverToken, { note: 'maintenance window' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const executed = await until('the leader to run the approved drain', 15_000, async () => { const x = await apiStore.approvals.get(queued.id); return x?.status === 'executed' ? x : undefined; });
    assert.equal(executed.decidedBy, 'alice');
    const claim = await ledger.claimOf(queued.id);
    assert.deepEqual({ term: claim?.term, holder: claim?.holder, outcome: claim?.outcome }, { term: second.term, holder: second.holder, outcome: 'executed' });
    assert.equal(applied.length, 1);
    assert.equal(applied[0].replica, 'replica-b', 'the new leader ran it');

    // The decision is in the journal, committed with the leader's tick, naming the approver.
    const decision = await until('the execution to be journaled', 10_000, async () => (await apiStore.journal.list({ kind: 'decision' })).find((e) => (e.payload as { approvalId?: string }).approvalId === queued.id && /executed after approval/.test(e.summary)));
    assert.equal(decision.actor, 'approval:alice');
    assert.equal((decision.payload as { loopId?: string }).loopId, RUN_LOOP_ID);

    // A replayed approval is refused, and the deposed leader's term cannot claim anything.
    assert.equal((await call(`/api/approvals/${queued.id}/approve`, approverToken)).status, 409);
    assert.equal(await ledger.claim(queued.id, RUN_LOOP_ID, { name: RUN_LOOP_ID, term: second.term }, 'intruder', Date.now() / 1000), false, 'claimed once only');
    await assert.rejects(ledger.claim(queued.id, RUN_LOOP_ID, { name: RUN_LOOP_ID, term: first.term }, 'replica-a', Date.now() / 1000), FencedError);

    // A proposal made through the API (operator) and approved there is taken over by the leader and run once too.
    const proposed = await call('/api/proposals', operatorToken, { action: { kind: 'cordon-drain', node: 'node-x' }, rationale: 'retire node-x' });
    assert.equal(proposed.status, 201, JSON.stringify(proposed.body));
    const externalId = (proposed.body.approval as { id: string }).id;
    assert.equal((await call(`/api/approvals/${externalId}/approve`, approverToken)).status, 200);
    // node-x is not in the cluster: the guardrails recheck decides; either way it is settled once and never retried.
    const externalClaim = await until('the leader to take the API proposal', 15_000, () => ledger.claimOf(externalId));
    assert.equal(externalClaim.holder, second.holder);

    // Expired: an approval past its expiry cannot be approved, and one approved after it (a hand-edited row) never runs.
    const queue = new ApprovalQueue(apiStore.approvals, { expirySeconds: 60 });
    const now = Date.now() / 1000;
    const stale = await queue.enqueue({ outcome: 'needs-approval', action: { kind: 'remove-node', node: 'node-old' }, reasons: ['high-risk'] }, { action: { kind: 'remove-node', node: 'node-old' }, source: 'api:olga', rationale: 'old', evidence: {}, expectedEffect: 'gone' }, now - 3600);
    const refused = await call(`/api/approvals/${stale.id}/approve`, approverToken);
    assert.equal(refused.status, 410, JSON.stringify(refused.body));
    const sneaked = await queue.enqueue({ outcome: 'needs-approval', action: { kind: 'remove-node', node: 'node-late' }, reasons: ['high-risk'] }, { action: { kind: 'remove-node', node: 'node-late' }, source: 'api:olga', rationale: 'late', evidence: {}, expectedEffect: 'gone' }, now - 3600);
    await apiStore.approvals.update({ ...sneaked, status: 'approved', decidedBy: 'mallory', decidedAt: now });
    const ticksNow = (await apiStore.ticks.last(RUN_LOOP_ID))?.tick ?? 0;
    await until('a few more ticks', 10_000, async () => ((await apiStore.ticks.last(RUN_LOOP_ID))?.tick ?? 0) >= ticksNow + 5);
    assert.equal(await ledger.claimOf(stale.id), undefined);
    assert.equal(await ledger.claimOf(sneaked.id), undefined, 'approved after its expiry: never taken');
    assert.deepEqual(applied.filter((x) => x.action.kind === 'remove-node'), []);
    assert.equal(applied.filter((x) => x.action.kind === 'cordon-drain' && x.action.node !== 'node-x').length, 1, 'the approved drain ran exactly once');
    t.diagnostic(`applied: ${JSON.stringify(applied)}; terms ${first.term} → ${second.term}`);
  } finally {
    for (const r of replicas) await r.stop();
    await app.close();
    await apiStore.close();
  }
});

test('HA approvals on PostgreSQL: replicas racing to claim one approved action — exactly one wins; a stale term wins nothing', { skip: pgSkip, timeout: 60_000 }, async () => {
  const url = await freshPgUrl();
  const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url)));
  try {
    const [first] = stores;
    await first.db.insertInto('leader_terms').values({ name: RUN_LOOP_ID, term: 7, holder: 'r0', acquired_at: 0, heartbeat_at: 0 }).execute();
    const queue = new ApprovalQueue(first.approvals, { expirySeconds: 600 });
    const now = Date.now() / 1000;
    const action: Action = { kind: 'remove-node', node: 'node-9' };
    const a = await queue.enqueue({ outcome: 'needs-approval', action, reasons: ['high-risk'] }, { action, source: 'api:olga', rationale: 'idle', evidence: {}, expectedEffect: 'gone' }, now);
    await queue.approve(a.id, 'alice', now + 1);
    const stale = new LoopApprovalLedger(first.db, first.flavor).claim(a.id, RUN_LOOP_ID, { name: RUN_LOOP_ID, term: 6 }, 'old', now);
    await assert.rejects(stale, FencedError);
    const results = await Promise.all(stores.flatMap((s, i) => [0, 1].map((j) => new LoopApprovalLedger(s.db, s.flavor).claim(a.id, RUN_LOOP_ID, { name: RUN_LOOP_ID, term: 7 }, `r${i}.${j}`, now + 2))));
    assert.equal(results.filter(Boolean).length, 1, `one winner of ${results.length}: ${JSON.stringify(results)}`);
    const ledger = new LoopApprovalLedger(first.db, first.flavor);
    assert.equal((await ledger.claimOf(a.id))?.term, 7);
    await ledger.settle(a.id, 'executed');
    assert.equal((await first.approvals.get(a.id))?.status, 'executed');
    assert.deepEqual(await ledger.claimable(RUN_LOOP_ID, EXTERNAL), [], 'nothing left to take');
  } finally {
    for (const s of stores) await s.close();
  }
});
