/**
 * IaC-Eval, scored offline (no AWS credentials, no `terraform plan`, no OPA): each case's
 * `prompt` — and only the prompt; `resource` is a hint we do not feed — goes through
 * findAwsIntent + buildAwsTerraform, and the bundle is measured on three layers:
 *  (a) valid: every file parses with hcl2json and our validator finds no HCL / TF-REQUIRED /
 *      TF-REF error (at least one resource emitted);
 *  (b) types: every resource type the case's intent names (the `intent` text's declarations and
 *      the Rego's `resource.type == "…"`) is present at least as many times as declared
 *      (data sources count, e.g. aws_iam_policy_document);
 *  (c) attributes: every argument the intent text names as `with "x"` is set, at any depth, on a
 *      block of the type its paragraph declares;
 *  pass = a ∧ b ∧ c. This is stricter than upstream in (c) and looser in everything a real plan and
 *  the Rego values check (references, exact values), so it is not comparable with published pass@1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../src/core/errors.js';
import type { ArtefactFile } from '../../src/plan/intent/artefact.js';
import { buildAwsTerraform } from '../../src/plan/intent/aws/build.js';
import { findAwsIntent } from '../../src/plan/intent/parse/aws.js';
import type { TfBody, TfConfig } from '../../src/plan/intent/terraform/rule.js';
import { mergeConfigs, parseTerraform, validateParsed } from '../../src/plan/intent/terraform/validate.js';

export const IacEvalCaseSchema = z.object({
  id: z.string(),
  prompt: z.string(),
  difficulty: z.number().int().optional(),
  resource: z.string().optional(),
  intent: z.string().default(''),
  rego_intent: z.string().default(''),
  reference_output: z.string().optional(),
});
export type IacEvalCase = z.infer<typeof IacEvalCaseSchema>;

export function iacEvalAvailable(dir: string): boolean {
  return existsSync(join(dir, 'cases.jsonl'));
}

export function loadIacEvalCases(dir: string): IacEvalCase[] {
  const file = join(dir, 'cases.jsonl');
  const out: IacEvalCase[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (e) {
        throw new UserError(`not JSON: ${(e as Error).message}`, `${file}:${i + 1}`);
      }
      const r = IacEvalCaseSchema.safeParse(json);
      if (!r.success) throw new UserError(r.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; '), `${file}:${i + 1}`);
      out.push(r.data);
    });
  return out;
}

// ---- what a case expects -----------------------------------------------------------------------

const TYPE = /"?\b(aws_[a-z0-9_]+)\b"?/g;
const DECLARATION = /^\s*(?:-\s*)?(?:has|have|needs?|must have|should have|resource|create|contains?|there (?:is|are)|at least|one|a|an|two|three|multiple)\b/i;
const QUANTITY: Record<string, number> = { a: 1, an: 1, one: 1, single: 1, two: 2, three: 3, four: 4, five: 5, multiple: 2, several: 2 };

/** Declared types and how many of each (a line "Has two "aws_subnet" resources" declares 2). */
export function expectedTypes(c: Pick<IacEvalCase, 'intent' | 'rego_intent'>): Map<string, number> {
  const out = new Map<string, number>();
  const declared = new Map<string, number>();
  for (const line of c.intent.split('\n')) {
    const types = [...line.matchAll(TYPE)];
    types.forEach((m) => out.set(m[1], Math.max(out.get(m[1]) ?? 0, 1)));
    if (types.length === 0 || !DECLARATION.test(line)) continue;
    // Every type a declaration line lists ("one aws_iam_role resource, one aws_s3_bucket resource"), with its quantity word.
    const before = line.slice(0, types[0].index);
    if (/referenc|attached to|pointing|linked to/i.test(before)) continue;
    for (const m of types) {
      const lead = line.slice(Math.max(0, m.index! - 24), m.index).toLowerCase();
      const q = /\b(?:at least )?(a|an|one|single|two|three|four|five|multiple|several|\d)\s+(?:\w+\s+)?"?$/.exec(lead);
      const n = q ? (QUANTITY[q[1]] ?? Number(q[1])) : 1;
      declared.set(m[1], (declared.get(m[1]) ?? 0) + n);
    }
  }
  for (const m of c.rego_intent.matchAll(/\.type\s*==\s*"(aws_[a-z0-9_]+)"/g)) out.set(m[1], Math.max(out.get(m[1]) ?? 0, 1));
  for (const [t, n] of declared) out.set(t, Math.max(out.get(t) ?? 0, n));
  return out;
}

export interface ExpectedAttribute {
  /** The type the paragraph declares, when there is one. */
  type?: string;
  attribute: string;
}

