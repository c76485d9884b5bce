import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expectedAttributes, expectedTypes, loadIacEvalCases, runIacEval, summarise } from '../bench/lib/iac-eval.js';
import { run } from '../bench/intent.js';

const MINI = join(import.meta.dirname, 'fixtures', 'iac-eval-mini');

test('expected types: declarations with their quantity, references only as presence, Rego types', () => {
  const intent = 'Has one "aws_vpc" resource\n\nHas two "aws_subnet" resources\n    with "vpc_id" referencing the "aws_vpc" resource\n\nhave multiple aws_route_table_association\n';
  const rego = 'r.type == "aws_route_table"\n';
  assert.deepEqual(Object.fromEntries(expectedTypes({ intent, rego_intent: rego })), { aws_vpc: 1, aws_subnet: 2, aws_route_table_association: 2, aws_route_table: 1 });
});

test('expected attributes belong to the type their paragraph declares', () => {
  const intent = 'Has one "aws_vpc" resource\n    with "cidr_block"\n\nHas one "aws_subnet" resource\n    with "vpc_id"\n    with one "cidr_block"\n';
  assert.deepEqual(expectedAttributes(intent), [
    { type: 'aws_vpc', attribute: 'cidr_block' },
    { type: 'aws_subnet', attribute: 'vpc_id' },
    { type: 'aws_subnet', attribute: 'cidr_block' },
  ]);
});

test('a bad line in cases.jsonl is a clear error naming file and line', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'iac-eval-'));
  t.after(async () => (await import('node:fs')).rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cases.jsonl'), '{"id":"a","prompt":"x"}\n{"id":"b"}\n');
  assert.throws(() => loadIacEvalCases(dir), (e: Error) => e.name === 'UserError' && /cases\.jsonl:2: prompt:/.test(e.message));
});

test('the IaC-Eval scorer on three hand-written cases gives the right numbers', async () => {
  const scores = await runIacEval(MINI);
  const byId = Object.fromEntries(scores.map((s) => [s.id, s]));
  // 1: bucket named in the prompt → valid, type present, "bucket" set → pass.
  assert.deepEqual([byId['mini-001'].valid, byId['mini-001'].typesOk, byId['mini-001'].attributesOk, byId['mini-001'].pass], [true, true, true, true]);
  // 2: the table is built (name, hash_key) but the intent also wants a queue the prompt never asks for.
  assert.deepEqual([byId['mini-002'].valid, byId['mini-002'].typesOk, byId['mini-002'].attributesOk, byId['mini-002'].pass], [true, false, true, false]);
  assert.deepEqual(byId['mini-002'].missingTypes, ['aws_sqs_queue']);
  // 3: nothing on AWS in the prompt → nothing produced, nothing passes.
  assert.deepEqual([byId['mini-003'].produced, byId['mini-003'].valid, byId['mini-003'].typesOk, byId['mini-003'].attributesOk], [false, false, false, false]);
  assert.deepEqual(byId['mini-003'].missingTypes, ['aws_instance×2']);
  const s = summarise(scores);
  assert.equal(s.cases, 3);
  assert.ok(Math.abs(s.valid_pct - 200 / 3) < 1e-9);
  assert.ok(Math.abs(s.types_pct - 100 / 3) < 1e-9);
  assert.ok(Math.abs(s.attributes_pct - 200 / 3) < 1e-9);
  assert.ok(Math.abs(s.pass_pct - 100 / 3) < 1e-9);
});

test('bench intent on the fixture folder: the IaC-Eval summary fields next to the existing ones', async () => {
  const r = await run({ json: true, data: MINI, flags: new Map() });
  for (const key of ['cloudeval_kv_wildcard', 'iac_eval_valid_pct', 'own_suite_field_accuracy', 'artefacts_parse_pct', 'latency_ms_p50', 'latency_ms_p95', 'own_suite_misses', 'notes', 'iac_eval_types_pct', 'iac_eval_pass_pct']) assert.ok(key in r.summary, key);
  assert.ok(Math.abs((r.summary.iac_eval_valid_pct as number) - 200 / 3) < 1e-9);
  assert.ok(Math.abs((r.summary.iac_eval_pass_pct as number) - 100 / 3) < 1e-9);
  const cols = Object.keys(r.rows[0]);
  assert.ok(r.rows.every((row) => JSON.stringify(Object.keys(row)) === JSON.stringify(cols)), 'every row has the same columns');
  assert.ok(r.rows.some((row) => String(row.suite).startsWith('iac-eval')));
});
