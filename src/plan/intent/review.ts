/**
 * Review / refine: validate the artefacts (YAML round-trip, Kubernetes schema, the security and
 * reliability rules, the semantic check against the intent), let the fixer amend what it may, and
 * repeat — at most `maxRounds` times (default 5). Whatever error is still open after that is
 * escalated to a human with the open findings; nothing is silently dropped.
 */
import { blocking, type Finding } from './findings.js';
import { applyFixes, fixable, type FixContext } from './fix.js';
import { toYaml } from './k8s/emit.js';
import { kindOf, nameOf, type Manifest } from './k8s/manifest.js';
import { validateSchema } from './k8s/schema.js';
import type { IntentPlan, Profile } from './plan.js';
import { K8S_RULES, ruleById } from './rules/k8s-rules.js';
import { semanticCheck } from './semantic.js';
import type { IntentSpec } from './spec.js';

export const DEFAULT_MAX_ROUNDS = 5;

export interface ReviewOptions {
  spec: IntentSpec;
  plan: IntentPlan;
  profile: Profile;
  maxRounds?: number;
  /** Rule ids the user accepted (e.g. a confirmed capability): reported as waived. */
  waivedRules?: readonly string[];
  /** Privilege asks withheld by the hardened build (for the semantic check's wording). */
  withheld?: readonly string[];
  fix?: FixContext;
}

export interface ReviewRound {
  round: number;
  findings: Finding[];
  fixes: { ruleId: string; object: string; change: string; doc?: string }[];
}

export interface ReviewResult {
  artefacts: Manifest[];
  yaml: string;
  /** Findings still open after the last round (waived ones included, marked). */
  findings: Finding[];
  rounds: ReviewRound[];
  escalated: boolean;
  escalation?: { reason: string; open: Finding[] };
}

/** Every rule over every manifest. */
export function runRules(artefacts: readonly Manifest[], waived: ReadonlySet<string> = new Set()): Finding[] {
  const out: Finding[] = [];
  artefacts.forEach((m, index) => {
    for (const rule of K8S_RULES) {
      for (const hit of rule.check(m, { all: artefacts })) {
        out.push({
          ruleId: rule.id,
          severity: rule.severity,
          source: 'rule',
          object: `${kindOf(m)}/${nameOf(m)}`,
          index,
          path: hit.path,
          message: `${rule.title}: ${hit.message}`,
          checkov: rule.checkov ?? undefined,
          kubeLinter: rule.kubeLinter ?? undefined,
          waived: waived.has(rule.id) || undefined,
        });
      }
    }
  });
  return out;
}

export async function validateArtefacts(artefacts: readonly Manifest[], opts: ReviewOptions): Promise<{ findings: Finding[]; yaml: string }> {
  const findings: Finding[] = [];
  let yaml = '';
  try {
    yaml = toYaml(artefacts);
  } catch (e) {
    findings.push({ ruleId: 'YAML', severity: 'error', source: 'parser', object: '(stream)', message: e instanceof Error ? e.message : String(e) });
  }
  findings.push(...(await validateSchema(artefacts)));
  findings.push(...runRules(artefacts, new Set(opts.waivedRules ?? [])));
  findings.push(...semanticCheck(opts.spec, artefacts, { plan: opts.plan, withheld: opts.withheld }));
  return { findings, yaml };
}

/** Which findings this profile lets the fixer touch. */
function allowed(f: Finding, profile: Profile): boolean {
  if (f.waived || !fixable(f)) return false;
  if (profile === 'hardened') return true;
  // As requested: repair validity only (schema, selectors, job restart policy, intent not reflected).
  if (f.source === 'rule') return ruleById(f.ruleId)?.category === 'validity';
  return true;
}

export async function reviewAndRefine(initial: readonly Manifest[], opts: ReviewOptions): Promise<ReviewResult> {
  const maxRounds = opts.maxRounds ?? DEFAULT_MAX_ROUNDS;
  let artefacts = [...initial];
  const rounds: ReviewRound[] = [];
  let last = await validateArtefacts(artefacts, opts);
  for (let round = 1; round <= maxRounds; round++) {
    const todo = last.findings.filter((f) => allowed(f, opts.profile));
    if (todo.length === 0) {
      rounds.push({ round, findings: last.findings, fixes: [] });
      break;
    }
    const fixed = applyFixes(artefacts, todo, { ...opts.fix, spec: opts.spec });
    rounds.push({ round, findings: last.findings, fixes: fixed.applied });
    if (fixed.applied.length === 0) break;
    artefacts = fixed.artefacts;
    last = await validateArtefacts(artefacts, opts);
  }
  const open = last.findings;
  const stuck = open.filter((f) => blocking(f) && f.severity === 'error');
  const escalated = stuck.length > 0;
  return {
    artefacts,
    yaml: last.yaml,
    findings: open,
    rounds,
    escalated,
    escalation: escalated ? { reason: `${stuck.length} error finding(s) remain after ${rounds.length} round(s)`, open: stuck } : undefined,
  };
}
