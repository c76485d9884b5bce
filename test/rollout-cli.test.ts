/**
 * `autonomic simulate --rollout` as a user runs it (the real CLI, one child process per command, a temporary store
 * each): a bad revision is rolled back by its canary analysis, a good one promoted, a risky one (failed rollouts
 * of the service in the journal) waits for a human; bad specs exit 2 naming the flag and the part that is wrong.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/knowledge/store.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'autonomic.js');
/** The scenario twin's start (2024-01-01 00:00 UTC). */
const T0 = 1704067200;
const DAY = 86_400;

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-rollout-'));
  roots.push(dir);
  return join(dir, 'store', 'autonomic.db');
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: readonly string[], db: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, AUTONOMIC_DB: db };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const show = (r: CliResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

interface Step { step: number; weight: number; verdict: string; decision: string; errors: { failed: boolean; canaryRate: number; baselineRate: number; pValue: number } }
interface Outcome { service: string; revision: string; outcome: string; decidedAtStep: number | null; why: string | null; startedAt: number | null; steps: Step[] }
interface Report { runId: string; rollouts: Outcome[]; verification: { judged: number } }
interface Entry { at: number; kind: string; actor: string; summary: string; payload: Record<string, unknown> }

async function simulate(db: string, args: readonly string[]): Promise<Report> {
  const r = await cli(['simulate', '--generator', 'diurnal', '--no-progress', '--json', ...args], db);
  assert.equal(r.code, 0, show(r));
  return JSON.parse(r.stdout) as Report;
}

/** The run's journal entries of a kind, read straight from the SQLite file (table: src/knowledge/migrations.ts). */
async function journal(db: string, runId: string, kind: string): Promise<Entry[]> {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = conn.prepare('select at, kind, actor, summary, payload from journal where run_id = ? and kind = ? order by seq').all(runId, kind) as (Omit<Entry, 'payload'> & { payload: string })[];
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  } finally {
    conn.close();
  }
}

