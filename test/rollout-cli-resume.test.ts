/**
 * `runs resume` of a run with `--rollout`s (as the CLI does it: trackedSimulation with the run taken over): the
 * resumed run ends exactly like an uninterrupted one, rollouts and deployment-risk verdicts included. The risk
 * model must not read the interrupted run's own journal rows at the start, or the replay would count its own
 * failed rollout twice.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareSimulation, SimulationSpecSchema, type SimulationReport, type SimulationSpecInput } from '../src/loop/simulation.js';
import { trackedSimulation } from '../src/interfaces/cli/tracked-run.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import type { JournalEntry } from '../src/knowledge/journal.js';

const T0 = 1704067200;
const dir = mkdtempSync(join(tmpdir(), 'autonomic-rollout-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A store holding one failed checkout rollout from an earlier day (another run's history). */
async function storeWithHistory(): Promise<Store> {
  const store = await openStore(join(dir, `s${++n}.db`));
  await store.journal.append({
    at: T0 - 86_400 + 600, runId: null, kind: 'rollout-result', actor: 'rollout/checkout', summary: 'Rollout of checkout r0 rolled back.',
    payload: { service: 'checkout', revision: 'r0', outcome: 'rolled-back', change: { imageChanged: true, configKeysChanged: 0, replicaDelta: 0 }, startedAt: T0 - 86_400, endedAt: T0 - 86_400 + 600 },
  });
  return store;
}

const stable = (r: SimulationReport) => ({ ...r, wallSeconds: 0, tickMsP50: 0 });
/** An entry without what differs per process (approval ids, wall-clock fields). */
const comparable = (e: JournalEntry) => ({
  at: e.at, kind: e.kind, actor: e.actor, summary: e.summary,
  payload: JSON.stringify(e.payload, (k: string, v: unknown) => (k === 'approvalId' || k === 'wallSeconds' || k === 'tickMsP50' ? undefined : v)),
});

test('a run with rollouts stopped part-way and resumed ends exactly like an uninterrupted one', async () => {
  // checkout r2 fails at 30m; r3 at 1h30m (after the stop) then meets one failure of this run plus the earlier one.
  const spec: SimulationSpecInput = {
    policy: 'autonomic', days: 0.1, seed: 3, load: { kind: 'generator', name: 'diurnal' },
    rollouts: ['checkout:r2@30m:errors=3', 'checkout:r3@1h30m', 'web:r2@45m'],
  };
  const whole = await storeWithHistory();
  const store = await storeWithHistory();
  try {
    const { run, report: want } = await trackedSimulation(whole, prepareSimulation(spec), () => undefined);
    const outcomes = Object.fromEntries(want.rollouts.map((o) => [`${o.service} ${o.revision}`, o.outcome]));
    assert.deepEqual(outcomes, { 'checkout r2': 'rolled-back', 'checkout r3': 'awaiting-approval', 'web r2': 'promoted' });
    const wantJournal = await whole.journal.list({ runId: run.id, limit: 100_000 });
    const queued = wantJournal.find((e) => e.kind === 'decision' && e.actor === 'rollout/checkout' && /queued for approval/.test(e.summary));
    assert.ok(queued, 'checkout r3 waits for a human');
    assert.match(JSON.stringify(queued.payload), /recentFailures 2 /);

    let hours = 0;
    await assert.rejects(trackedSimulation(store, prepareSimulation(spec), () => {
      if (++hours === 1) throw new Error('simulated crash');
    }), /simulated crash/);
    const [stopped] = await store.runs.list();
    const partial = await store.journal.list({ runId: stopped.id, kind: 'rollout-result' });
    assert.ok(partial.some((e) => /checkout r2 rolled back/.test(e.summary)), 'the failed r2 is in the journal before the stop');
    const resumed = await store.runs.resume(stopped.id);
    const { report: got } = await trackedSimulation(store, prepareSimulation(SimulationSpecSchema.parse(stopped.config)), () => undefined, resumed);
    assert.deepEqual(stable(got), stable(want));
    const gotJournal = await store.journal.list({ runId: stopped.id, limit: 100_000 });
    assert.deepEqual(gotJournal.map(comparable), wantJournal.map(comparable));
  } finally {
    await whole.close();
    await store.close();
  }
});
