/** The load generator's traces, and that it is open-loop: it keeps sending at the trace's rate while nothing answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvTrace, LoadGenerator } from '../src/execute/providers/local/load-generator.js';

test('a CSV trace gives the rate of each second (header skipped, repeated when it runs out)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-trace-'));
  try {
    const f = join(dir, 't.csv');
    writeFileSync(f, 'second,rate\n0,5\n1,10\n2,0\n');
    const r = csvTrace(f);
    assert.deepEqual([0, 1, 2, 3, 4.5].map(r), [5, 10, 0, 5, 10]);
    writeFileSync(f, '5\nlots\n');
    assert.throws(() => csvTrace(f), /t\.csv:2: expected a non-negative rate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the load is open-loop: requests keep going out while earlier ones hang', { timeout: 20_000 }, async () => {
  // A server that never answers: a closed-loop generator would send one request per connection and stop.
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  assert.ok(addr !== null && typeof addr !== 'string');
  const load = new LoadGenerator(`http://127.0.0.1:${addr.port}/`, () => 40, 500);
  load.start();
  await new Promise((r) => setTimeout(r, 1000));
  await load.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  assert.ok(load.sentCount >= 30 && load.sentCount <= 60, `sent ${load.sentCount} in about 1 s at 40/s`);
  assert.equal(load.failedBetween(0, Date.now() + 1), load.results.length, 'every unanswered request counts as failed');
});
