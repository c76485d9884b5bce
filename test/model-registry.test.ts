import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DAY } from '../src/analyze/forecast/forecaster.js';
import { ArrayTelemetry, retrain } from '../src/analyze/forecast/retrain.js';
import { ModelRegistry, type ModelScores } from '../src/knowledge/model-registry.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import { TelemetryStore } from '../src/knowledge/telemetry.js';
import { Rng } from '../src/core/rng.js';
import { testEachBackend } from './support/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `m${++n}.db`);

async function withStore<T>(path: string, f: (s: Store) => Promise<T>): Promise<T> {
  const s = await openStore(path);
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

const scores = (m1: number | null, m24: number | null): ModelScores => ({ mase_1h: m1, mase_24h: m24, n_origins: 10 });
const base = { seriesKey: 'web/cpu', trainStart: 0, trainEnd: 3600 };

testEachBackend('register versions per series and kind; promote only when better; refusals and retirements recorded; survives reopen', async (b) => {
  const path = await b.fresh();
  let clock = 1000;
  const now = () => clock++;
  const blob = Uint8Array.from([1, 2, 3, 250]);
  await withStore(path, async (s) => {
    const reg = new ModelRegistry(s.db, { now });
    const ets1 = await reg.register({ ...base, kind: 'ets', scores: scores(0.6, 0.9), params: { alpha: 0.3 } });
    assert.equal(ets1.version, 1);
    assert.equal(ets1.status, 'candidate');
    assert.equal(await reg.active('web/cpu'), undefined);

    const first = await reg.promoteIfBetter(ets1.id);
    assert.ok(first.promoted, first.reason);
    assert.match(first.reason, /no active model/);
    assert.equal((await reg.active('web/cpu'))?.id, ets1.id);

    const naive = await reg.register({ ...base, kind: 'naive', scores: scores(0.5, 1.4) });
    const refused = await reg.promoteIfBetter(naive.id);
    assert.equal(refused.promoted, false);
    assert.match(refused.reason, /mase_24h 1\.4000 does not beat 0\.9000 of active ets v1/);
    assert.equal((await reg.get(naive.id))?.status, 'candidate', 'a refused model stays a candidate');

    const tie = await reg.register({ ...base, kind: 'ets', scores: scores(0.6, 0.9) });
    assert.equal(tie.version, 2);
    assert.equal((await reg.promoteIfBetter(tie.id)).promoted, false, 'ties keep the incumbent');

    const tr = await reg.register({ ...base, kind: 'transformer', scores: scores(0.55, 0.8), state: blob, params: { windowSteps: 288 } });
    const better = await reg.promoteIfBetter(tr.id);
    assert.ok(better.promoted, better.reason);
    assert.equal(better.previous?.id, ets1.id);
    assert.equal((await reg.get(ets1.id))?.status, 'retired');
    await assert.rejects(reg.promoteIfBetter(ets1.id), /only candidates/);

    // Another series is independent.
    const other = await reg.register({ ...base, seriesKey: 'db/cpu', kind: 'ets', scores: scores(2, 3) });
    assert.equal(other.version, 1);
    assert.ok((await reg.promoteIfBetter(other.id)).promoted);
  });

  // Reopen: everything is read back from the file.
  await withStore(path, async (s) => {
    const reg = new ModelRegistry(s.db);
    const active = await reg.active('web/cpu');
    assert.equal(active?.kind, 'transformer');
    assert.deepEqual(active?.state, blob);
    assert.deepEqual(active?.params, { windowSteps: 288 });
    assert.deepEqual(active?.scores, scores(0.55, 0.8));
    const hist = await reg.history({ seriesKey: 'web/cpu' });
    assert.deepEqual(hist.map((m) => `${m.kind} v${m.version} ${m.status}`), ['ets v1 retired', 'naive v1 candidate', 'ets v2 candidate', 'transformer v1 active']);
    assert.ok(hist.every((m, i) => i === 0 || m.createdAt > hist[i - 1].createdAt), 'history in registration order');
    const events = await reg.events({ seriesKey: 'web/cpu' });
    assert.deepEqual(events.map((e) => e.event), ['registered', 'promoted', 'registered', 'refused', 'registered', 'refused', 'registered', 'retired', 'promoted']);
    const promo = events[events.length - 1];
    assert.match(promo.reason, /mase_24h 0\.8000 beats 0\.9000 of active ets v1/);
    assert.deepEqual(promo.details, { metric: 'mase_24h', candidate: 0.8, incumbent: 0.9, incumbent_id: hist[0].id, incumbent_scores: 'stored' });
    assert.equal((await reg.events({ seriesKey: 'db/cpu' })).length, 2);
    // The database itself refuses a second active model for a series.
    await assert.rejects(sql`update models set status = 'active' where series_key = 'web/cpu' and kind = 'naive'`.execute(s.db), /UNIQUE|unique constraint/);
  });
});

testEachBackend('promotion compares on the 1 h score when a side has no 24 h score, and can use a re-measured incumbent', async (b) => {
  await withStore(await b.fresh(), async (s) => {
    const reg = new ModelRegistry(s.db);
    const a = await reg.register({ ...base, kind: 'ets', scores: scores(0.7, null) });
    assert.ok((await reg.promoteIfBetter(a.id)).promoted);
    const b = await reg.register({ ...base, kind: 'auto', scores: scores(0.65, 0.5) });
    const r = await reg.promoteIfBetter(b.id);
    assert.ok(r.promoted);
    assert.match(r.reason, /^mase_1h 0\.6500 beats 0\.7000/);
    // Re-measured on the candidate's window, the incumbent (0.5 stored) is worse: promotion.
    const c = await reg.register({ ...base, kind: 'ets', scores: scores(0.6, 0.55) });
    const rc = await reg.promoteIfBetter(c.id, { incumbentScores: scores(0.7, 0.6) });
    assert.ok(rc.promoted, rc.reason);
    assert.match(rc.reason, /re-measured on the same window/);
    const none = await reg.register({ ...base, kind: 'naive', scores: scores(null, null) });
    const rn = await reg.promoteIfBetter(none.id);
    assert.equal(rn.promoted, false);
    assert.match(rn.reason, /no comparable score/);
  });
});

function dailySeries(days: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: days * DAY }, (_, i) => 200 + 80 * Math.sin((2 * Math.PI * i) / DAY) + 10 * r.normal());
}

