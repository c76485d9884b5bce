import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudEvalAvailable, loadCloudEvalCases, loadMetricVectors } from '../src/plan/intent/eval/cloudeval-data.js';
import { kvExact, kvWildcard, labelWildcards } from '../src/plan/intent/eval/cloudeval-metric.js';
import { safeLoadAll } from '../src/plan/intent/eval/yaml11.js';
import { pyToJs } from '../src/plan/intent/eval/pyvalue.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(repoRoot, '..', 'shared', 'data', 'iac-bench', 'cloudeval-yaml-k8s');

test('reproduces all 739 official CloudEval-YAML kv-wildcard and kv-exact scores exactly', (t) => {
  if (!cloudEvalAvailable(dir)) {
    t.skip(`no ${dir} (shared iac-bench data folder absent)`);
    return;
  }
  const refs = new Map(loadCloudEvalCases(dir).map((c) => [c.id, c.reference_yaml]));
  const vectors = loadMetricVectors(dir);
  assert.equal(vectors.length, 739);
  const wrong: string[] = [];
  for (const v of vectors) {
    const ref = refs.get(v.case_id);
    assert.ok(ref !== undefined, `reference for ${v.case_id}`);
    const w = kvWildcard(v.candidate_yaml, ref);
    const e = kvExact(v.candidate_yaml, ref);
    // Same IEEE-754 division as upstream: compared with ===, no tolerance.
    if (w !== v.kv_wildcard || e !== v.kv_exact) wrong.push(`${v.case_id}/${v.variant}: ${w}/${e} vs official ${v.kv_wildcard}/${v.kv_exact}`);
  }
  assert.deepEqual(wrong, []);
});

test('YAML 1.1 typing follows PyYAML', () => {
  const [doc] = safeLoadAll('a: yes\nb: 010\nc: 1:30\nd: 1e3\ne: 2024-01-02\nf: "80"\ng: ~\nh: 0x1F\ni: 1.5\nj: y\n');
  assert.deepEqual(pyToJs(doc), { a: true, b: 8, c: 90, d: '1e3', e: '2024-01-02', f: '80', g: null, h: 31, i: 1.5, j: 'y' });
});

test('wildcard labelling rewrites the key of a `# *` line', () => {
  assert.equal(labelWildcards('  name: foo # *\n- name: x # *\n'), '  name*: foo # *\n- name*: x # *\n');
});

test('kv-wildcard gives partial credit and honours wildcards', () => {
  const ref = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web # *\nspec:\n  containers:\n  - name: c\n    image: nginx\n';
  assert.equal(kvWildcard('apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\nspec:\n  containers:\n  - name: c\n    image: nginx\n', ref), 1);
  assert.equal(kvWildcard('apiVersion: v1\nkind: Pod\n', ref), 2 / 5);
  assert.equal(kvWildcard('apiVersion: v1\nkind: Pod\n---\n', ref), 0, 'an empty trailing document raises upstream');
  assert.equal(kvWildcard('- a\n', ref), 0);
  assert.equal(kvExact('apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: nginx\n', ref), 1);
});
