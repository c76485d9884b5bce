import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTemplateColumn } from '../src/analyze/logs/loghub.js';
import { scoreParse } from '../src/analyze/logs/parse-metrics.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(repoRoot, '..', 'shared', 'data', 'loghub');
const refDir = join(root, 'reference-parses');

interface Expected {
  ground_truth: string;
  systems: Record<string, { ga: number; pa: number; fga: number; fta: number }>;
}

const close = (mine: number, ref: number, what: string) => assert.ok(Math.abs(mine - ref) <= 1e-9, `${what}: ${mine} vs official ${ref}`);

test("reproduces the Loghub-2.0 evaluator's GA/PA/FGA/FTA on Drain's reference parses", (t) => {
  if (!existsSync(join(refDir, 'expected.json'))) {
    t.skip(`no ${refDir} (shared LogHub data folder absent)`);
    return;
  }
  const expected = JSON.parse(readFileSync(join(refDir, 'expected.json'), 'utf8')) as Expected;
  assert.equal(expected.ground_truth, 'corrected');
  const names = Object.keys(expected.systems);
  assert.equal(names.length, 10);
  for (const name of names) {
    const truth = readTemplateColumn(join(root, name, `${name}_2k.log_structured_corrected.csv`));
    const predicted = readTemplateColumn(join(refDir, `${name}_drain_predicted.csv`));
    assert.equal(truth.length, 2000, `${name} truth rows`);
    assert.equal(predicted.length, 2000, `${name} predicted rows`);
    const s = scoreParse(truth, predicted);
    const e = expected.systems[name];
    close(s.ga, e.ga, `${name} GA`);
    close(s.pa, e.pa, `${name} PA`);
    close(s.fga, e.fga, `${name} FGA`);
    close(s.fta, e.fta, `${name} FTA`);
  }
});

test('scoreParse on a hand-worked example', () => {
  // Truth groups: A={0,1}, B={2,3}, C={4}. Parsed: X={0,1} (exact A), Y={2,3,4} (B and C merged).
  const truth = ['a <*>', 'a <*>', 'b <*>', 'b <*>', 'c'];
  const parsed = ['a <*>', 'a <*>', 'y', 'y', 'y'];
  const s = scoreParse(truth, parsed);
  assert.equal(s.ga, 2 / 5);
  assert.equal(s.pa, 2 / 5);
  // C = 1 group reproduced, |P| = 2, |G| = 3.
  close(s.fga, (2 * (1 / 2) * (1 / 3)) / (1 / 2 + 1 / 3), 'fga');
  // 'a <*>' is pure and textually right; 'y' is neither.
  close(s.fta, (2 * (1 / 2) * (1 / 3)) / (1 / 2 + 1 / 3), 'fta');
  assert.equal(s.truthTemplates, 3);
  assert.equal(s.parsedTemplates, 2);
});

test('scoreParse drops missing ground truth from GA but keeps it in the PA denominator', () => {
  const s = scoreParse(['a', 'NaN', 'b', ''], ['a', 'NaN', 'x', '']);
  assert.equal(s.ga, 1); // rows 0 and 2 kept, both groups exact
  assert.equal(s.pa, 1 / 4); // only row 0; a missing truth cell never equals anything
  assert.throws(() => scoreParse(['a'], []), /length mismatch/);
});
