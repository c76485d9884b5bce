/**
 * The real `autonomic` CLI (bin/autonomic.js) as a user runs it: one child process per command, each test with
 * its own temporary knowledge store ($AUTONOMIC_DB) and working directory, fixtures written at runtime.
 *
 * Covers: bad input (exit 2, one located line on stderr, no stack trace, nothing written); help and `policy check`;
 * `simulate --json` then `audit verify` / `audit list`; tamper detection on an edited and on a deleted journal row;
 * a run SIGKILLed mid-way that is listed as interrupted, reported partially, resumed to the same result as an
 * uninterrupted run with the same seed, with the journal intact at every step.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { CATALOGUE } from '../src/execute/twin/catalogue.js';
import { GENERATORS } from '../src/execute/twin/load.js';
import { POLICY_NAMES } from '../src/loop/simulation.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'autonomic.js');
const DEFAULT_POLICY = join(import.meta.dirname, '..', 'policies', 'default.yaml');
const CLI_TIMEOUT_MS = 90_000;

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A temp working directory; the store goes in a sub-folder that does not exist yet, so "nothing written" is checkable. */
interface Workspace {
  dir: string;
  db: string;
}

function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-cli-'));
  roots.push(dir);
  return { dir, db: join(dir, 'store', 'autonomic.db') };
}

function fixture(ws: Workspace, name: string, text: string): string {
  const p = join(ws.dir, name);
  writeFileSync(p, text);
  return p;
}

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  done: Promise<CliResult>;
}

function startCli(args: readonly string[], ws: Workspace, db = ws.db): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, AUTONOMIC_DB: db };
  delete env.NODE_TEST_CONTEXT; // the child is a CLI, not a test file
  // cwd = the workspace: were AUTONOMIC_DB ignored, the default .autonomic/ would land there and be caught.
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ws.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

const cli = (args: readonly string[], ws: Workspace, db?: string): Promise<CliResult> => startCli(args, ws, db).done;

const show = (r: CliResult): string => `exit ${r.code ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function assertNoStackTrace(r: CliResult): void {
  assert.ok(!r.stderr.includes('    at '), `stack trace on stderr:\n${r.stderr}`);
  assert.ok(!r.stderr.includes('internal error'), `internal error:\n${r.stderr}`);
}

function assertNothingWritten(ws: Workspace): void {
  assert.equal(existsSync(ws.db), false, 'the knowledge store was created');
  assert.equal(existsSync(dirname(ws.db)), false, "the knowledge store's folder was created");
  assert.equal(existsSync(join(ws.dir, '.autonomic')), false, 'a default store was created in the working directory');
}

/**
 * A usage error: exit 2, nothing on stdout, `expected` as the first stderr line and no stack trace. `extraLines`
 * says what may follow it: nothing (a one-line error) or lines matching a pattern (more located problems).
 */
function assertUsageError(r: CliResult, expected: string | RegExp, extraLines: 'none' | RegExp = 'none'): void {
  assert.equal(r.code, 2, show(r));
  assert.equal(r.stdout, '', show(r));
  assertNoStackTrace(r);
  assert.ok(r.stderr.endsWith('\n'), show(r));
  const [first, ...rest] = r.stderr.slice(0, -1).split('\n');
  if (typeof expected === 'string') assert.equal(first, expected);
  else assert.match(first, expected);
  if (extraLines === 'none') assert.deepEqual(rest, [], `expected a one-line error:\n${r.stderr}`);
  else for (const l of rest) assert.match(l, extraLines);
}

// --- direct, read-only looks into the SQLite file (table and column names: src/knowledge/migrations.ts) ---

interface JournalRow {
  seq: number;
  at: number;
  run_id: string | null;
  kind: string;
  actor: string;
  summary: string;
  payload: string;
}

interface RunRow {
  id: string;
  status: string;
  last_tick: number | null;
  pid: number | null;
  result: string | null;
}

function readDb<T>(path: string, f: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

const journalRows = (path: string, runId?: string): JournalRow[] =>
  readDb(path, (db) =>
    runId === undefined
      ? (db.prepare('select * from journal order by seq').all() as JournalRow[])
      : (db.prepare('select * from journal where run_id = ? order by seq').all(runId) as JournalRow[]),
  );

const runRows = (path: string): RunRow[] => readDb(path, (db) => db.prepare('select * from runs order by created_at').all() as RunRow[]);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function parseJsonObject(text: string, what: string): { [key: string]: Json } {
  let v: Json;
  try {
    v = JSON.parse(text) as Json;
  } catch (e) {
    assert.fail(`${what} is not JSON (${(e as Error).message}):\n${text}`);
  }
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what} is not one JSON object:\n${text}`);
  return v;
}

