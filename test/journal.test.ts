import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { openStore, openDatabase, resolveDbPath, storeFlavor, DEFAULT_DB_PATH, type Store } from '../src/knowledge/store.js';
import { Journal, stableStringify, canonicalEntryJson, entryHash, type JournalInput } from '../src/knowledge/journal.js';
import { GENESIS_HASH } from '../src/knowledge/migrations.js';
import { postgresBackend, testEachBackend, type Backend } from './support/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `j${++n}.db`);

function decision(i: number, runId: string | null = 'run-a'): JournalInput {
  return {
    at: 1000 + i * 15,
    runId,
    kind: 'decision',
    actor: 'hpa',
    summary: `cpu ${(0.5 + (i % 50) / 100).toFixed(2)} above target: scale web`,
    payload: { proposal: { kind: 'scale', service: 'web', from: 2, to: 3 + (i % 5) }, verdict: 'allow', evidence: { cpu: 0.5 + (i % 50) / 100 }, i },
  };
}

async function storeWith(count: number, b?: Backend): Promise<Store> {
  const s = await openStore(b ? await b.fresh() : freshPath());
  await s.journal.appendBatch(Array.from({ length: count }, (_, i) => decision(i)));
  return s;
}

const ALL_BUT_SEQ = ['at', 'run_id', 'kind', 'actor', 'summary', 'payload', 'prev_hash', 'hash'];
const CONTENT = ['at', 'run_id', 'kind', 'actor', 'summary', 'payload'];
/** Swap the given columns of rows a and b (via a parking row at seq -1). */
function swapSql(a: number, b: number, cols: string[]): string[] {
  const set = (from: number) => cols.map((c) => `${c} = (select ${c} from journal where seq = ${from})`).join(', ');
  return [
    `insert into journal select -1, at, run_id, kind, actor, summary, payload, prev_hash, hash from journal where seq = ${a}`,
    `update journal set ${set(b)} where seq = ${a}`,
    `update journal set ${set(-1)} where seq = ${b}`,
    `delete from journal where seq = -1`,
  ];
}

testEachBackend('append, get and list: entries chain from the genesis hash', async (b) => {
  const s = await openStore(await b.fresh());
  try {
    const e1 = await s.journal.append({ at: 10, runId: 'r1', kind: 'decision', actor: 'hpa', summary: 'scale web 2→3', payload: { to: 3 } });
    const e2 = await s.journal.append({ at: 20, kind: 'note', actor: 'alice', summary: 'maintenance window opened' });
    const e3 = await s.journal.append({ at: 30, runId: 'r2', kind: 'decision', actor: 'cost', summary: 'remove idle node', payload: { node: 'n-3', saving: 0.12 } });
    assert.deepEqual([e1.seq, e2.seq, e3.seq], [1, 2, 3]);
    assert.equal(e1.prevHash, GENESIS_HASH);
    assert.equal(e2.prevHash, e1.hash);
    assert.equal(e3.prevHash, e2.hash);
    assert.equal(e2.runId, null);
    assert.equal(e2.payload, null);

    const got = await s.journal.get(3);
    assert.deepEqual(got, e3);
    assert.deepEqual(got?.payload, { node: 'n-3', saving: 0.12 });
    assert.equal(await s.journal.get(99), undefined);

    assert.deepEqual((await s.journal.list()).map((e) => e.seq), [1, 2, 3]);
    assert.deepEqual((await s.journal.list({ runId: 'r1' })).map((e) => e.seq), [1]);
    assert.deepEqual((await s.journal.list({ kind: 'decision' })).map((e) => e.seq), [1, 3]);
    assert.deepEqual((await s.journal.list({ since: 20 })).map((e) => e.seq), [2, 3]);
    assert.deepEqual((await s.journal.list({ limit: 1, offset: 1 })).map((e) => e.seq), [2]);
    assert.deepEqual((await s.journal.list({ afterSeq: 1, limit: 1 })).map((e) => e.seq), [2]);
    assert.deepEqual(await s.journal.head(), { seq: 3, hash: e3.hash });
    assert.deepEqual(await s.journal.verify(), { ok: true, entries: 3, head: { seq: 3, hash: e3.hash } });
  } finally {
    await s.close();
  }
});

