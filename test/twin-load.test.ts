import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../src/core/errors.js';
import { GeneratorParamsSchema, generatorLoad, parseLoadTrace, readLoadTrace, traceLoad } from '../src/execute/twin/load.js';
import { parseDuration, parseFaults } from '../src/execute/twin/faults.js';

const T0 = 1704067200; // Monday 00:00 UTC

function throwsAt(text: string, line: number, pattern: RegExp): void {
  assert.throws(() => parseLoadTrace(text, 'trace.csv'), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, new RegExp(`^trace\\.csv:${line}: `));
    assert.match(e.message, pattern);
    return true;
  });
}

test('CSV trace: header optional, epoch or ISO timestamps', () => {
  const a = parseLoadTrace('timestamp,value\n100,5\n160,7\n', 'x.csv');
  assert.deepEqual(a, [{ t: 100, value: 5 }, { t: 160, value: 7 }]);
  const b = parseLoadTrace('2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n', 'x.csv');
  assert.deepEqual(b, [{ t: T0, value: 1 }, { t: T0 + 60, value: 2 }]);
});

test('CSV trace errors name the file and line', () => {
  throwsAt('timestamp,value\n100,5\n160,abc\n', 3, /not a number/);
  throwsAt('100,5\n160,-1\n', 2, /negative/);
  throwsAt('100,5\n200,1\n150,1\n', 3, /does not increase/);
  throwsAt('100,5\n\n160\n', 3, /timestamp,value/);
  throwsAt('t,v\n100,5\nyesterday,3\n', 3, /neither epoch seconds nor an ISO date/);
  assert.throws(() => parseLoadTrace('timestamp,value\n', 'e.csv'), /e\.csv: trace has no data rows/);
  assert.throws(() => parseLoadTrace('', 'e.csv'), /e\.csv: trace has no data rows/);
});

test('readLoadTrace reads a file and reports missing files as UserError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twin-load-'));
  const f = join(dir, 'load.csv');
  writeFileSync(f, '0,10\n60,20\n');
  assert.equal(readLoadTrace(f).length, 2);
  assert.throws(() => readLoadTrace(join(dir, 'nope.csv')), (e: unknown) => e instanceof UserError && e.message.includes('nope.csv'));
});

test('trace replay interpolates linearly and scales', () => {
  const fn = traceLoad([{ t: 1000, value: 10 }, { t: 1060, value: 20 }, { t: 1120, value: 0 }], 3, false, T0);
  assert.equal(fn(T0), 30);
  assert.equal(fn(T0 + 30), 45);
  assert.equal(fn(T0 + 90), 30);
  assert.equal(fn(T0 + 10_000), 0);
  const rep = traceLoad([{ t: 0, value: 10 }, { t: 60, value: 20 }], 1, true, T0);
  assert.equal(rep(T0 + 90), 15);
});

test('generators are deterministic by seed and shaped as named', () => {
  const params = GeneratorParamsSchema.parse({ base: 100, noise: 0.05, burstsPerDay: 0 });
  const a = generatorLoad('diurnal', params, 7, 0, T0, 0);
  const b = generatorLoad('diurnal', params, 7, 0, T0, 0);
  const c = generatorLoad('diurnal', params, 8, 0, T0, 0);
  const ts = Array.from({ length: 200 }, (_, i) => T0 + i * 613);
  assert.deepEqual(ts.map(a), ts.map(b));
  assert.notDeepEqual(ts.map(a), ts.map(c));
  // Daily cycle: 14:00 peak well above 02:00 trough (on a weekday).
  assert.ok(a(T0 + 14 * 3600) > 1.3 * a(T0 + 2 * 3600));
  // Weekly cycle: Saturday below Monday at the same hour.
  assert.ok(a(T0 + 5 * 86400 + 14 * 3600) < 0.85 * a(T0 + 14 * 3600));
  const steady = generatorLoad('steady', params, 7, 0, T0, 0);
  for (const t of ts) assert.ok(Math.abs(steady(t) - 100) <= 5 + 1e-9);
  const spiky = generatorLoad('spiky', GeneratorParamsSchema.parse({ base: 100, noise: 0 }), 7, 0, T0, 0);
  let max = 0;
  for (let t = T0; t < T0 + 86400; t += 30) max = Math.max(max, spiky(t));
  assert.ok(max > 250, `spiky max ${max}`);
});

test('fault parser: the documented example, and clear errors', () => {
  const f = parseFaults('node-crash@2h, crash-loop:web@26h/30m, memory-leak:api@1d12h, bad-rollout:web@50h, dependency-slowdown:api@3d/45m, spot-reclaim@80h', ['web', 'api']);
  assert.deepEqual(f.map((x) => [x.kind, x.target, x.at, x.duration]), [
    ['node-crash', undefined, 7200, undefined],
    ['crash-loop', 'web', 93600, 1800],
    ['memory-leak', 'api', 129600, undefined],
    ['bad-rollout', 'web', 180000, undefined],
    ['dependency-slowdown', 'api', 259200, 2700],
    ['spot-reclaim', undefined, 288000, undefined],
  ]);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.throws(() => parseFaults('disk-full:web@1h', ['web']), (e: unknown) => e instanceof UserError && /unknown fault kind 'disk-full'/.test(e.message));
  assert.throws(() => parseFaults('crash-loop:db@1h', ['web']), /unknown service 'db'/);
  assert.throws(() => parseFaults('crash-loop@1h', ['web']), /needs a service/);
  assert.throws(() => parseFaults('crash-loop:web@soon', ['web']), /expected kind\[:target\]@time/);
  assert.throws(() => parseFaults('crash-loop:web@1h/0m', ['web']), /bad duration/);
});
