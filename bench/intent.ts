/**
 * `npm run bench -- intent [--data DIR] [--json] [--limit N]`
 *
 * The intent pipeline with no LLM, on:
 *  - CloudEval-YAML (Kubernetes subset, DIR/cloudeval-yaml-k8s): each case's English request goes
 *    through the built-in parser → plan → build → review (profile `as-requested`: the references
 *    are minimal manifests and the metric penalises extra keys; the `hardened` profile is reported
 *    too). Scored with the benchmark's own key-value wildcard metric (reproduced exactly, see
 *    test/intent-cloudeval-metric.test.ts) and kv-exact. The cases are also split by a fixed hash
 *    of their id into the half the parser's author read while writing phrase patterns and the
 *    half never read, so the gap is visible.
 *  - IaC-Eval (DIR/iac-eval/cases.jsonl): each case's `prompt` only (never the `resource` hint)
 *    through the AWS parser (findAwsIntent) and builder (buildAwsTerraform), scored offline by
 *    bench/lib/iac-eval.ts: valid HCL passing our validator, required resource types present,
 *    `with "x"` attributes present, pass = all three. No terraform plan, no OPA.
 *  - Our own suites (bench/data/intent-k8s-suite.json, intent-vm-suite.json): IntentSpec field accuracy, and for
 *    Proxmox/AWS/hosts whether the whole pipeline ends in a bundle that passes every check.
 * Every emitted YAML stream is re-read with the `yaml` package (YAML 1.2, as kubectl) and the
 * PyYAML-compatible loader (YAML 1.1); artefacts_parse_pct counts streams both read back.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../src/core/errors.js';
import { cloudEvalAvailable, loadCloudEvalCases, type CloudEvalCase } from '../src/plan/intent/eval/cloudeval-data.js';
import { kvExact, kvWildcard } from '../src/plan/intent/eval/cloudeval-metric.js';
import { parsesAsYaml11 } from '../src/plan/intent/eval/yaml11.js';
import { loadInventoryFile } from '../src/plan/intent/inventory-file.js';
import { parseIntent } from '../src/plan/intent/parse.js';
import { runIntentPipeline, type IntentPipelineResult } from '../src/plan/intent/pipeline.js';
import type { Profile } from '../src/plan/intent/plan.js';
import { iacEvalAvailable, runIacEval, summarise, type IacEvalScore } from './lib/iac-eval.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

/** The DEV cases whose wording the parser's author read (sha1(id)[0] < 128); the rest were never read. */
export function readByAuthor(id: string): boolean {
  return createHash('sha1').update(id).digest()[0] < 128;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Both YAML readers accept the stream (and it is not empty). */
function parsesEverywhere(yaml: string): boolean {
  if (yaml.trim() === '') return false;
  const docs = parseAllDocuments(yaml);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return false;
  return parsesAsYaml11(yaml);
}

interface CaseRun {
  id: string;
  read: boolean;
  kvWildcard: number;
  kvExact: number;
  parses: boolean;
  schemaValid: boolean;
  rounds: number;
  escalated: boolean;
  plannerMs: number;
}

async function runCase(c: CloudEvalCase, text: string, profile: Profile): Promise<CaseRun> {
  let r: IntentPipelineResult | undefined;
  try {
    r = await runIntentPipeline(text, { profile, nonInteractive: true });
  } catch (e) {
    progress(`intent: ${c.id} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const yaml = r?.yaml ?? '';
  return {
    id: c.id,
    read: readByAuthor(c.id),
    kvWildcard: kvWildcard(yaml, c.reference_yaml),
    kvExact: kvExact(yaml, c.reference_yaml),
    parses: parsesEverywhere(yaml),
    schemaValid: r !== undefined && yaml !== '' && !r.findings.some((f) => f.source === 'schema' && f.severity === 'error'),
    rounds: r?.rounds.length ?? 0,
    escalated: r?.escalated ?? true,
    plannerMs: r ? r.timings.parseMs + r.timings.planMs + r.timings.buildMs : 0,
  };
}

function row(suite: string, runs: CaseRun[]): Row {
  return {
    suite,
    cases: runs.length,
    kv_wildcard: mean(runs.map((r) => r.kvWildcard)),
    kv_exact: mean(runs.map((r) => r.kvExact)),
    parse_pct: 100 * mean(runs.map((r) => (r.parses ? 1 : 0))),
    schema_valid_pct: 100 * mean(runs.map((r) => (r.schemaValid ? 1 : 0))),
    rounds_mean: mean(runs.map((r) => r.rounds)),
    escalated: runs.filter((r) => r.escalated).length,
    planner_p50_ms: percentile(runs.map((r) => r.plannerMs), 0.5),
    planner_p95_ms: percentile(runs.map((r) => r.plannerMs), 0.95),
  };
}

/** An IaC-Eval row in the table's columns (CloudEval's metrics do not apply: null), plus its own. */
function iacRow(suite: string, scores: IacEvalScore[]): Row {
  const s = summarise(scores);
  const ms = scores.filter((x) => x.produced).map((x) => x.ms);
  return {
    suite,
    cases: s.cases,
    kv_wildcard: null,
    kv_exact: null,
    parse_pct: s.parse_pct,
    schema_valid_pct: s.valid_pct,
    rounds_mean: null,
    escalated: null,
    planner_p50_ms: percentile(ms, 0.5),
    planner_p95_ms: percentile(ms, 0.95),
    iac_types_pct: s.types_pct,
    iac_attributes_pct: s.attributes_pct,
    iac_pass_pct: s.pass_pct,
  };
}

/** The table prints the first row's columns: give every row every column (null where it does not apply). */
function sameColumns(rows: Row[]): Row[] {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null])) as Row);
}

interface SuiteCase {
  id: string;
  text: string;
  expect: Record<string, unknown>;
}

function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `null` in the suite means "must be absent". */
function fieldMatches(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === undefined || actual === null || (Array.isArray(actual) && actual.length === 0) || (typeof actual === 'object' && actual !== null && Object.values(actual).every((v) => v === undefined || (Array.isArray(v) && v.length === 0)));
  return JSON.stringify(actual) === JSON.stringify(expected);
}

export async function run(args: BenchArgs): Promise<BenchResult> {
  const root = resolve(args.data ?? join(repoRoot, '..', 'shared', 'data', 'iac-bench'));
  if (!existsSync(root)) throw new UserError(`no iac-bench data folder at ${root}`);
  const limitFlag = args.flags.get('limit');
  const limit = typeof limitFlag === 'string' ? Number(limitFlag) : Infinity;
  const rows: Row[] = [];
  const allRuns: CaseRun[] = [];
  let cloudeval: number | null = null;
  const notes: string[] = [];

  // DIR is the iac-bench root (cloudeval-yaml-k8s/, iac-eval/) or the CloudEval folder itself.
  const ceDir = cloudEvalAvailable(root) ? root : join(root, 'cloudeval-yaml-k8s');
  if (cloudEvalAvailable(ceDir)) {
    const cases = loadCloudEvalCases(ceDir).slice(0, limit);
    // Warm the schema models once so the first case's timing is not the module load.
    await runIntentPipeline('Deploy nginx:1.25 with 2 replicas', { profile: 'as-requested', nonInteractive: true });
    const variants: { name: string; field: 'question' | 'question_simplified'; profile: Profile }[] = [
      { name: 'question', field: 'question', profile: 'as-requested' },
      { name: 'simplified', field: 'question_simplified', profile: 'as-requested' },
      { name: 'question/hardened', field: 'question', profile: 'hardened' },
    ];
    for (const v of variants) {
      const runs: CaseRun[] = [];
      for (const [i, c] of cases.entries()) {
        progress(`intent: cloudeval ${v.name} ${i + 1}/${cases.length}`);
        runs.push(await runCase(c, c[v.field], v.profile));
      }
      rows.push(row(`cloudeval ${v.name}`, runs));
      if (v.name === 'question') {
        rows.push(row('cloudeval question: cases read', runs.filter((r) => r.read)));
        rows.push(row('cloudeval question: never read', runs.filter((r) => !r.read)));
        cloudeval = mean(runs.map((r) => r.kvWildcard));
      }
      allRuns.push(...runs);
    }
  } else notes.push(`CloudEval-YAML skipped: no ${ceDir}/cases.zip`);
  // IaC-Eval: DIR/iac-eval, or DIR itself when it holds cases.jsonl.
  const iacDir = iacEvalAvailable(root) ? root : join(root, 'iac-eval');
  let iac: ReturnType<typeof summarise> | null = null;
  if (iacEvalAvailable(iacDir)) {
    const scores = await runIacEval(iacDir, { limit, onCase: (i, n) => progress(`intent: iac-eval ${i + 1}/${n}`) });
    iac = summarise(scores);
    rows.push(iacRow('iac-eval (prompt→AWS parser+builder; offline: hcl2json + own validator)', scores));
    for (const [label, lo, hi] of [['1-2', 1, 2], ['3-4', 3, 4], ['5-6', 5, 6]] as const) {
      const part = scores.filter((s) => s.difficulty !== undefined && s.difficulty >= lo && s.difficulty <= hi);
      if (part.length > 0) rows.push(iacRow(`iac-eval difficulty ${label}`, part));
    }
    notes.push('IaC-Eval scored offline (no terraform plan / OPA): valid = every .tf parses with hcl2json and has no HCL/TF-REQUIRED/TF-REF error; types = every resource type the intent text and Rego name is present (as often as declared); attributes = every `with "x"` argument of the intent is set on a block of its type; pass = all three. Input: prompt only.');
  } else notes.push(`IaC-Eval skipped: no ${iacDir}/cases.jsonl (iac_eval_* = null)`);

  // Own suites: field accuracy of the parser (Kubernetes; Proxmox/AWS/hosts), and for the file targets whether the
  // whole pipeline ends in a bundle that passes every check (grounded on the example inventory, an SSH key answered).
  let matched = 0;
  let expected = 0;
  const ownLatency: number[] = [];
  const misses: string[] = [];
  const inventory = loadInventoryFile(join(here, '..', 'examples', 'proxmox-inventory.json'));
  const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0a2V5Zm9yYXV0b25vbWljdGVzdHMxMjM0NTY3 bench@autonomic';
  for (const file of ['intent-k8s-suite.json', 'intent-vm-suite.json']) {
    const suite = JSON.parse(readFileSync(join(here, 'data', file), 'utf8')) as { cases: SuiteCase[] };
    let m = 0;
    let e = 0;
    const latency: number[] = [];
    const bundles: { ready: boolean; rounds: number; ms: number }[] = [];
    for (const c of suite.cases) {
      const t = performance.now();
      const parsed = parseIntent(c.text);
      latency.push(performance.now() - t);
      for (const [path, want] of Object.entries(c.expect)) {
        e++;
        if (fieldMatches(at(parsed.spec, path), want)) m++;
        else misses.push(`${c.id}:${path}`);
      }
      if (parsed.spec.target === 'kubernetes') {
        const r = await runIntentPipeline(c.text, { profile: 'hardened', nonInteractive: true });
        allRuns.push({ id: c.id, read: true, kvWildcard: 0, kvExact: 0, parses: parsesEverywhere(r.yaml), schemaValid: !r.findings.some((f) => f.source === 'schema'), rounds: r.rounds.length, escalated: r.escalated, plannerMs: r.timings.parseMs + r.timings.planMs + r.timings.buildMs });
      } else if (!parsed.spec.vm?.grow) {
        // Growth needs an earlier bundle (the CLI and tests cover it); every other case runs end to end.
        const r = await runIntentPipeline(c.text, { inventory, answers: { sshKey }, nonInteractive: true });
        bundles.push({ ready: r.status === 'ready', rounds: r.rounds.length, ms: r.timings.parseMs + r.timings.planMs + r.timings.buildMs + r.timings.reviewMs });
        if (r.status !== 'ready') misses.push(`${c.id}:bundle ${r.status}${r.escalation ? ` (${r.escalation.reason})` : ''}`);
      }
    }
    matched += m;
    expected += e;
    ownLatency.push(...latency);
    const vm = file === 'intent-vm-suite.json';
    rows.push({
      suite: vm ? 'own suite: Proxmox/AWS/hosts' : 'own suite: Kubernetes (parser fields)', cases: suite.cases.length,
      kv_wildcard: null, kv_exact: null, parse_pct: null,
      schema_valid_pct: vm && bundles.length > 0 ? 100 * mean(bundles.map((b) => (b.ready ? 1 : 0))) : null,
      rounds_mean: vm && bundles.length > 0 ? mean(bundles.map((b) => b.rounds)) : null, escalated: null,
      planner_p50_ms: percentile(latency, 0.5), planner_p95_ms: percentile(latency, 0.95),
      field_accuracy: e > 0 ? m / e : null,
      bundle_p50_ms: vm && bundles.length > 0 ? percentile(bundles.map((b) => b.ms), 0.5) : null,
    });
  }
  const ownAccuracy = expected > 0 ? matched / expected : 0;
  notes.push('own suites: field_accuracy = IntentSpec fields matched / expected; for Proxmox/AWS/hosts, schema_valid_pct = share of cases whose full pipeline (examples/proxmox-inventory.json, an SSH key answered, no LLM) ends ready with every check passing (Terraform, cloud-init, real ansible-playbook --syntax-check), bundle_p50_ms includes that review');
  progress(`intent: done\n`);

  const produced = allRuns.filter((r) => r.plannerMs > 0);
  return {
    suite: 'intent',
    data: root,
    rows: sameColumns(rows),
    summary: {
      cloudeval_kv_wildcard: cloudeval,
      iac_eval_valid_pct: iac?.valid_pct ?? null,
      iac_eval_types_pct: iac?.types_pct ?? null,
      iac_eval_attributes_pct: iac?.attributes_pct ?? null,
      iac_eval_pass_pct: iac?.pass_pct ?? null,
      own_suite_field_accuracy: ownAccuracy,
      artefacts_parse_pct: produced.length > 0 ? 100 * mean(produced.map((r) => (r.parses ? 1 : 0))) : null,
      latency_ms_p50: percentile(produced.map((r) => r.plannerMs), 0.5),
      latency_ms_p95: percentile(produced.map((r) => r.plannerMs), 0.95),
      own_suite_misses: misses,
      notes,
    },
  };
}