testEachBackend('invalid entries are rejected before anything is written', async (b) => {
  const s = await openStore(await b.fresh());
  try {
    await assert.rejects(s.journal.append({ at: Number.NaN, kind: 'note', actor: 'x', summary: 's' }), /finite/);
    await assert.rejects(s.journal.appendBatch([decision(0), { ...decision(1), actor: '' }]), /entry 1: actor/);
    await assert.rejects(s.journal.append({ at: 1, kind: 'note', actor: 'x', summary: 's', payload: { n: 10n } }), /bigint/);
    assert.equal(await s.journal.count(), 0);
    assert.deepEqual(await s.journal.head(), { seq: 0, hash: GENESIS_HASH });
  } finally {
    await s.close();
  }
});

testEachBackend('a batch that fails part-way leaves neither rows nor head behind', async (b) => {
  const { db, flavor } = await openDatabase(await b.fresh());
  try {
    let written = 0;
    const j = await Journal.open(db, {
      flavor,
      rowWriter: async (rows, trx) => {
        // Write half through the real table, then fail: the transaction must undo the half.
        await trx.insertInto('journal').values(rows.slice(0, rows.length / 2)).execute();
        written = rows.length / 2;
        throw new Error('disk full');
      },
    });
    await assert.rejects(j.appendBatch(Array.from({ length: 100 }, (_, i) => decision(i))), /disk full/);
    assert.equal(written, 50);
    assert.equal(await j.count(), 0);
    assert.deepEqual(await j.head(), { seq: 0, hash: GENESIS_HASH });
    assert.equal((await j.verify()).ok, true);
  } finally {
    await db.destroy();
  }
});

test('canonical JSON is key-order independent and matches the hashed entry form', () => {
  assert.equal(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(stableStringify({ a: 1, b: 2 }), stableStringify({ b: 2, a: 1 }));
  // JSON.stringify semantics for the awkward values.
  assert.equal(stableStringify({ u: undefined, f: () => 1, n: Number.NaN, arr: [undefined, Infinity], d: new Date(0) }),
    '{"arr":[null,null],"d":"1970-01-01T00:00:00.000Z","n":null}');
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => stableStringify(loop), /circular/);
  const f = { seq: 7, at: 12.5, runId: null, kind: 'decision', actor: 'hpa', summary: 'why', payloadJson: stableStringify({ b: [1], a: 'x' }), prevHash: 'ab' };
  assert.equal(canonicalEntryJson(f), stableStringify({ seq: 7, at: 12.5, runId: null, kind: 'decision', actor: 'hpa', summary: 'why', payload: { a: 'x', b: [1] }, prevHash: 'ab' }));
  assert.match(entryHash(f), /^[0-9a-f]{64}$/);
});

testEachBackend('a clean batch-written chain of 10,000 entries verifies', async (b) => {
  const s = await storeWith(10_000, b);
  try {
    const v = await s.journal.verify();
    assert.equal(v.ok, true);
    assert.equal(v.entries, 10_000);
    if (v.ok) assert.deepEqual(v.head, await s.journal.head());
    assert.equal((await s.journal.get(10_000))?.hash, v.ok ? v.head.hash : '');
  } finally {
    await s.close();
  }
});

test('the portable Kysely insert path (multi-row chunks) writes the same chain as the SQLite fast path', async () => {
  const inputs = Array.from({ length: 8000 }, (_, i) => decision(i)); // > one 3,640-row chunk
  const fast = await openStore(freshPath());
  const { db } = await openDatabase(freshPath());
  try {
    const portable = await Journal.open(db);
    const a = await fast.journal.appendBatch(inputs);
    const b = await portable.appendBatch(inputs);
    assert.deepEqual(a, b);
    assert.deepEqual(await portable.verify(), { ok: true, entries: 8000, head: b.head });
  } finally {
    await fast.close();
    await db.destroy();
  }
});

