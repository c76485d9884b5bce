/**
 * The intent pipeline: request text → IntentSpec (parse, screen injection, fold in repository hints) → clarifying
 * questions (with answers folded in; resumable: call again with more answers) → plan with rationale → artefacts
 * (Kubernetes objects; or files for Proxmox/AWS/hosts via file-targets.ts) → review/refine (≤ N rounds) →
 * escalation if errors remain. Deterministic by default; an LLM only ever acts as the file review's fixer of last
 * resort, when one is configured. Every stage yields a typed payload, appended to the journal when one is given.
 */
import { defaultPolicy, type GuardrailPolicy } from '../../govern/policy.js';
import type { Journal } from '../../knowledge/journal.js';
import type { ArtefactFile } from './artefact.js';
import { diffBundles, type BundleDiff } from './bundle-diff.js';
import { reviewFiles } from './file-review.js';
import { buildFileTarget, FILE_CHECKERS } from './file-targets.js';
import type { LlmFixer } from './llm-fixer.js';
import type { VmPlan } from './vm/vm-plan.js';
import { applyAnswers, clarify, type Answers, type ClarifyingQuestion } from './clarify.js';
import type { Finding } from './findings.js';
import { EMPTY_INVENTORY, type Inventory } from './inventory.js';
import { buildKubernetes } from './k8s/build.js';
import type { Manifest } from './k8s/manifest.js';
import { base64Transcript } from './parse/base64-transcript.js';
import type { InjectionFlag } from './parse/injection.js';
import { parseIntent } from './parse.js';
import type { SpecHints } from './repo/spec-hints.js';
import { planIntent, type IntentPlan, type Profile } from './plan.js';
import { DEFAULT_MAX_ROUNDS, reviewAndRefine, type ReviewResult, type ReviewRound } from './review.js';
import type { IntentSpec } from './spec.js';

export interface IntentPipelineOptions {
  inventory?: Inventory;
  policy?: GuardrailPolicy;
  /** Answers to earlier questions, keyed by question id. */
  answers?: Answers;
  profile?: Profile;
  maxRounds?: number;
  journal?: Journal;
  /** Build even when blocking questions are open (batch use, `--yes`): the questions are still returned. */
  nonInteractive?: boolean;
  /** Journal timestamp (seconds); defaults to wall-clock. */
  now?: number;
  runId?: string;
  /** The bundle this request changes ("add one more worker to that cluster"): builders grow it, the result carries the diff. */
  previous?: PreviousBundle;
  /** What repository analysis found (image, ports, env, probes, name): used where the request says nothing. */
  hints?: SpecHints;
  /** Last-resort fixer for file artefacts when an LLM is configured (kept only if it closes findings). */
  llmFixer?: LlmFixer;
}

/** The request wins; the repository fills what it left open (never privileges: hints carry none). */
function foldHints(spec: IntentSpec, hints: SpecHints | undefined, stated: readonly string[]): IntentSpec {
  if (!hints || spec.target !== 'kubernetes') return spec;
  const out = structuredClone(spec);
  if (!stated.includes('image') && hints.image) out.image = hints.image;
  if (!stated.includes('name') && hints.name && (!out.name || out.name === spec.image)) out.name = hints.name;
  if (out.ports.length === 0) out.ports = hints.ports;
  const named = new Set(out.env.map((e) => e.name));
  out.env = [...out.env, ...hints.env.filter((e) => !named.has(e.name))];
  if (out.probes.length === 0) out.probes = hints.probes;
  return out;
}

/** An earlier bundle, as the intent store keeps it. */
export interface PreviousBundle {
  id: string;
  spec: IntentSpec;
  plan: unknown;
  files: ArtefactFile[];
}

export type IntentStage =
  | { stage: 'parse'; spec: IntentSpec; injections: InjectionFlag[]; privilegeRequests: string[]; stated: string[] }
  | { stage: 'clarify'; questions: ClarifyingQuestion[]; answers: Answers }
  | { stage: 'plan'; plan: IntentPlan }
  | { stage: 'build'; objects: string[] }
  | { stage: 'review'; rounds: number; open: number; escalated: boolean }
  | { stage: 'escalate'; reason: string; open: Finding[] };

export type IntentStatus = 'needs-answers' | 'ready' | 'escalated' | 'no-builder';

