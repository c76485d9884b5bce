/**
 * `autonomic models` as a user runs it (bin/autonomic.js in a child process, temporary store):
 * retrain from a CSV trace, list models and decisions, and bad input (exit 2, one located line,
 * nothing written).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'autonomic.js');
const dir = mkdtempSync(join(tmpdir(), 'autonomic-models-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], db: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, AUTONOMIC_DB: db } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Four days of a daily pattern at 5-minute steps, Unix-second timestamps. */
function writeTrace(): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < 4 * 288; i++) lines.push(`${1_700_000_100 + 300 * i},${(100 + 50 * Math.sin((2 * Math.PI * i) / 288) + ((i * 7919) % 13)).toFixed(3)}`);
  const p = join(dir, 'load.csv');
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

test('models retrain --trace stores telemetry, registers and promotes; models list shows models and decisions', async () => {
  const db = join(dir, 'ok', 'store.db');
  const trace = writeTrace();
  const r = await cli(['models', 'retrain', '--trace', trace, '--kinds', 'naive,seasonal_naive', '--json'], db);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { seriesKey: string; activeKind: string; kinds: { kind: string; decision: string }[] }[];
  assert.equal(out.length, 1);
  assert.equal(out[0].seriesKey, 'load');
  assert.equal(out[0].activeKind, 'seasonal_naive');
  assert.deepEqual(out[0].kinds.map((k) => `${k.kind}:${k.decision}`), ['naive:refused', 'seasonal_naive:promoted']);
  assert.match(r.stderr, /stored 1152 buckets of load/);

  const list = await cli(['models', 'list', '--json'], db);
  assert.equal(list.code, 0, list.stderr);
  const models = JSON.parse(list.stdout) as { kind: string; status: string; trainStart: number }[];
  assert.deepEqual(models.map((m) => `${m.kind}:${m.status}`), ['seasonal_naive:active', 'naive:candidate']);
  assert.equal(models[0].trainStart, 1_700_000_100 - (1_700_000_100 % 300));

  const events = await cli(['models', 'list', '--events'], db);
  assert.equal(events.code, 0, events.stderr);
  assert.match(events.stdout, /promoted\s+no active model/);
  assert.match(events.stdout, /refused\s+mase_24h .* does not beat/);
});

test('models retrain: bad input exits 2 with one located line and writes nothing', async () => {
  const db = join(dir, 'bad', 'store.db');
  const cases: [string[], RegExp][] = [
    [['models', 'retrain', '--trace', join(dir, 'missing.csv')], /^error: .*missing\.csv: no such file or folder\n$/],
    [['models', 'retrain', '--kinds', 'ets,prophet'], /^error: --kinds: unknown model kind 'prophet'/],
    [['models', 'retrain', '--trace', writeTrace(), '--series', 'nope'], /^error: --series: no series 'nope' in .* \(have: load\)\n$/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args, db);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal(existsSync(db), false, 'nothing written');
  const empty = await cli(['models', 'retrain'], db);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no stored telemetry yet: pass --trace FILE/);
});
