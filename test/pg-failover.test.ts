import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { openStore } from '../src/knowledge/store.js';
import type { JournalEntry } from '../src/knowledge/journal.js';
import { simTicker } from './fixtures/ha-sim.js';
import { freshPgUrl, pgSkip } from './support/backends.js';

/**
 * Failover on the real PostgreSQL: three replicas run one simulated loop; the leader is SIGKILLed mid-tick (after
 * acting, before committing), twice. Each time a follower must lead within 15 s, and in the end the journal must
 * hold every tick exactly once, with exactly the decisions an uninterrupted run takes, and still verify.
 */

const UNTIL = 40;
const DELAY_MS = 300;
const LOOP = 'ha-failover';

interface Replica {
  id: string;
  child: ChildProcess;
  events: Record<string, unknown>[];
  exited: Promise<number | null>;
  stderr: string;
}

function startReplica(url: string, id: string, onEvent: (r: Replica, e: Record<string, unknown>) => void): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/ha-sim.ts', url, LOOP, id, String(UNTIL), String(DELAY_MS)], {
    cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r: Replica = { id, child, events: [], stderr: '', exited: new Promise((res) => child.on('exit', (code) => res(code))) };
  child.stderr!.on('data', (d: Buffer) => { r.stderr += d.toString(); });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    r.events.push(e);
    onEvent(r, e);
  });
  return r;
}

/** Resolves with the first event `match` accepts, from any replica. */
function waiter() {
  const pending: { match: (r: Replica, e: Record<string, unknown>) => boolean; done: (v: [Replica, Record<string, unknown>]) => void }[] = [];
  return {
    onEvent(r: Replica, e: Record<string, unknown>) {
      for (const p of [...pending]) if (p.match(r, e)) { pending.splice(pending.indexOf(p), 1); p.done([r, e]); }
    },
    next(match: (r: Replica, e: Record<string, unknown>) => boolean, ms: number, what: string): Promise<[Replica, Record<string, unknown>]> {
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
        pending.push({ match, done: (v) => { clearTimeout(timer); res(v); } });
      });
    },
  };
}

test('PostgreSQL failover: the leader SIGKILLed mid-tick is replaced within 15 s; no tick or decision lost or doubled; the journal verifies', { skip: pgSkip, timeout: 180_000 }, async (t) => {
  const url = await freshPgUrl();
  // Migrate once up front so the replicas start on an existing schema.
  await (await openStore(url)).close();
  const w = waiter();
  const replicas = ['r1', 'r2', 'r3'].map((id) => startReplica(url, id, w.onEvent));
  try {
    const failovers: { killed: string; inFlight: number; successor: string; lastTick: number; ms: number }[] = [];
    for (let round = 0; round < 2; round++) {
      // Let the current leader commit a few ticks, then kill it right after it acted on tick k, before the commit.
      const [leader] = await w.next((_, e) => e.event === 'tick' && Number(e.tick) >= 8 + 12 * round, 60_000, `tick ${8 + 12 * round}`);
      const [, begin] = await w.next((r, e) => r === leader && e.event === 'begin', 10_000, 'a tick to begin');
      leader.child.kill('SIGKILL');
      const killedAt = performance.now();
      const [successor, took] = await w.next((r, e) => r !== leader && e.event === 'leader', 15_000, 'a follower to take over');
      failovers.push({ killed: leader.id, inFlight: Number(begin.tick), successor: successor.id, lastTick: Number(took.lastTick), ms: Math.round(performance.now() - killedAt) });
      assert.equal(await leader.exited, null, 'killed by the signal');
    }
    t.diagnostic(`failovers: ${JSON.stringify(failovers)}`);
    for (const f of failovers) {
      assert.ok(f.ms < 15_000, `took over after ${f.ms} ms`);
      // The killed tick was acted on but never committed: the successor starts from the tick before and redoes it.
      assert.equal(f.lastTick, f.inFlight - 1, `in-flight tick ${f.inFlight} must not be committed`);
    }
    const survivor = replicas.find((r) => r.child.exitCode === null && r.child.signalCode === null);
    assert.ok(survivor, 'one replica is left');
    assert.equal(await survivor.exited, 0, survivor.stderr);
  } finally {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
  }

  const store = await openStore(url);
  try {
    const ticks = await store.db.selectFrom('loop_ticks').selectAll().where('loop_id', '=', LOOP).orderBy('tick').execute();
    assert.deepEqual(ticks.map((r) => Number(r.tick)), Array.from({ length: UNTIL }, (_, i) => i + 1), 'ticks contiguous, each once');
    assert.ok(new Set(ticks.map((r) => r.holder)).size >= 3, `three leaders in turn: ${[...new Set(ticks.map((r) => r.holder))].join(', ')}`);
    assert.ok(ticks.every((r, i) => i === 0 || Number(r.term) >= Number(ticks[i - 1].term)), 'terms never go back');

    const entries: JournalEntry[] = [];
    for (let after = 0; ; ) {
      const page = await store.journal.list({ afterSeq: after, limit: 1000 });
      entries.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1].seq;
    }
    const field = (e: JournalEntry, k: string): unknown => (e.payload !== null && typeof e.payload === 'object' && !Array.isArray(e.payload) ? e.payload[k] : undefined);
    const tickEntries = entries.filter((e) => e.kind === 'tick');
    assert.deepEqual(tickEntries.map((e) => field(e, 'tick')), Array.from({ length: UNTIL }, (_, i) => i + 1), 'one tick entry per tick, in order');
    const decisions = entries.filter((e) => e.kind !== 'tick' && field(e, 'loopId') === LOOP);
    const ids = decisions.map((e) => field(e, 'decisionId'));
    assert.equal(new Set(ids).size, ids.length, 'no decision id twice');

    // The same loop uninterrupted, in this process: the journal must hold exactly its decisions, tick by tick.
    const reference = await simTicker(0);
    const expected: string[] = [];
    for (let n = 1; n <= UNTIL; n++) {
      for (const e of (await reference.tick(n)).entries) expected.push(`${n} ${e.kind} ${e.actor} ${e.summary}`);
    }
    assert.ok(expected.length > UNTIL / 2, `the loop decides something (${expected.length} entries)`);
    assert.deepEqual(decisions.map((e) => `${field(e, 'tick')} ${e.kind} ${e.actor} ${e.summary}`), expected);

    // Runs of the killed replicas are reported as interrupted, not left running.
    const runs = await store.runs.list();
    assert.equal(runs.filter((r) => r.status === 'interrupted').length, 2, JSON.stringify(runs.map((r) => [r.status, r.config])));
  } finally {
    await store.close();
  }

  const cli = spawnSync(process.execPath, ['bin/autonomic.js', 'audit', 'verify', '--db', url], { cwd: resolve('.'), encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stdout + cli.stderr);
  assert.match(cli.stdout, /journal intact: \d+ entries/);
});
