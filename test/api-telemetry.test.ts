import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryStore } from '../src/knowledge/telemetry.js';
import { startHarness, type Harness } from './api-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ log: false });
});
after(() => h.close());

test('GET /api/telemetry lists series; /forecast backtests the last steps with an interval, gaps as null', async () => {
  const values = Array.from({ length: 400 }, (_, i) => (i === 390 ? NaN : 10 + (i % 288)));
  await new TelemetryStore(h.store.db).append('web/cpu', 100, values);
  assert.deepEqual((await h.call('GET', '/api/telemetry', { as: 'viewer' })).body, { keys: ['web/cpu'] });
  const r = await h.call('GET', '/api/telemetry/forecast?key=web%2Fcpu&window=100&horizon=24', { as: 'viewer' });
  assert.equal(r.status, 200, r.text);
  const b = r.body as { actual: (number | null)[]; forecastOffset: number; p10: number[]; p50: number[]; p90: number[]; start: number };
  assert.equal(b.actual.length, 100);
  assert.equal(b.actual[90], null);
  assert.equal(b.forecastOffset, 76);
  assert.equal(b.p50.length, 24);
  assert.ok(b.p10.every((v, i) => v <= b.p50[i] && b.p50[i] <= b.p90[i]));
  // Seasonal naive with a full day of history repeats the day before exactly.
  assert.equal(b.p50[0], b.actual[76]);
  assert.equal(b.start, (100 + 300) * 300);
  assert.equal((await h.call('GET', '/api/telemetry/forecast?key=nope', { as: 'viewer' })).status, 404);
  assert.equal((await h.call('GET', '/api/telemetry', {})).status, 401);
});
