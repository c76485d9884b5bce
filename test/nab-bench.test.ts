import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { run } from '../bench/anomaly.js';
import { parseBenchArgs } from '../bench/lib/report.js';

/** A tiny NAB-layout folder: three synthetic series with one labelled anomaly each (no dataset needed). */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'nab-fixture-'));
  const windows: Record<string, [string, string][]> = {};
  const n = 1000;
  const ts = Array.from({ length: n }, (_, i) => new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' '));
  const r = new Rng(11);
  const kinds: Array<[string, (i: number) => number]> = [
    ['spike', (i) => 50 + 2 * r.normal() + (i === 700 ? 30 : 0)],
    ['shift', (i) => 50 + 2 * r.normal() + (i >= 700 ? 10 : 0)],
    ['noise', (i) => 50 + 2 * r.normal() + (i === 700 ? 25 : 0)],
  ];
  mkdirSync(join(root, 'data', 'synthetic'), { recursive: true });
  mkdirSync(join(root, 'labels'));
  for (const [name, gen] of kinds) {
    const rows = ['timestamp,value', ...ts.map((t, i) => `${t},${gen(i).toFixed(3)}`)];
    writeFileSync(join(root, 'data', 'synthetic', `${name}.csv`), rows.join('\n') + '\n');
    windows[`synthetic/${name}.csv`] = [[`${ts[650]}.000000`, `${ts[750]}.000000`]];
  }
  writeFileSync(join(root, 'labels', 'combined_windows.json'), JSON.stringify(windows));
  return root;
}

test('anomaly bench scores a NAB-layout folder, learns the ensemble across series and writes NAB results', async () => {
  const root = fixture();
  const out = join(root, 'results');
  try {
    const r = await run(parseBenchArgs(['--data', root, '--json', '--detectors', 'autonomic,ensemble', '--nab-results', out]));
    assert.equal(r.suite, 'anomaly');
    assert.deepEqual(
      r.rows.map((x) => x.detector),
      ['autonomic', 'ensemble'],
    );
    for (const row of r.rows) {
      for (const k of ['standard', 'reward_low_fp', 'reward_low_fn', 'precision', 'recall', 'f1'] as const) assert.equal(typeof row[k], 'number', k);
      assert.ok((row.standard as number) > 50, `${row.detector}: ${row.standard}`);
      assert.equal(row.recall, 1);
    }
    assert.equal(r.summary.windows, 3);
    const file = join(out, 'autonomic', 'synthetic', 'autonomic_spike.csv');
    assert.ok(existsSync(file));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'timestamp,value,anomaly_score,label');
    assert.equal(lines.length, 1001);
    assert.equal(lines.filter((l) => l.endsWith(',1')).length, 101, 'label column marks the window rows');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('anomaly bench rejects unknown detector names', async () => {
  const root = fixture();
  try {
    await assert.rejects(run(parseBenchArgs(['--data', root, '--detectors', 'nope'])), (e: Error) => e.name === 'UserError' && e.message.includes('nope'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