/** The review's outcome (artefacts, findings, rounds, escalation) plus what the earlier stages produced. */
export interface IntentPipelineResult extends ReviewResult {
  status: IntentStatus;
  spec: IntentSpec;
  questions: ClarifyingQuestion[];
  injections: InjectionFlag[];
  plan: IntentPlan | null;
  /** Privilege asks not granted (hardened profile, not confirmed with answers.privilege = "keep"). */
  withheld: string[];
  /** True when a human must approve before apply: escalation, or elevated access kept. */
  approvalRequired: boolean;
  stages: IntentStage[];
  timings: { parseMs: number; planMs: number; buildMs: number; reviewMs: number };
  /** Every artefact as a file (Kubernetes YAML, Terraform, Ansible, cloud-init), ready for `--out DIR`. */
  files: ArtefactFile[];
  /** Against `previous`, when one was given. */
  diff?: BundleDiff;
  /** Proxmox: the VMs with placement, sizing, VMIDs and addresses. */
  vmPlan?: VmPlan;
}

const PRIVILEGE_RULES: Record<string, string[]> = {
  privileged: ['K8S-001'],
  hostNetwork: ['K8S-008'],
  hostPID: ['K8S-009'],
  hostIPC: ['K8S-010'],
  capabilities: ['K8S-007'],
};

/** Strip privilege-widening fields from the spec (the hardened build never grants them unconfirmed). */
function withoutPrivileges(spec: IntentSpec): IntentSpec {
  const out = structuredClone(spec);
  if (out.containerSecurity) {
    out.containerSecurity.addCapabilities = [];
    delete out.containerSecurity.privileged;
  }
  if (out.kubernetes) {
    delete out.kubernetes.pod.hostNetwork;
    delete out.kubernetes.pod.hostPID;
  }
  return out;
}