describe('simulate --rollout', { concurrency: 2 }, () => {
  test('a revision failing 3 % of requests is rolled back at step 1 or 2, and the journal says so', async () => {
    const db = tempDb();
    const report = await simulate(db, ['--days', '0.1', '--rollout', 'checkout:r2@1h:errors=3']);
    assert.equal(report.rollouts.length, 1);
    const o = report.rollouts[0];
    assert.equal(o.outcome, 'rolled-back', JSON.stringify(o, null, 1));
    assert.equal(o.startedAt, T0 + 3600);
    assert.ok(o.decidedAtStep !== null && o.decidedAtStep <= 2, `rolled back at step ${o.decidedAtStep}`);
    const last = o.steps.at(-1);
    assert.ok(last);
    assert.equal(last.decision, 'abort');
    assert.equal(last.errors.failed, true);
    assert.ok(last.errors.canaryRate > last.errors.baselineRate && last.errors.pValue < 0.01, JSON.stringify(last.errors));
    assert.match(o.why ?? '', /errors: canary .* worse/);

    const steps = await journal(db, report.runId, 'rollout-step');
    assert.equal(steps.length, o.steps.length);
    assert.equal(steps.at(-1)?.payload.decision, 'abort');
    const results = await journal(db, report.runId, 'rollout-result');
    assert.equal(results.length, 1);
    assert.equal(results[0].payload.outcome, 'rolled-back');
    assert.match(results[0].summary, /Rollout of checkout r2 rolled back at 10%|Rollout of checkout r2 rolled back at 25%/);
    // The abort went through the guardrails like any action.
    const decisions = await journal(db, report.runId, 'decision');
    assert.ok(decisions.some((d) => d.actor === 'rollout/checkout' && /abort the rollout of checkout r2 executed/.test(d.summary)), decisions.map((d) => d.summary).join('\n'));
  });

  test('a good revision passes every step and is promoted; the text report says so', async () => {
    const db = tempDb();
    const r = await cli(['simulate', '--generator', 'diurnal', '--no-progress', '--days', '0.1', '--rollout', 'web:r2@1h'], db);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /web r2 \(web:r2@1h\): promoted after 3 canary steps \(10% → 25% → 50%\)/, r.stdout);
    const runId = /run ([0-9a-f-]{36})/.exec(r.stdout)?.[1];
    assert.ok(runId, r.stdout);
    const steps = await journal(db, runId, 'rollout-step');
    assert.deepEqual(steps.map((s) => [s.payload.weight, s.payload.decision]), [[10, 'advance'], [25, 'advance'], [50, 'promote']]);
    const results = await journal(db, runId, 'rollout-result');
    assert.deepEqual(results.map((e) => e.payload.outcome), ['promoted']);
  });

  test('a rollout of a service with recent failed rollouts in the journal waits for a human approval', async () => {
    const db = tempDb();
    // History from earlier (real) runs: three rollouts of checkout rolled back in the days before this run.
    const store = await openStore(db);
    try {
      await store.journal.appendBatch([1, 2, 3].map((d) => ({
        at: T0 - d * DAY + 600, runId: null, kind: 'rollout-result', actor: 'rollout/checkout', summary: `Rollout of checkout r0.${d} rolled back.`,
        payload: { service: 'checkout', revision: `r0.${d}`, outcome: 'rolled-back', change: { imageChanged: true, configKeysChanged: 0, replicaDelta: 0 }, startedAt: T0 - d * DAY, endedAt: T0 - d * DAY + 600 },
      })));
    } finally {
      await store.close();
    }
    const report = await simulate(db, ['--days', '0.1', '--rollout', 'checkout:r2@30m', '--rollout', 'web:r2@30m']);
    const checkout = report.rollouts.find((o) => o.service === 'checkout');
    const web = report.rollouts.find((o) => o.service === 'web');
    assert.ok(checkout && web);
    // Nobody approves in this run (no --approve-after): it waited the policy's approval expiry, then gave up.
    assert.equal(checkout.outcome, 'refused', JSON.stringify(checkout));
    assert.match(checkout.why ?? '', /not approved within 3600 s/);
    assert.deepEqual(checkout.steps, [], 'no canary traffic without the approval');
    // The other service, with no failure history, went ahead at once.
    assert.equal(web.outcome, 'promoted');
    const decisions = await journal(db, report.runId, 'decision');
    const queued = decisions.filter((d) => d.actor === 'rollout/checkout' && d.payload.verdict === 'needs-approval');
    assert.equal(queued.length, 1, decisions.filter((d) => d.actor === 'rollout/checkout').map((d) => d.summary).join('\n'));
    assert.match((queued[0].payload.reasons as string[]).join(' '), /deployment risk \d+% ≥ 50% .*recentFailures 3/);
    assert.ok(!decisions.some((d) => d.actor === 'rollout/web' && d.payload.verdict === 'needs-approval'));
    const results = await journal(db, report.runId, 'rollout-result');
    assert.deepEqual(results.map((e) => [e.payload.service, e.payload.outcome]).sort(), [['checkout', 'refused'], ['web', 'promoted']]);
  });

  test('bad --rollout specs exit 2 naming the flag and the part that is wrong, and write nothing', async () => {
    // Every message is tested in-process (rollout-cli-parse.test.ts); here, that the CLI turns them into exit 2.
    const cases: [string, RegExp][] = [
      ['shop:r2@1h', /^error: --rollout 'shop:r2@1h': unknown service 'shop' \(known: web, api, checkout\)$/],
      ['checkout:r2@6x', /^error: --rollout 'checkout:r2@6x': bad time '6x'/],
      ['checkout:r2@1h:speed=2', /^error: --rollout 'checkout:r2@1h:speed=2': unknown option 'speed=2' \(known: errors=PERCENT, latency=FACTOR\)$/],
    ];
    await Promise.all(cases.map(async ([spec, expected]) => {
      const db = tempDb();
      const r = await cli(['simulate', '--days', '1', '--no-progress', '--rollout', spec], db);
      assert.equal(r.code, 2, `${spec}: ${show(r)}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line, no stack trace: ${r.stderr}`);
      assert.match(lines[0], expected);
      assert.equal(existsSync(db), false, `${spec}: nothing written`);
    }));
  });
});
