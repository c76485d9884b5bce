import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../bench/scale.js';
import { parseBenchArgs } from '../bench/lib/report.js';
import { UserError } from '../src/core/errors.js';

// Shape only: the speed goals are the benchmark's business, not the tests' (timings vary with the machine).
test('scale bench: two small sizes give the documented JSON shape', async () => {
  const r = await run(parseBenchArgs(['--sizes', '10,100', '--ticks', '2', '--json']));
  assert.equal(r.suite, 'scale');
  assert.equal(r.data, null);
  assert.deepEqual(Object.keys(r).sort(), ['data', 'rows', 'suite', 'summary']);
  assert.equal(r.rows.length, 2);
  assert.deepEqual(r.rows.map((x) => x.nodes), [10, 100]);
  for (const row of r.rows) {
    assert.deepEqual(Object.keys(row), ['nodes', 'pods', 'services', 'tick_ms_p50', 'tick_ms_p95', 'rss_mb']);
    for (const v of Object.values(row)) assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${JSON.stringify(row)}`);
    assert.equal(row.pods, (row.nodes as number) * 30);
    assert.equal(row.services, (row.nodes as number) * 3);
  }
  const s = r.summary;
  assert.equal(s.goal_500_ms, 100);
  assert.equal(s.goal_10000_ms, 1000);
  assert.equal(s.rss_goal_mb, 1024);
  // Sizes that were not run are reported as unknown, not as met.
  assert.equal(s.met_500, null);
  assert.equal(s.met_10000, null);
  assert.ok(typeof s.rss_mb_max === 'number' && s.rss_mb_max > 0);
  assert.deepEqual(Object.keys(s.linearity as object), ['10', '100']);
  // The result is what --json prints: it must survive a JSON round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('scale bench: --data is accepted and recorded, bad --sizes and --ticks are UserErrors naming the flag', async () => {
  const r = await run(parseBenchArgs(['--sizes', '10', '--ticks', '1', '--warmup', '0', '--data', '/nowhere']));
  assert.equal(r.data, '/nowhere');
  assert.equal(r.rows.length, 1);
  for (const bad of [['--sizes', '10,abc'], ['--sizes', '0'], ['--sizes', '-5'], ['--sizes', '1.5'], ['--sizes'], ['--ticks', '0'], ['--ticks', '2,3'], ['--policy', 'nope']]) {
    await assert.rejects(run(parseBenchArgs(bad)), (e: unknown) => e instanceof UserError && e.message.startsWith(`${bad[0]}:`), bad.join(' '));
  }
});