export async function runIntentPipeline(text: string, opts: IntentPipelineOptions = {}): Promise<IntentPipelineResult> {
  const inventory = opts.inventory ?? EMPTY_INVENTORY;
  const policy = opts.policy ?? defaultPolicy();
  const profile = opts.profile ?? 'hardened';
  const hardened = profile === 'hardened';
  const answers = opts.answers ?? {};
  const stages: IntentStage[] = [];

  const t0 = performance.now();
  const parsed = parseIntent(text);
  stages.push({ stage: 'parse', spec: parsed.spec, injections: parsed.injections, privilegeRequests: parsed.privilegeRequests, stated: parsed.stated });
  const spec = applyAnswers(foldHints(parsed.spec, opts.hints, parsed.stated), answers);
  // An answered optional question is settled (a blocking one stays if its answer did not take).
  const questions = clarify(spec, { inventory, policy, privilegeRequests: parsed.privilegeRequests, hardened, stated: parsed.stated }).filter((q) => q.blocking || answers[q.id] === undefined);
  stages.push({ stage: 'clarify', questions, answers });
  const parseMs = performance.now() - t0;

  const empty = { plan: null, artefacts: [], yaml: '', findings: [], rounds: [], escalated: false, withheld: [], approvalRequired: false, files: [] };
  const finish = async (r: IntentPipelineResult): Promise<IntentPipelineResult> => {
    if (opts.journal) {
      const at = opts.now ?? Date.now() / 1000;
      await opts.journal.appendBatch(
        r.stages.map((s) => ({ at, runId: opts.runId ?? null, kind: `intent.${s.stage}`, actor: 'intent-pipeline', summary: summary(s), payload: s })),
      );
    }
    return r;
  };
  if (questions.some((q) => q.blocking) && !opts.nonInteractive) {
    return finish({ status: 'needs-answers', spec, questions, injections: parsed.injections, ...empty, stages, timings: { parseMs, planMs: 0, buildMs: 0, reviewMs: 0 } });
  }

  const keep = answers.privilege === 'keep' || !hardened;
  const asked = [...parsed.privilegeRequests, ...((spec.containerSecurity?.addCapabilities.length ?? 0) > 0 ? ['capabilities'] : [])];
  const withheld = keep ? [] : asked;
  const buildSpec = keep ? spec : withoutPrivileges(spec);
  const waivedRules = keep && hardened ? asked.flatMap((a) => PRIVILEGE_RULES[a] ?? []) : [];

  const t1 = performance.now();
  const plan = planIntent(buildSpec, { inventory, policy, profile });
  stages.push({ stage: 'plan', plan });
  const planMs = performance.now() - t1;
  if (spec.target !== 'kubernetes') {
    const t2 = performance.now();
    const fb = buildFileTarget(buildSpec, { inventory, policy, previousPlan: opts.previous?.plan });
    plan.decisions.push(...fb.decisions);
    stages.push({ stage: 'build', objects: fb.files.map((f) => f.path) });
    const buildMs = performance.now() - t2;
    if (fb.infeasible !== undefined) {
      const f: Finding = { ruleId: 'PLAN', severity: 'error', source: 'semantic', object: '(plan)', message: fb.infeasible };
      stages.push({ stage: 'escalate', reason: fb.infeasible, open: [f] });
      return finish({ status: 'escalated', spec, questions, injections: parsed.injections, ...empty, plan, findings: [f], escalated: true, escalation: { reason: fb.infeasible, open: [f] }, approvalRequired: true, stages, vmPlan: fb.vmPlan, timings: { parseMs, planMs, buildMs, reviewMs: 0 } });
    }
    const t3 = performance.now();
    const review = await reviewFiles(fb.files, { checkers: FILE_CHECKERS, maxRounds: opts.maxRounds ?? DEFAULT_MAX_ROUNDS, semantic: fb.semantic, llm: opts.llmFixer });
    const reviewMs = performance.now() - t3;
    stages.push({ stage: 'review', rounds: review.rounds.length, open: review.findings.filter((x) => !x.waived).length, escalated: review.escalated });
    if (review.escalation) stages.push({ stage: 'escalate', reason: review.escalation.reason, open: review.escalation.open });
    return finish({
      status: review.escalated ? 'escalated' : 'ready',
      spec, questions, injections: parsed.injections, plan,
      artefacts: [], yaml: '', findings: review.findings, rounds: review.rounds, escalated: review.escalated, escalation: review.escalation,
      withheld, approvalRequired: review.escalated, stages, timings: { parseMs, planMs, buildMs, reviewMs },
      files: review.files, vmPlan: fb.vmPlan, diff: opts.previous ? diffBundles(opts.previous.files, review.files) : undefined,
    });
  }

  const t2 = performance.now();
  const built = buildKubernetes(buildSpec, plan, { stated: parsed.stated, keepPrivileges: keep });
  stages.push({ stage: 'build', objects: built.map((m) => `${String(m.kind)}/${String((m.metadata as { name?: unknown } | undefined)?.name ?? '')}`) });
  const buildMs = performance.now() - t2;

  const t3 = performance.now();
  const review = await reviewAndRefine(built, {
    spec: buildSpec,
    plan,
    profile,
    maxRounds: opts.maxRounds ?? DEFAULT_MAX_ROUNDS,
    waivedRules,
    withheld,
    fix: { stated: parsed.stated, encodings: base64Transcript(text) },
  });
  const reviewMs = performance.now() - t3;
  const findings = [...review.findings];
  let escalation = review.escalation;
  if (plan.placement && !plan.placement.feasible) {
    const f: Finding = { ruleId: 'PLACEMENT', severity: 'error', source: 'semantic', object: '(plan)', message: plan.placement.detail };
    findings.push(f);
    escalation = { reason: escalation ? `${escalation.reason}; the cluster has no room` : 'the cluster has no room for it', open: [...(escalation?.open ?? []), f] };
  }
  const escalated = escalation !== undefined;
  stages.push({ stage: 'review', rounds: review.rounds.length, open: findings.filter((f) => !f.waived).length, escalated });
  if (escalation) stages.push({ stage: 'escalate', reason: escalation.reason, open: escalation.open });
  const files: ArtefactFile[] = review.yaml ? [{ path: `kubernetes/${spec.name ?? 'app'}.yaml`, kind: 'kubernetes', content: review.yaml }] : [];
  return finish({
    status: escalated ? 'escalated' : 'ready',
    spec,
    questions,
    injections: parsed.injections,
    plan,
    artefacts: review.artefacts,
    yaml: review.yaml,
    findings,
    rounds: review.rounds,
    escalated,
    escalation,
    withheld,
    approvalRequired: escalated || waivedRules.length > 0,
    stages,
    timings: { parseMs, planMs, buildMs, reviewMs },
    files,
    diff: opts.previous ? diffBundles(opts.previous.files, files) : undefined,
  });
}

function summary(s: IntentStage): string {
  switch (s.stage) {
    case 'parse':
      return `parsed a ${s.spec.target} ${s.spec.action} intent${s.injections.length > 0 ? `; ${s.injections.length} injected sentence(s) ignored` : ''}`;
    case 'clarify':
      return s.questions.length > 0 ? `${s.questions.length} clarifying question(s)` : 'nothing to clarify';
    case 'plan':
      return `${s.plan.decisions.length} planning decision(s) (${s.plan.profile})`;
    case 'build':
      return `built ${s.objects.length} object(s): ${s.objects.join(', ')}`;
    case 'review':
      return `review: ${s.rounds} round(s), ${s.open} open finding(s)${s.escalated ? ', escalated' : ''}`;
    case 'escalate':
      return `escalated: ${s.reason}`;
  }
}