/** `with "x"` arguments, each with the type its paragraph declares. */
export function expectedAttributes(intent: string): ExpectedAttribute[] {
  const out: ExpectedAttribute[] = [];
  let current: string | undefined;
  for (const line of intent.split('\n')) {
    const declared = DECLARATION.test(line) ? /\b(aws_[a-z0-9_]+)\b/.exec(line)?.[1] : undefined;
    if (declared) current = declared;
    else if (line.trim() === '') current = undefined;
    for (const m of line.matchAll(/\bwith\s+(?:one\s+|an?\s+)?"([a-z][a-z0-9_]*)"/g)) {
      if (m[1].startsWith('aws_')) continue;
      // "one aws_iam_role resource, …, and one aws_kinesis_firehose_delivery_stream resource with a "x" block": x is the nearest type's.
      const nearest = declared ? [...line.slice(0, m.index).matchAll(/\b(aws_[a-z0-9_]+)\b/g)].pop()?.[1] : undefined;
      const type = nearest ?? current;
      if (!out.some((x) => x.type === type && x.attribute === m[1])) out.push({ type, attribute: m[1] });
    }
  }
  return out;
}

// ---- what the bundle has -----------------------------------------------------------------------

function hasKey(v: unknown, key: string): boolean {
  if (Array.isArray(v)) return v.some((x) => hasKey(x, key));
  if (typeof v !== 'object' || v === null) return false;
  return Object.entries(v).some(([k, x]) => k === key || hasKey(x, key));
}

function bodiesOf(config: TfConfig, type: string): TfBody[] {
  return [...Object.values(config.resource?.[type] ?? {}).flat(), ...Object.values(config.data?.[type] ?? {}).flat()];
}

export interface IacEvalScore {
  id: string;
  difficulty?: number;
  /** The parser found something to build. */
  produced: boolean;
  parses: boolean;
  valid: boolean;
  typesOk: boolean;
  attributesOk: boolean;
  pass: boolean;
  missingTypes: string[];
  missingAttributes: string[];
  ms: number;
}

export async function scoreBundle(c: IacEvalCase, files: readonly ArtefactFile[]): Promise<Omit<IacEvalScore, 'ms' | 'produced'>> {
  const parsed = await parseTerraform(files);
  const { config, findings: parseFindings } = parsed;
  const merged = mergeConfigs(config.values());
  const findings = validateParsed(parsed);
  const resourceCount = Object.values(merged.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  const parses = files.length > 0 && parseFindings.length === 0;
  const valid = parses && resourceCount > 0 && !findings.some((f) => f.severity === 'error' && (f.ruleId === 'HCL' || f.ruleId === 'TF-REQUIRED' || f.ruleId === 'TF-REF'));
  const missingTypes = [...expectedTypes(c)].filter(([type, n]) => bodiesOf(merged, type).length < n).map(([type, n]) => (n > 1 ? `${type}×${n}` : type));
  const missingAttributes = expectedAttributes(c.intent)
    .filter(({ type, attribute }) => {
      const bodies = type ? bodiesOf(merged, type) : [...Object.values(merged.resource ?? {}).flatMap((b) => Object.values(b).flat())];
      return !bodies.some((b) => hasKey(b, attribute));
    })
    .map(({ type, attribute }) => `${type ?? '*'}.${attribute}`);
  const typesOk = missingTypes.length === 0;
  const attributesOk = missingAttributes.length === 0;
  return { id: c.id, difficulty: c.difficulty, parses, valid, typesOk, attributesOk, pass: valid && typesOk && attributesOk, missingTypes, missingAttributes };
}

/** Prompt → findAwsIntent → buildAwsTerraform → score. */
export async function runIacEvalCase(c: IacEvalCase): Promise<IacEvalScore> {
  const t = performance.now();
  const intent = findAwsIntent(c.prompt);
  const files = intent ? buildAwsTerraform(intent) : [];
  const ms = performance.now() - t;
  const produced = !!intent && (intent.resources ?? []).length > 0;
  return { ...(await scoreBundle(c, produced ? files : [])), produced, ms };
}

export interface IacEvalSummary {
  cases: number;
  produced_pct: number;
  parse_pct: number;
  valid_pct: number;
  types_pct: number;
  attributes_pct: number;
  pass_pct: number;
}

const pct = (xs: IacEvalScore[], f: (s: IacEvalScore) => boolean) => (xs.length === 0 ? 0 : (100 * xs.filter(f).length) / xs.length);

export function summarise(scores: IacEvalScore[]): IacEvalSummary {
  return {
    cases: scores.length,
    produced_pct: pct(scores, (s) => s.produced),
    parse_pct: pct(scores, (s) => s.parses),
    valid_pct: pct(scores, (s) => s.valid),
    types_pct: pct(scores, (s) => s.typesOk),
    attributes_pct: pct(scores, (s) => s.attributesOk),
    pass_pct: pct(scores, (s) => s.pass),
  };
}

export async function runIacEval(dir: string, opts: { limit?: number; onCase?: (i: number, n: number) => void } = {}): Promise<IacEvalScore[]> {
  const cases = loadIacEvalCases(dir).slice(0, opts.limit ?? Infinity);
  const out: IacEvalScore[] = [];
  for (const [i, c] of cases.entries()) {
    opts.onCase?.(i, cases.length);
    out.push(await runIacEvalCase(c));
  }
  return out;
}
