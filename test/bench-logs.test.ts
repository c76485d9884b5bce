import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../bench/logs.js';
import { parseBenchArgs } from '../bench/lib/report.js';

/** A two-system folder in the LogHub-2k layout, written from scratch (no dataset needed). */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'loghub-fixture-'));
  writeFileSync(join(root, 'README.md'), '| System | Format |\n|---|---|\n| Svc | `<Date> <Time> <Level>: <Content>` |\n| Other | `<Date> <Time> <Level>: <Content>` |\n');
  const systems: Record<string, [string, string][]> = {
    Svc: [
      ['open file 1', 'open file <*>'],
      ['open file 2', 'open file <*>'],
      ['close file 3', 'close file <*>'],
      ['disk full', 'disk full'],
    ],
    Other: [
      ['user 1 logged in', 'user <*> logged in'],
      ['user 2 logged in', 'user <*> logged in'],
    ],
  };
  for (const [name, rows] of Object.entries(systems)) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, `${name}_2k.log`), rows.map(([c]) => `2024-05-02 10:11:12 INFO: ${c}`).join('\r\n'));
    const csv = ['LineId,Date,Time,Level,Content,EventId,EventTemplate', ...rows.map(([c, t], i) => `${i + 1},2024-05-02,10:11:12,INFO,${c},E${i},${t}`)];
    writeFileSync(join(root, name, `${name}_2k.log_structured_corrected.csv`), csv.join('\n'));
  }
  return root;
}

test('logs bench scores every system of a LogHub-layout folder', async () => {
  const root = fixture();
  try {
    const r = await run(parseBenchArgs(['--data', root, '--json']));
    assert.equal(r.suite, 'logs');
    assert.equal(r.data, root);
    assert.deepEqual(r.rows.map((x) => x.system), ['Other', 'Svc']);
    for (const row of r.rows) {
      assert.equal(row.ga, 1);
      assert.equal(row.pa, 1);
    }
    assert.equal(r.summary.avg_ga, 1);
    assert.equal(r.summary.avg_pa, 1);
    assert.equal(r.summary.header_mismatches, 0);
    assert.equal(r.summary.reference_drain, null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('logs bench names the folder when there is no data', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'loghub-empty-'));
  try {
    await assert.rejects(run(parseBenchArgs(['--data', empty])), (e: Error) => e.name === 'UserError' && e.message.includes(empty));
    await assert.rejects(run(parseBenchArgs(['--data', join(empty, 'missing')])), (e: Error) => e.name === 'UserError' && e.message.includes(join(empty, 'missing')));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
