import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { openStore } from '../src/knowledge/store.js';
import { isProcessAlive } from '../src/knowledge/runs.js';
import { testEachBackend } from './support/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'autonomic-runs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `r${++n}.db`);

testEachBackend('run lifecycle: create, checkpoint, complete; fail; list', async (b) => {
  const s = await openStore(await b.fresh());
  try {
    const run = await s.runs.create({ command: 'simulate --nodes 100', config: { nodes: 100, policy: 'hpa' }, seed: 42 });
    assert.equal(run.status, 'running');
    assert.equal(run.pid, process.pid);
    assert.equal(run.host, hostname());
    assert.equal(run.lastTick, null);
    assert.deepEqual(await s.runs.get(run.id), run);

    await s.runs.checkpoint(run.id, 600, { ticks: 40, actions: 3 });
    await s.runs.checkpoint(run.id, 1200, { ticks: 80, actions: 5 });
    const mid = await s.runs.get(run.id);
    assert.equal(mid?.lastTick, 1200);
    assert.deepEqual(mid?.progress, { ticks: 80, actions: 5 });
    assert.deepEqual(mid?.config, { nodes: 100, policy: 'hpa' });
    assert.equal(mid?.seed, 42);

    await s.runs.complete(run.id, { slo: 0.999, cost: 12.5 });
    const done = await s.runs.get(run.id);
    assert.equal(done?.status, 'completed');
    assert.deepEqual(done?.result, { slo: 0.999, cost: 12.5 });
    assert.ok(done?.finishedAt !== null && done!.finishedAt >= run.createdAt);
    // A finished run takes no more writes.
    await assert.rejects(s.runs.checkpoint(run.id, 1800, {}), /not running/);
    await assert.rejects(s.runs.fail(run.id, 'late'), /not running/);

    const bad = await s.runs.create({ command: 'simulate --trace missing.csv', id: 'run-bad' });
    await s.runs.fail(bad.id, 'trace file not found');
    const failed = await s.runs.get('run-bad');
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.error, 'trace file not found');
    assert.equal(failed?.seed, null);

    const all = await s.runs.list();
    assert.deepEqual(new Set(all.map((r) => r.id)), new Set([run.id, 'run-bad']));
    assert.ok(all[0].createdAt >= all[1].createdAt, 'newest first');
    assert.deepEqual((await s.runs.list({ status: 'failed' })).map((r) => r.id), ['run-bad']);
    assert.equal(await s.runs.get('nope'), undefined);
    await assert.rejects(s.runs.create({ command: 'dup', id: 'run-bad' }));
  } finally {
    await s.close();
  }
});

testEachBackend('a run owned by a live process stays running when another store opens the file', async (backend) => {
  const path = await backend.fresh();
  const a = await openStore(path);
  const run = await a.runs.create({ command: 'loop' });
  const b = await openStore(path); // runs markInterrupted(); our pid is alive
  try {
    assert.equal((await b.runs.get(run.id))?.status, 'running');
    assert.deepEqual(await b.runs.markInterrupted(), []);
  } finally {
    await a.close();
    await b.close();
  }
});

testEachBackend('a run whose process was SIGKILLed is marked interrupted on the next open, and can be resumed', async (b) => {
  const path = await b.fresh();
  const script = join(dir, 'runner.mts');
  const storeUrl = pathToFileURL(resolve('src/knowledge/store.ts')).href;
  writeFileSync(script, `
    import { openStore } from ${JSON.stringify(storeUrl)};
    const store = await openStore(process.argv[2]);
    const run = await store.runs.create({ command: 'simulate', config: { nodes: 10 }, seed: 7 });
    let tick = 0;
    for (;;) {
      tick += 15;
      await store.runs.checkpoint(run.id, tick, { ticks: tick / 15 });
      if (tick === 150) process.stdout.write('checkpointed ' + run.id + '\\n');
      await new Promise((r) => setTimeout(r, 1));
    }
  `);
  const child = spawn(process.execPath, ['--import', 'tsx', script, path], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const runId = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`child never checkpointed: ${stderr}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      const m = /checkpointed (\S+)/.exec(d.toString());
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    child.on('exit', () => { clearTimeout(timer); rej(new Error(`child exited early: ${stderr}`)); });
  });
  const childPid = child.pid!;
  assert.equal(isProcessAlive(childPid), true);
  child.kill('SIGKILL');
  await exited;
  assert.equal(isProcessAlive(childPid), false);

  const s = await openStore(path);
  try {
    const run = await s.runs.get(runId);
    assert.equal(run?.status, 'interrupted');
    assert.equal(run?.pid, childPid);
    assert.ok(run!.lastTick! >= 150, `lastTick ${run?.lastTick}`);
    assert.deepEqual(run?.progress, { ticks: run!.lastTick! / 15 });
    assert.match(run?.error ?? '', new RegExp(`process ${childPid}`));

    // Resume: this process takes the run over and finishes it.
    const resumed = await s.runs.resume(runId);
    assert.equal(resumed.status, 'running');
    assert.equal(resumed.pid, process.pid);
    assert.equal(resumed.lastTick, run!.lastTick);
    await s.runs.checkpoint(runId, resumed.lastTick! + 15, { ticks: 99 });
    await s.runs.complete(runId, { ok: true });
    assert.equal((await s.runs.get(runId))?.status, 'completed');
    await assert.rejects(s.runs.resume(runId), /not interrupted or failed/);
  } finally {
    await s.close();
  }
});

testEachBackend('running rows from another host are left alone', async (backend) => {
  const path = await backend.fresh();
  const a = await openStore(path);
  const run = await a.runs.create({ command: 'loop' });
  // Pretend the owner is a process on another machine, with a pid that surely is not alive here.
  await a.db.updateTable('runs').set({ host: 'some-other-host', pid: 2 ** 22 + 12345 }).where('id', '=', run.id).execute();
  await a.close();
  const b = await openStore(path);
  try {
    assert.equal((await b.runs.get(run.id))?.status, 'running');
  } finally {
    await b.close();
  }
});