testEachBackend('concurrent appends from one process serialise into one unbroken chain', async (b) => {
  const s = await openStore(await b.fresh());
  try {
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => s.journal.append(decision(i))),
      s.journal.appendBatch(Array.from({ length: 30 }, (_, i) => decision(100 + i))),
    ]);
    assert.deepEqual(await s.journal.verify(), { ok: true, entries: 50, head: await s.journal.head() });
  } finally {
    await s.close();
  }
});

// PostgreSQL only: two SQLite connections in one thread deadlock on the write lock (better-sqlite3 waits synchronously);
// SQLite's cross-process case is the SIGKILL test below.
test('two stores on one PostgreSQL database appending at once never fork the chain', { skip: postgresBackend.skip }, async () => {
  // Separate pools, as two replicas would have: only the head row lock serialises them.
  const location = await postgresBackend.fresh();
  const [x, y] = [await openStore(location), await openStore(location)];
  try {
    const writes = (s: Store, base: number) => Array.from({ length: 15 }, (_, i) =>
      i % 3 === 0 ? s.journal.appendBatch(Array.from({ length: 5 }, (_, k) => decision(base + i * 10 + k))) : s.journal.append(decision(base + i)));
    await Promise.all([...writes(x, 0), ...writes(y, 1000)]);
    const v = await x.journal.verify();
    assert.deepEqual(v, { ok: true, entries: 2 * (10 + 5 * 5), head: await y.journal.head() });
    const seqs = (await y.journal.list({ limit: 1000 })).map((e) => e.seq);
    assert.deepEqual(seqs, Array.from({ length: 70 }, (_, i) => i + 1));
  } finally {
    await x.close();
    await y.close();
  }
});

testEachBackend('triggers refuse UPDATE and DELETE of journal rows', async (b) => {
  const s = await storeWith(5, b);
  try {
    await assert.rejects(s.db.updateTable('journal').set({ summary: 'nothing happened' }).where('seq', '=', 2).execute(), /append-only: update refused/);
    await assert.rejects(s.db.deleteFrom('journal').where('seq', '=', 5).execute(), /append-only: delete refused/);
    await assert.rejects(sql`delete from journal`.execute(s.db), /append-only/);
    assert.equal((await s.journal.verify()).ok, true);
  } finally {
    await s.close();
  }
});

/** Build a 200-entry journal, close it, tamper via a separate connection, reopen and verify. */
async function verifyAfter(b: Backend, ...statements: string[]) {
  const location = await b.fresh();
  const s = await openStore(location);
  await s.journal.appendBatch(Array.from({ length: 200 }, (_, i) => decision(i)));
  await s.close();
  await b.tamper(location, ...statements);
  const again = await openStore(location);
  try {
    return await again.journal.verify();
  } finally {
    await again.close();
  }
}

testEachBackend('tampering: an edited payload is detected at its seq', async (b) => {
  const v = await verifyAfter(b, `update journal set payload = replace(payload, '"verdict":"allow"', '"verdict":"deny"') where seq = 120`);
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.equal(v.problem, 'edited');
    assert.equal(v.firstBadSeq, 120);
    assert.equal(v.entries, 119);
  }
});

testEachBackend('tampering: an edited summary is detected', async (b) => {
  const v = await verifyAfter(b, `update journal set summary = 'all fine, nothing to see' where seq = 7`);
  assert.deepEqual(v.ok ? null : [v.problem, v.firstBadSeq], ['edited', 7]);
});

testEachBackend('tampering: an edited timestamp on the last row is detected', async (b) => {
  const v = await verifyAfter(b, `update journal set at = at + 1 where seq = 200`);
  assert.deepEqual(v.ok ? null : [v.problem, v.firstBadSeq], ['edited', 200]);
});