/** The fields of a simulation report that depend on wall-clock time, not on the simulation. */
const WALL_CLOCK_FIELDS = ['wallSeconds', 'tickMsP50'];

function withoutKeys(v: Json, keys: readonly string[]): Json {
  if (Array.isArray(v)) return v.map((x) => withoutKeys(x, keys));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !keys.includes(k)).map(([k, x]) => [k, withoutKeys(x, keys)]));
}

// ---------------------------------------------------------------------------------------------------------------

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The four suites run side by side (the two stateful ones sequential inside, the independent cases three at a time):
// every command is a separate Node process, mostly module loading, so two cores stay busy.
describe('autonomic CLI', { concurrency: 4 }, () => {
  describe('bad input: exit 2, one clear located line, no stack trace, nothing written', { concurrency: 3 }, () => {
    test('trace CSV with a non-numeric value on line 4 names file and line', async () => {
      const ws = workspace();
      const csv = fixture(ws, 'load.csv', 'timestamp,value\n1704067200,10\n1704067260,12\n1704067320,abc\n1704067380,5\n');
      const r = await cli(['simulate', '--trace', csv, '--policy', 'hpa', '--days', '1'], ws);
      assertUsageError(r, `error: ${csv}:4: value 'abc' is not a number`);
      assertNothingWritten(ws);
    });

    test('train rl with an unknown --node-types instance type names the flag and the known types', async () => {
      const ws = workspace();
      const csv = fixture(ws, 'load.csv', 'timestamp,value\n1704067200,10\n1704067500,12\n');
      const r = await cli(['train', 'rl', '--trace', csv, '--node-types', 'm5.xlarge,m9.huge'], ws);
      assertUsageError(r, `error: --node-types: unknown instance type 'm9.huge' (known: ${[...CATALOGUE.keys()].join(', ')})`);
      assertNothingWritten(ws);
    });

    test('guardrail YAML with a negative maxReplicas names file, line, column and field', async () => {
      const ws = workspace();
      const yaml = fixture(ws, 'guardrails.yaml', 'services:\n  "*":\n    minReplicas: 1\n    maxReplicas: -5\n');
      const r = await cli(['simulate', '--generator', 'steady', '--guardrails', yaml, '--days', '1'], ws);
      // policy.ts lists every problem it finds, one located line each; the first is the one that matters.
      assertUsageError(r, `error: ${yaml}:4:18: services.*.maxReplicas: must be ≥ 0, got -5`, new RegExp(`^${escapeRe(yaml)}:4:18: services\\.\\*\\.maxReplicas: `));
      assertNothingWritten(ws);
    });

    test('policy check: YAML syntax error names file, line and column', async () => {
      const ws = workspace();
      const yaml = fixture(ws, 'bad-indent.yaml', 'cluster:\n  minNodes: 1\n maxNodes: 3\n');
      const r = await cli(['policy', 'check', yaml], ws);
      assertUsageError(r, new RegExp(`^error: ${escapeRe(yaml)}:3:1: YAML syntax error: \\S.*$`));
      assertNothingWritten(ws);
    });

    test('unknown generator names the bad name and the valid ones', async () => {
      const ws = workspace();
      const r = await cli(['simulate', '--generator', 'sawtooth', '--days', '1'], ws);
      assertUsageError(r, `error: --generator: unknown generator 'sawtooth' (known: ${GENERATORS.join(', ')})`);
      assertNothingWritten(ws);
    });

    test('unknown policy names the bad name and the valid ones', async () => {
      const ws = workspace();
      const r = await cli(['simulate', '--generator', 'steady', '--policy', 'vpa', '--days', '1'], ws);
      assertUsageError(r, `error: --policy: unknown value 'vpa' (known: ${POLICY_NAMES.join(', ')})`);
      assertNothingWritten(ws);
    });

    test('--days -1 names the flag', async () => {
      const ws = workspace();
      const r = await cli(['simulate', '--generator', 'steady', '--days', '-1'], ws);
      assertUsageError(r, "error: --days: expected a positive number, got '-1'");
      assertNothingWritten(ws);
    });

    test('--days 100000 names the flag and the maximum', async () => {
      const ws = workspace();
      const r = await cli(['simulate', '--generator', 'steady', '--days', '100000'], ws);
      assertUsageError(r, 'error: --days: 100000 is more than the maximum of 366');
      assertNothingWritten(ws);
    });

    test('audit verify of a store that does not exist is an error, not "intact", and creates nothing', async () => {
      const ws = workspace();
      const r = await cli(['audit', 'verify'], ws);
      assertUsageError(r, `error: ${ws.db}: no knowledge store here: nothing to verify (check --db or $AUTONOMIC_DB)`);
      assertNothingWritten(ws);
    });

    test('a store path that is not a database is a usage error and the file is left as it was', async () => {
      const ws = workspace();
      const notDb = fixture(ws, 'notes.db', 'these are my notes, not a database\n');
      const r = await cli(['runs', 'list'], ws, notDb);
      assertUsageError(r, `error: ${notDb}: cannot open the knowledge store: file is not a database (check --db or $AUTONOMIC_DB)`);
      assert.equal(readFileSync(notDb, 'utf8'), 'these are my notes, not a database\n');
      assert.deepEqual(readdirSync(ws.dir), ['notes.db'], 'no -wal/-shm or store folder next to it');
    });
  });

  describe('help, policy check, closed stdout', { concurrency: 3 }, () => {
    test('policy check on a valid file exits 0 and says so', async () => {
      const ws = workspace();
      const r = await cli(['policy', 'check', DEFAULT_POLICY], ws);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^${escapeRe(DEFAULT_POLICY)}: valid\n`));
      assert.match(r.stdout, /replicas: 1–100 by default/);
      assertNothingWritten(ws);
    });

    test('--help on the root lists the commands', async () => {
      const ws = workspace();
      const r = await cli(['--help'], ws);
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /^Usage: autonomic /);
      for (const c of ['demo', 'simulate', 'runs', 'audit', 'policy', 'approvals', 'sim']) assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), c);
      assertNothingWritten(ws);
    });

    test('simulate --help explains every option', async () => {
      const ws = workspace();
      const r = await cli(['simulate', '--help'], ws);
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /^Usage: autonomic simulate \[options\]/);
      for (const flag of ['--trace <file>', '--generator <name>', '--policy <name>', '--days <n>', '--seed <n>', '--faults <spec>', '--json', '--no-progress', '--db <path>']) {
        assert.ok(r.stdout.includes(flag), `${flag} missing from simulate --help`);
      }
      // The valid names are in the help, not only in the error.
      for (const name of [...GENERATORS, ...POLICY_NAMES]) assert.ok(r.stdout.includes(name), `${name} missing from simulate --help`);
      assert.match(r.stdout, /max 366/);
      assertNothingWritten(ws);
    });

    test('stdout closed early (`| head`) is no error: no stack trace, and the run is still recorded', async () => {
      const ws = workspace();
      const started = startCli(['simulate', '--generator', 'steady', '--policy', 'static', '--days', '0.25', '--json'], ws);
      started.child.stdout?.destroy(); // the reader is gone before the report is written: EPIPE
      const r = await started.done;
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stderr, '');
      const list = await cli(['runs', 'list'], ws);
      assert.equal(list.code, 0, show(list));
      assert.match(list.stdout, /\n[0-9a-f-]{36}\s+simulate\s+completed\s+static\s+\S+ \S+\s+0\.25\/0\.25 days\n$/);
    });
  });

  describe('simulate --json, the audit journal, and tamper detection', { concurrency: 1 }, () => {
    const ws = workspace();
    let report: { [key: string]: Json } = {};
    let runId = '';
    let entries = 0;

    test('simulate --generator diurnal --policy hpa --days 1 --json prints one report object', async () => {
      const r = await cli(['simulate', '--generator', 'diurnal', '--policy', 'hpa', '--days', '1', '--seed', '1', '--json'], ws);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stderr, '', 'no progress bar or warnings with --json');
      report = parseJsonObject(r.stdout, 'simulate --json output');
      const num = (k: string): number => {
        const v = report[k];
        assert.equal(typeof v, 'number', `${k} is ${JSON.stringify(v)}`);
        return v as number;
      };
      assert.equal(typeof report.runId, 'string');
      runId = report.runId as string;
      assert.equal(report.policy, 'hpa');
      assert.equal(report.days, 1);
      assert.equal(report.seed, 1);
      assert.equal(report.mode, 'auto');
      assert.ok(num('costDollars') > 0);
      assert.ok(num('sloViolationMinutes') >= 0);
      assert.ok(num('p99MeanMs') > 0 && num('p99OfP99Ms') >= num('p99MeanMs'));
      assert.ok(Number.isInteger(num('actions')) && num('actions') > 0);
      assert.ok(Number.isInteger(num('flaps')) && num('flaps') >= 0 && num('flaps') <= num('actions'));
      assert.equal(num('ticks'), 86400 / 15);
      assert.ok(num('nodeHours') > 0);
      // What the CLI printed is what it recorded.
      const [run] = runRows(ws.db);
      assert.equal(run.id, runId);
      assert.equal(run.status, 'completed');
      assert.deepEqual(JSON.parse(run.result ?? 'null'), withoutKeys(report, ['runId']));
    });

    test('audit verify exits 0 and reports the chain intact; audit list shows the entries', async () => {
      assert.ok(runId, 'needs the simulate run');
      const [verify, list] = await Promise.all([cli(['audit', 'verify'], ws), cli(['audit', 'list'], ws)]);
      assert.equal(verify.code, 0, show(verify));
      const m = /^journal intact: (\d+) entries, head #(\d+) [0-9a-f]{16}…\n$/.exec(verify.stdout);
      assert.ok(m, show(verify));
      entries = Number(m[1]);
      assert.equal(Number(m[2]), entries);
      assert.equal(entries, journalRows(ws.db).length);
      assert.ok(entries >= 20, `only ${entries} journal entries`);

      assert.equal(list.code, 0, show(list));
      const lines = list.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^seq\s+at\s+kind\s+actor\s+summary$/);
      assert.equal(lines.length, 2 + Math.min(50, entries), 'header, rule and at most the default 50 entries');
      assert.match(lines[2], /^1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+run\s+cli\s+Started a 1-day simulation with the hpa policy \(generator diurnal, seed 1, mode auto\)\.$/);
      assert.ok(lines.slice(3).some((l) => /^\d+\s.*\sdecision\s+hpa\s+HPA: /.test(l)), 'an HPA decision is listed');

      // The run's own entries: its start, and its finish carrying the very report printed.
      const runEntries = journalRows(ws.db, runId).filter((e) => e.kind === 'run');
      assert.equal(runEntries.length, 2, 'one start and one finish entry');
      assert.match(runEntries[0].summary, /^Started /);
      assert.match(runEntries[1].summary, /^Finished: \$\d+\.\d\d, /);
      assert.deepEqual((JSON.parse(runEntries[1].payload) as { report?: Json }).report, withoutKeys(report, ['runId']));
    });

    /** A copy of the (closed, checkpointed) store with `tamper` applied to it as an attacker with file access would. */
    function tamperedCopy(name: string, tamper: (db: Database.Database) => void): string {
      const copy = join(ws.dir, name);
      readDb(ws.db, (db) => db.prepare('vacuum into ?').run(copy));
      const db = new Database(copy);
      try {
        tamper(db);
      } finally {
        db.close();
      }
      return copy;
    }

    test('an edited payload and a deleted middle row are caught, naming the entry', async () => {
      assert.ok(entries >= 20, 'needs the journal of the simulate run');
      const edited = Math.floor(entries / 2);
      const deleted = edited + 7;
      const editedCopy = tamperedCopy('edited.db', (db) => {
        const row = db.prepare('select payload from journal where seq = ?').get(edited) as { payload: string };
        const payload = JSON.parse(row.payload) as { [key: string]: Json };
        payload.verdict = payload.verdict === 'deny' ? 'allow' : 'deny';
        const update = db.prepare('update journal set payload = ? where seq = ?');
        // The store refuses it itself; an attacker drops the trigger first.
        assert.throws(() => update.run(JSON.stringify(payload), edited), /append-only/);
        db.exec('drop trigger journal_no_update');
        assert.equal(update.run(JSON.stringify(payload), edited).changes, 1);
      });
      const deletedCopy = tamperedCopy('deleted.db', (db) => {
        const del = db.prepare('delete from journal where seq = ?');
        assert.throws(() => del.run(deleted), /append-only/);
        db.exec('drop trigger journal_no_delete');
        assert.equal(del.run(deleted).changes, 1);
      });

      const [e, d] = await Promise.all([cli(['audit', 'verify'], ws, editedCopy), cli(['audit', 'verify', '--json'], ws, deletedCopy)]);
      assert.equal(e.code, 1, show(e));
      assertNoStackTrace(e);
      assert.equal(e.stdout, `JOURNAL TAMPERED: edited at entry #${edited}: seq ${edited}: content does not match its hash\n`);

      assert.equal(d.code, 1, show(d));
      assertNoStackTrace(d);
      assert.deepEqual(parseJsonObject(d.stdout, 'audit verify --json'), {
        ok: false,
        entries: deleted - 1,
        firstBadSeq: deleted,
        problem: 'deleted',
        detail: `seq ${deleted} missing: next row is seq ${deleted + 1}`,
      });

      // The original is untouched and still verifies.
      assert.equal(journalRows(ws.db).length, entries);
    });
  });

  describe('a simulation killed with SIGKILL mid-run', { concurrency: 1 }, () => {
    const ws = workspace();
    const refDb = join(ws.dir, 'reference', 'autonomic.db');
    mkdirSync(dirname(refDb));
    const SIM = ['simulate', '--generator', 'spiky', '--policy', 'hpa', '--days', '1', '--seed', '3', '--json', '--no-progress'];
    let reference: Promise<CliResult> | undefined;
    let runId = '';
    let resumedReport: { [key: string]: Json } = {};

    /**
     * Poll the store read-only until the run has checkpointed and has an action waiting for approval (the cluster
     * autoscaler's node removals are high-risk), so the resume must hand that approval over rather than queue it
     * again: the resume bug fixed in acb70a4 (`queuedForApproval` 5 instead of 4 here). Returns the run row.
     */
    async function waitForCheckpoint(started: Started, deadlineMs: number): Promise<RunRow> {
      let exited = false;
      started.child.once('exit', () => (exited = true));
      const until = Date.now() + deadlineMs;
      while (Date.now() < until && !exited) {
        if (existsSync(ws.db)) {
          try {
            const found = readDb(ws.db, (db) => {
              const run = db.prepare('select * from runs').get() as RunRow | undefined;
              if (!run || run.last_tick === null) return undefined;
              const waiting = db.prepare(`select 1 from journal where run_id = ? and kind = 'decision' and payload like '%"verdict":"needs-approval"%'`).get(run.id);
              return waiting === undefined ? undefined : run;
            });
            if (found) return found;
          } catch {
            // Not migrated yet, or mid-write: look again.
          }
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(exited ? `the simulation ended before it checkpointed:\n${show(await started.done)}` : 'no checkpoint in time');
    }

    test('is left running in the store; audit verify passes, runs list shows it interrupted, runs report is partial', async () => {
      // The uninterrupted run with the same seed, for the comparison below, runs meanwhile on the other core.
      reference = cli(SIM, ws, refDb);
      const crashing = startCli(SIM, ws);
      const run = await waitForCheckpoint(crashing, 60_000);
      crashing.child.kill('SIGKILL');
      const killed = await crashing.done; // also reaps it: a zombie would still look alive to the next opener
      assert.equal(killed.signal, 'SIGKILL', `it finished before the kill:\n${show(killed)}`);
      assert.equal(killed.stdout, '', 'no report from a killed run');
      runId = run.id;
      assert.equal(run.pid, crashing.child.pid);
      // Nothing could record the death: the row still says running until a CLI opens the store.
      assert.equal(runRows(ws.db)[0].status, 'running');

      const [verify, list, report] = await Promise.all([cli(['audit', 'verify'], ws), cli(['runs', 'list'], ws), cli(['runs', 'report', runId], ws)]);
      assert.equal(verify.code, 0, show(verify));
      assert.match(verify.stdout, /^journal intact: \d+ entries, head #\d+ /);

      assert.equal(list.code, 0, show(list));
      const line = list.stdout.split('\n').find((l) => l.startsWith(runId));
      assert.ok(line, show(list));
      assert.match(line, new RegExp(`^${runId}\\s+simulate\\s+interrupted\\s+hpa\\s+\\S+ \\S+\\s+0\\.\\d+/1 days$`));

      assert.equal(report.code, 0, show(report));
      assert.match(report.stdout, new RegExp(`^run ${runId}: interrupted \\(process ${crashing.child.pid} on \\S+ exited without finishing the run\\)\n`));
      assert.match(report.stdout, /\nprogress at last checkpoint: 0\.\d+\/1 days\n/);
      assert.ok(report.stdout.endsWith(`resume with: autonomic runs resume ${runId}\n`), show(report));
      const progress = parseJsonObject(report.stdout.slice(report.stdout.indexOf('{'), report.stdout.lastIndexOf('}') + 1), 'checkpoint progress');
      assert.equal(progress.totalSeconds, 86400);
      assert.ok(typeof progress.doneSeconds === 'number' && progress.doneSeconds >= 3600 && progress.doneSeconds < 86400, JSON.stringify(progress));
      assert.equal(runRows(ws.db)[0].status, 'interrupted');
    });

    test('runs resume completes it, the journal stays intact and holds every entry once', async () => {
      assert.ok(runId, 'needs the interrupted run');
      const r = await cli(['runs', 'resume', runId, '--json', '--no-progress'], ws);
      assert.equal(r.code, 0, show(r));
      resumedReport = parseJsonObject(r.stdout, 'runs resume --json output');
      assert.equal(resumedReport.runId, runId);
      assert.equal(resumedReport.days, 1);

      const verify = await cli(['audit', 'verify'], ws);
      assert.equal(verify.code, 0, show(verify));
      assert.match(verify.stdout, /^journal intact: /);

      const [run] = runRows(ws.db);
      assert.equal(run.status, 'completed');
      assert.deepEqual(JSON.parse(run.result ?? 'null'), withoutKeys(resumedReport, ['runId']));
      const rows = journalRows(ws.db, runId);
      assert.equal(rows.filter((e) => e.kind === 'run' && e.summary.startsWith('Started ')).length, 1);
      assert.equal(rows.filter((e) => e.kind === 'run' && e.summary.startsWith('Finished: ')).length, 1);
      // A replay that wrote again what the journal held would step back in time.
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i].at >= rows[i - 1].at, `entry #${rows[i].seq} goes back in time`);
    });

    test('the resumed run ends exactly as an uninterrupted run with the same seed (report and journal)', async () => {
      assert.ok(reference && runId && resumedReport.runId, 'needs the resumed run');
      const ref = await reference;
      assert.equal(ref.code, 0, show(ref));
      const refReport = parseJsonObject(ref.stdout, 'reference simulate --json');
      assert.deepEqual(withoutKeys(resumedReport, ['runId', ...WALL_CLOCK_FIELDS]), withoutKeys(refReport, ['runId', ...WALL_CLOCK_FIELDS]));

      // Same entries in the same order, up to run and approval ids (random) and wall-clock timings.
      const norm = (rows: JournalRow[]): Json[] =>
        rows.map((e) => ({ at: e.at, kind: e.kind, actor: e.actor, summary: e.summary, payload: withoutKeys(JSON.parse(e.payload) as Json, ['approvalId', ...WALL_CLOCK_FIELDS]) }));
      assert.deepEqual(norm(journalRows(ws.db, runId)), norm(journalRows(refDb, refReport.runId as string)));
    });
  });
});
