import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { LeaderElection } from '../src/knowledge/leader-election.js';
import { parsePostgresUrl } from '../src/knowledge/postgres.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import { FencedError } from '../src/knowledge/tick-ledger.js';
import { freshPgUrl, pgSkip } from './support/backends.js';

const fast = { pollMs: 100, heartbeatMs: 200, timeoutMs: 2000 };

async function withStore(f: (url: string, s: Store) => Promise<void>): Promise<void> {
  const url = await freshPgUrl();
  const s = await openStore(url);
  try {
    await f(url, s);
  } finally {
    await s.close();
  }
}

/** Resolves when `signal` aborts, with its reason; rejects after `ms`. */
function aborted(signal: AbortSignal, ms: number): Promise<string> {
  return new Promise((res, rej) => {
    if (signal.aborted) return res(String(signal.reason));
    const timer = setTimeout(() => rej(new Error(`leadership not lost within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); res(String(signal.reason)); }, { once: true });
  });
}

test('one leader at a time; closing hands over to a follower with a higher term; a stale term is fenced off', { skip: pgSkip }, async () => {
  await withStore(async (url, s) => {
    const a = new LeaderElection({ url, name: 'loop', id: 'a', ...fast });
    const b = new LeaderElection({ url, name: 'loop', id: 'b', ...fast });
    try {
      assert.equal(await a.tryAcquire(), true);
      assert.equal(await b.tryAcquire(), false);
      assert.equal(a.term, 1);
      assert.equal(b.isLeader, false);
      assert.deepEqual(await b.leader().then((l) => l && [l.holder, l.term]), ['a', 1]);
      const staleFence = a.fence();
      await s.ticks.commit({ loopId: 'loop', tick: 1, at: 1, holder: 'a', fence: staleFence, entries: [] });

      const follows: (string | null)[] = [];
      const waiting = b.waitForLeadership(undefined, (l) => follows.push(l?.holder ?? null));
      await new Promise((r) => setTimeout(r, 300));
      await a.close();
      assert.equal(await waiting, true);
      assert.ok(follows.includes('a'), 'the follower saw who led');
      assert.equal(b.term, 2);
      // The old leader's fencing token no longer commits anything.
      await assert.rejects(s.ticks.commit({ loopId: 'loop', tick: 2, at: 2, holder: 'a', fence: staleFence, entries: [] }), FencedError);
      await s.ticks.commit({ loopId: 'loop', tick: 2, at: 2, holder: 'b', fence: b.fence(), entries: [] });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test('a leader whose connection is killed stops leading at once, and a follower takes over', { skip: pgSkip }, async () => {
  await withStore(async (url) => {
    const a = new LeaderElection({ url, name: 'loop', id: 'victim', ...fast });
    const b = new LeaderElection({ url, name: 'loop', id: 'heir', ...fast });
    const admin = new pg.Client(parsePostgresUrl(url).config);
    await admin.connect();
    try {
      assert.equal(await a.tryAcquire(), true);
      const lost = aborted(a.signal, 5000);
      const takeover = b.waitForLeadership();
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'autonomic-election:victim'`);
      assert.match(await lost, /connection|heartbeat/);
      assert.equal(a.isLeader, false);
      assert.equal(await takeover, true);
      assert.equal(b.term, 2);
    } finally {
      await admin.end();
      await a.close();
      await b.close();
    }
  });
});

test('a leader whose term was superseded learns it from its next heartbeat', { skip: pgSkip }, async () => {
  await withStore(async (url, s) => {
    const a = new LeaderElection({ url, name: 'loop', id: 'a', ...fast });
    try {
      assert.equal(await a.tryAcquire(), true);
      await s.db.updateTable('leader_terms').set({ term: 7, holder: 'usurper' }).where('name', '=', 'loop').execute();
      assert.match(await aborted(a.signal, 3000), /superseded/);
      assert.throws(() => a.fence(), /does not lead/);
    } finally {
      await a.close();
    }
  });
});
