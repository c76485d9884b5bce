import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBitbrainsVm, loadCsvSeries, loadNasaHttp, slotsToSeries } from '../src/monitor/trace.js';

const dir = mkdtempSync(join(tmpdir(), 'trace-test-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('common gap rule: averages same-slot rows and interpolates empty slots', () => {
  const s = slotsToSeries([0, 1, 1, 4], [1, 2, 4, 9]);
  assert.deepEqual(Array.from(s.values), [1, 3, 5, 7, 9]);
  assert.equal(s.interpolated, 2);
});

test('generic CSV: timestamps onto a 5-minute grid with gaps filled', () => {
  const f = file('ok.csv', 'timestamp,value,extra\n0,1,x\n300,2,y\n900,4,z\n');
  const s = loadCsvSeries(f);
  assert.deepEqual(Array.from(s.values), [1, 2, 3, 4]);
  assert.equal(s.interpolated, 1);
  const iso = file('iso.csv', 'timestamp,value\n2024-01-01T00:00:00Z,5\n2024-01-01T00:05:00Z,6\n');
  assert.deepEqual(Array.from(loadCsvSeries(iso).values), [5, 6]);
});

test('CSV errors name the file and line', () => {
  const bad = file('bad.csv', 'timestamp,value\n0,1\n300,abc\n');
  assert.throws(() => loadCsvSeries(bad), (e: Error) => e.name === 'UserError' && e.message.includes(`${bad}:3`) && e.message.includes('abc'));
  const badTs = file('badts.csv', 'timestamp,value\n0,1\n\nyesterday,2\n');
  assert.throws(() => loadCsvSeries(badTs), (e: Error) => e.name === 'UserError' && e.message.includes(`${badTs}:4`));
  const fields = file('fields.csv', 'timestamp,value\n0,1\n300,2,3\n');
  assert.throws(() => loadCsvSeries(fields), (e: Error) => e.name === 'UserError' && e.message.includes(`${fields}:3`));
  const missing = file('missing.csv', 'time,value\n0,1\n');
  assert.throws(() => loadCsvSeries(missing, { column: 'cpu' }), (e: Error) => e.name === 'UserError' && e.message.includes(`${missing}:1`));
});

test('Bitbrains layout: time interpolation onto a grid anchored at the first timestamp', () => {
  const head = 'Timestamp [ms];\tCPU cores;\tCPU usage [MHZ]\n';
  const f = file('vm.csv', head + '1000;\t2;\t10\n1301;\t2;\t20\n1900;\t2;\t40\n');
  const s = loadBitbrainsVm(f, 'vm');
  assert.equal(s.values.length, 4);
  assert.equal(s.values[3], 40);
  assert.equal(s.values[0], 10);
  assert.ok(Math.abs(s.values[1] - (10 + (10 * 300) / 301)) < 1e-12);
  assert.ok(Math.abs(s.values[2] - (20 + (20 * 299) / 599)) < 1e-12);
  assert.equal(s.interpolated, 1); // grid point 1600 is 299 s from 1301 and 300 s from 1900
  const unordered = file('vm2.csv', head + '1000;\t2;\t10\n900;\t2;\t20\n');
  assert.throws(() => loadBitbrainsVm(unordered, 'vm'), (e: Error) => e.message.includes(`${unordered}:3`));
});

test('NASA layout: 5-minute sums, trailing partial bucket dropped', () => {
  const rows = Array.from({ length: 12 }, (_, i) => `1995-07-01T00:${String(i).padStart(2, '0')}:00-04:00,${i}`).join('\n');
  const s = loadNasaHttp(file('nasa.csv', 'timestamp,requests\n' + rows + '\n'));
  assert.deepEqual(Array.from(s.values), [0 + 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9]);
});