testEachBackend('tampering: a row deleted from the middle is detected', async (b) => {
  const v = await verifyAfter(b, 'delete from journal where seq = 77');
  assert.deepEqual(v.ok ? null : [v.problem, v.firstBadSeq, v.entries], ['deleted', 77, 76]);
});

testEachBackend('tampering: a middle row deleted and the rest renumbered is still detected as a deletion', async (b) => {
  const v = await verifyAfter(b,
    'delete from journal where seq = 50',
    'update journal set seq = -seq where seq > 50',
    'update journal set seq = -seq - 1 where seq < 0',
    'update journal_head set seq = seq - 1',
  );
  assert.deepEqual(v.ok ? null : [v.problem, v.firstBadSeq], ['deleted', 50]);
});

testEachBackend('tampering: a deleted tail is detected through the head record', async (b) => {
  const v = await verifyAfter(b, 'delete from journal where seq > 197');
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.equal(v.problem, 'truncated');
    assert.equal(v.firstBadSeq, 198);
    assert.equal(v.entries, 197);
  }
});

testEachBackend('tampering: two whole rows swapped are reported as reordered', async (b) => {
  const v = await verifyAfter(b, ...swapSql(40, 90, ALL_BUT_SEQ));
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.equal(v.problem, 'reordered');
    assert.equal(v.firstBadSeq, 40);
    assert.match(v.detail, /originally at seq 90/);
  }
});

testEachBackend('tampering: two rows swapping only their content (hash columns left in place) are reported as reordered', async (b) => {
  const v = await verifyAfter(b, ...swapSql(40, 90, CONTENT));
  assert.deepEqual(v.ok ? null : [v.problem, v.firstBadSeq], ['reordered', 40]);
});

testEachBackend('tampering: a row appended behind the journal’s back is reported as inserted', async (b) => {
  const v = await verifyAfter(b,
    `insert into journal select 201, at, run_id, kind, actor, 'forged', payload, hash, hash from journal where seq = 200`,
  );
  assert.deepEqual(v.ok ? null : [v.problem, v.firstBadSeq], ['inserted', 201]);
});

testEachBackend('tampering: a well-forged row pushed into the middle (later rows renumbered) is reported as inserted', async (b) => {
  // The attacker even computes a valid hash for the forged row; the rows after it cannot all be re-hashed
  // without rewriting the head too, and here the head is left alone.
  const path = await b.fresh();
  const s = await openStore(path);
  await s.journal.appendBatch(Array.from({ length: 200 }, (_, i) => decision(i)));
  const prev = (await s.journal.get(49))!.hash;
  await s.close();
  const forged = { seq: 50, at: 1, runId: 'run-a', kind: 'decision', actor: 'hpa', summary: 'approved by ops', payloadJson: '{}', prevHash: prev };
  await b.tamper(
    path,
    'update journal set seq = -seq where seq >= 50',
    'update journal set seq = -seq + 1 where seq < 0',
    `insert into journal values (50, 1, 'run-a', 'decision', 'hpa', 'approved by ops', '{}', '${prev}', '${entryHash(forged)}')`,
  );
  const again = await openStore(path);
  try {
    const r = await again.journal.verify();
    assert.deepEqual(r.ok ? null : [r.problem, r.firstBadSeq], ['inserted', 50]);
  } finally {
    await again.close();
  }
});

test('batch throughput sanity: 50,000 entries append in one call and verify', async (t) => {
  const s = await openStore(freshPath());
  try {
    const inputs = Array.from({ length: 50_000 }, (_, i) => decision(i, `run-${i % 7}`));
    const t0 = performance.now();
    const r = await s.journal.appendBatch(inputs);
    const ms = performance.now() - t0;
    t.diagnostic(`appendBatch 50,000: ${ms.toFixed(0)} ms (${Math.round(50_000 / (ms / 1000))} entries/s)`);
    assert.deepEqual([r.count, r.firstSeq, r.lastSeq], [50_000, 1, 50_000]);
    const t1 = performance.now();
    const v = await s.journal.verify();
    t.diagnostic(`verify 50,000: ${(performance.now() - t1).toFixed(0)} ms`);
    assert.deepEqual(v, { ok: true, entries: 50_000, head: r.head });
    assert.equal((await s.journal.list({ runId: 'run-3', limit: 100_000 })).length, Math.ceil((50_000 - 3) / 7));
  } finally {
    await s.close();
  }
});