testEachBackend('telemetry store: upserts, gaps read back as NaN, buckets to seconds', async (b) => {
  await withStore(await b.fresh(), async (s) => {
    const tel = new TelemetryStore(s.db);
    assert.equal(await tel.append('a', 100, [1, 2, NaN, 4]), 3);
    assert.equal(await tel.append('a', 103, [5, 6]), 2); // overwrites bucket 103
    assert.equal(await tel.history('missing'), undefined);
    const h = await tel.history('a');
    assert.deepEqual(Array.from(h?.values ?? []), [1, 2, NaN, 5, 6]);
    assert.equal(h?.start, 100 * 300);
    assert.deepEqual(await tel.keys(), ['a']);
  });
});

test('retraining end to end from stored telemetry: seasonal models win, naive is refused, a rerun changes nothing, too-short kinds are skipped', async () => {
  const path = freshPath();
  await withStore(path, async (s) => {
    const tel = new TelemetryStore(s.db);
    const y = dailySeries(6, 4);
    y[700] = NaN; // a gap in stored telemetry
    await tel.append('svc/cpu', 5_000_000, y);
    const reg = new ModelRegistry(s.db);
    const kinds = ['naive', 'seasonal_naive', 'ets'];
    const [out] = await retrain(tel, reg, { kinds });
    assert.equal(out.seriesKey, 'svc/cpu');
    assert.equal(out.validationSteps, Math.floor(0.25 * 6 * DAY));
    const by = Object.fromEntries(out.kinds.map((k) => [k.kind, k]));
    assert.ok(by.ets.scores?.mase_24h !== null && by.ets.scores?.mase_24h !== undefined);
    assert.ok((by.naive.scores?.mase_24h ?? 0) > (by.seasonal_naive.scores?.mase_24h ?? Infinity), 'naive is worst at 24 h on a daily series');
    assert.equal(by.naive.decision, 'refused');
    const promoted = out.kinds.filter((k) => k.decision === 'promoted');
    assert.equal(promoted.length, 1, 'only the best kind is promoted (the rest compare against it)');
    assert.ok(['ets', 'seasonal_naive'].includes(out.activeKind ?? ''), `active ${out.activeKind}`);
    const active = await reg.active('svc/cpu');
    assert.equal(active?.id, out.activeId);
    assert.equal(active?.trainStart, 5_000_000 * 300);
    assert.equal(active?.trainEnd, (5_000_000 + 6 * DAY - 1) * 300);

    // Same data again: every new version ties with the re-measured incumbent and is refused.
    const [again] = await retrain(tel, reg, { kinds });
    assert.ok(again.kinds.every((k) => k.decision === 'refused'), JSON.stringify(again.kinds.map((k) => [k.kind, k.decision, k.reason])));
    assert.equal(again.activeId, out.activeId);
    assert.ok(again.kinds.some((k) => /re-measured on the same window/.test(k.reason)));
    assert.equal((await reg.history({ seriesKey: 'svc/cpu' })).length, 6);
  });

  // A day and a half of history: too short for the LSTM's default window, which is skipped with its reason.
  const short = new ArrayTelemetry({ new: { values: dailySeries(2, 9).subarray(0, 432), start: 0, stepSeconds: 300 } });
  await withStore(path, async (s) => {
    const reg = new ModelRegistry(s.db);
    const { prepareForecasters } = await import('../src/analyze/forecast/models.js');
    await prepareForecasters(['lstm']);
    const [out] = await retrain(short, reg, { kinds: ['lstm', 'naive', 'ets'] });
    const lstm = out.kinds.find((k) => k.kind === 'lstm');
    assert.equal(lstm?.decision, 'skipped');
    assert.match(lstm?.reason ?? '', /too short, need at least/);
    assert.ok(out.activeKind === 'naive' || out.activeKind === 'ets', `active ${out.activeKind}`);
    assert.equal(out.kinds.find((k) => k.kind === 'naive')?.scores?.mase_24h, null, 'no 24 h origin fits in 108 backtest steps');
  });
});
