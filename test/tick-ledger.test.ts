import assert from 'node:assert/strict';
import { openStore } from '../src/knowledge/store.js';
import { FencedError } from '../src/knowledge/tick-ledger.js';
import { testEachBackend } from './support/backends.js';

const entry = (summary: string) => ({ at: 60, runId: null, kind: 'decision', actor: 'hpa', summary, payload: { to: 3 } });

testEachBackend('tick ledger: ticks commit once each, in order, with their entries tagged; gaps and repeats are refused', async (b) => {
  const s = await openStore(await b.fresh());
  try {
    assert.equal(await s.ticks.last('loop'), undefined);
    const t1 = await s.ticks.commit({ loopId: 'loop', tick: 1, at: 60, holder: 'r1', entries: [entry('scale web'), entry('scale api')] });
    assert.deepEqual(t1, { loopId: 'loop', tick: 1, at: 60, term: null, holder: 'r1', journalSeq: 3 });
    await s.ticks.commit({ loopId: 'loop', tick: 2, at: 120, holder: 'r1', entries: [], error: 'no telemetry' });
    await assert.rejects(s.ticks.commit({ loopId: 'loop', tick: 2, at: 120, holder: 'r2', entries: [entry('again')] }), FencedError);
    await assert.rejects(s.ticks.commit({ loopId: 'loop', tick: 4, at: 240, holder: 'r1', entries: [] }), /last committed tick is 2/);
    // Another loop numbers its own ticks.
    await s.ticks.commit({ loopId: 'other', tick: 1, at: 60, holder: 'r9', entries: [] });
    assert.equal((await s.ticks.last('loop'))?.tick, 2);

    const all = await s.journal.list();
    assert.deepEqual(all.map((e) => [e.kind, e.summary]), [
      ['decision', 'scale web'], ['decision', 'scale api'], ['tick', 'tick 1 of loop: 2 entries'],
      ['tick', 'tick 2 of loop: no decision (no telemetry)'], ['tick', 'tick 1 of other: 0 entries'],
    ]);
    assert.deepEqual(all[1].payload, { to: 3, loopId: 'loop', tick: 1, decisionId: 'loop#1.2' });
    // Refused commits left nothing behind, and the chain is whole.
    assert.equal((await s.journal.verify()).ok, true);
  } finally {
    await s.close();
  }
});
