import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/knowledge/store.js';
import { TelemetryStore } from '../src/knowledge/telemetry.js';
import { ModelRegistry } from '../src/knowledge/model-registry.js';
import { retrain } from '../src/analyze/forecast/retrain.js';
import { TelemetryRecorder, requestRateKey, type TelemetrySink } from '../src/loop/telemetry-recorder.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { scenarioTwin } from '../src/loop/scenario.js';
import type { Snapshot } from '../src/core/snapshot.js';

const snap = (at: number, rate: number): Snapshot => {
  const twin = new TwinCluster(scenarioTwin({ kind: 'generator', name: 'steady' }, 1));
  const s = twin.snapshotNow();
  return { ...s, at, services: s.services.slice(0, 1).map((svc) => ({ ...svc, name: 'web', requestRate: rate })) };
};

test('closed 5-minute buckets are written once, as the mean of their ticks; the open bucket is not', async () => {
  const written: [string, number, number[]][] = [];
  const sink: TelemetrySink = { append: async (k, b, v) => (written.push([k, b, Array.from(v)]), v.length) };
  const rec = new TelemetryRecorder(sink);
  for (const [at, rate] of [[0, 10], [100, 20], [299, 30], [300, 100], [450, 200], [600, 7]] as const) await rec.record(snap(at, rate));
  assert.deepEqual(written, [
    [requestRateKey('web'), 0, [20]],
    [requestRateKey('web'), 1, [150]],
  ]);
});

test('the live loop\'s stored history feeds scheduled retraining: a seasonal model is promoted from it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-rec-'));
  const store = await openStore(join(dir, 'k.db'));
  try {
    const twin = new TwinCluster(scenarioTwin({ kind: 'generator', name: 'diurnal' }, 3));
    const rec = new TelemetryRecorder(new TelemetryStore(store.db));
    // Four simulated days at one-minute ticks: enough for daily seasonality to beat the naive forecast.
    for (let t = 0; t < 4 * 86400; t += 60) {
      twin.advance(60);
      await rec.record(twin.snapshotNow());
    }
    const telemetry = new TelemetryStore(store.db);
    const key = requestRateKey('web');
    const h = await telemetry.history(key);
    assert.ok(h && h.values.length >= 4 * 288 - 2, `stored ${h?.values.length} buckets`);
    const outcomes = await retrain(telemetry, new ModelRegistry(store.db), { kinds: ['naive', 'seasonal_naive', 'ets'], seriesKeys: [key] });
    assert.equal(outcomes.length, 1);
    const o = outcomes[0];
    assert.ok(o.activeKind !== null && o.activeKind !== 'naive', `active model ${o.activeKind}: ${JSON.stringify(o.kinds.map((k) => [k.kind, k.decision, k.scores]))}`);
    assert.ok(o.kinds.some((k) => k.decision === 'refused' || k.decision === 'promoted'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