test('a process SIGKILLed while appending leaves a journal that verifies', async () => {
  const path = freshPath();
  const script = join(dir, 'appender.mts');
  const storeUrl = pathToFileURL(resolve('src/knowledge/store.ts')).href;
  writeFileSync(script, `
    import { openStore } from ${JSON.stringify(storeUrl)};
    const store = await openStore(process.argv[2]);
    let i = 0;
    const entry = () => ({ at: i++, runId: 'child', kind: 'decision', actor: 'child', summary: 'loop decision', payload: { i, pad: 'x'.repeat(200) } });
    for (let step = 0; ; step++) {
      await store.journal.appendBatch(Array.from({ length: 200 }, entry));
      await store.journal.append(entry());
      // Ready once something is committed, so a slow, loaded machine cannot make entries 0.
      if (step === 0) process.stdout.write('ready\\n');
    }
  `);
  const child = spawn(process.execPath, ['--import', 'tsx', script, path], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`child never became ready: ${stderr}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(timer); res(); } });
    child.on('exit', () => { clearTimeout(timer); rej(new Error(`child exited early: ${stderr}`)); });
  });
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.equal(existsSync(`${path}-wal`), true, 'killed mid-run, so the WAL was never checkpointed away');

  const s = await openStore(path);
  try {
    const v = await s.journal.verify();
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.ok(v.entries > 0);
    // Each loop step writes a 200-entry batch then 1 entry, each atomically: no partial batch survives.
    assert.ok(v.entries % 201 === 0 || v.entries % 201 === 200, `entries ${v.entries}`);
    // And the chain continues cleanly after the crash.
    await s.journal.append({ at: 0, kind: 'note', actor: 'test', summary: 'resumed after crash' });
    assert.equal((await s.journal.verify()).entries, v.entries + 1);
  } finally {
    await s.close();
  }
});

test('openStore: env var overrides the default path, an explicit path wins, the folder is created', async () => {
  const saved = process.env.AUTONOMIC_DB;
  try {
    delete process.env.AUTONOMIC_DB;
    assert.equal(resolveDbPath(), DEFAULT_DB_PATH);
    process.env.AUTONOMIC_DB = join(dir, 'env.db');
    assert.equal(resolveDbPath(), join(dir, 'env.db'));
    assert.equal(resolveDbPath('x.db'), 'x.db');
    process.env.AUTONOMIC_DB = 'postgres://127.0.0.1:5432/test';
    assert.equal(storeFlavor(resolveDbPath()), 'postgres');
    assert.equal(storeFlavor(resolveDbPath('postgresql://db.internal/autonomic?schema=prod')), 'postgres');
    assert.equal(storeFlavor(resolveDbPath('x.db')), 'sqlite');
  } finally {
    if (saved === undefined) delete process.env.AUTONOMIC_DB;
    else process.env.AUTONOMIC_DB = saved;
  }
  const nested = join(dir, 'a', 'b', 'store.db');
  const s = await openStore(nested);
  try {
    assert.equal(existsSync(nested), true);
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(s.db);
    assert.equal(mode.rows[0].journal_mode, 'wal');
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(s.db);
    assert.equal(sync.rows[0].synchronous, 1); // NORMAL
  } finally {
    await s.close();
  }
  // Reopening runs no migration twice and keeps the data.
  const again = await openStore(nested);
  await again.journal.append({ at: 1, kind: 'note', actor: 't', summary: 's' });
  await again.close();
  const third = await openStore(nested);
  assert.equal(await third.journal.count(), 1);
  await third.close();
});
