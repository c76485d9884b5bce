/**
 * Intents as the CLI, the API and MCP handle them: run the pipeline, decide whether the bundle needs
 * approval, keep it in the store (with every stage in the journal), and later approve, reject or
 * apply it. Applying writes the artefacts to a folder for `kubectl apply` / `terraform apply` /
 * `ansible-playbook`; nothing here mutates infrastructure directly.
 */
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { intentRiskTier } from '../govern/intent-risk.js';
import type { GuardrailPolicy } from '../govern/policy.js';
import type { StoredIntent } from '../knowledge/intent-store.js';
import type { Store } from '../knowledge/store.js';
import type { ArtefactFile, ArtefactKind } from '../plan/intent/artefact.js';
import type { Answers } from '../plan/intent/clarify.js';
import type { Inventory } from '../plan/intent/inventory.js';
import { parseIntent } from '../plan/intent/parse.js';
import { runIntentPipeline, type IntentPipelineResult, type PreviousBundle } from '../plan/intent/pipeline.js';
import type { Profile } from '../plan/intent/plan.js';
import type { LlmProvider } from '../llm/provider.js';
import { llmFixer } from '../plan/intent/llm-fixer.js';
import type { SpecHints } from '../plan/intent/repo/spec-hints.js';
import { IntentSpecSchema } from '../plan/intent/spec.js';

export interface SubmitIntentOptions {
  policy: GuardrailPolicy;
  answers?: Answers;
  nonInteractive?: boolean;
  inventory?: Inventory;
  profile?: Profile;
  /** The bundle this request changes; by default, for "add … to that cluster", the newest built one of that target. */
  parentId?: string;
  /** Repository analysis results (`ask --repo`). */
  hints?: SpecHints;
  /** When configured, the review loop's fixer of last resort (kept only if it closes findings). */
  llm?: LlmProvider;
  actor: string;
  via: 'cli' | 'api' | 'mcp';
  now?: number;
}

export interface SubmittedIntent {
  result: IntentPipelineResult;
  stored: StoredIntent;
  riskReasons: string[];
}

async function previousBundle(store: Store, text: string, parentId: string | undefined): Promise<PreviousBundle | undefined> {
  let parent: StoredIntent | undefined;
  if (parentId) parent = await store.intents.require(parentId);
  else {
    const grow = parseIntent(text).spec.vm?.grow;
    if (!grow) return undefined;
    parent = await store.intents.latestBuilt('proxmox');
    if (!parent) throw new UserError('the request grows an earlier cluster, but no Proxmox bundle has been built yet; ask for the cluster first (or pass --parent ID)', 'intent');
  }
  const spec = IntentSpecSchema.safeParse(parent.spec);
  if (!spec.success) throw new UserError(`has a spec this version cannot read: ${spec.error.issues[0]?.message ?? 'invalid'}`, `intent ${parent.id}`);
  return { id: parent.id, spec: spec.data, plan: parent.plan, files: parent.files.map((f) => ({ ...f, kind: f.kind as ArtefactKind })) };
}

export async function submitIntent(store: Store, text: string, opts: SubmitIntentOptions): Promise<SubmittedIntent> {
  const now = opts.now ?? Date.now() / 1000;
  const previous = await previousBundle(store, text, opts.parentId);
  await store.journal.append({
    at: now, kind: 'intent.request', actor: opts.actor,
    summary: `${opts.actor} submitted an intent via the ${opts.via}.`,
    payload: { text, answers: opts.answers ?? {}, via: opts.via, parent: previous?.id ?? null },
  });
  const result = await runIntentPipeline(text, {
    policy: opts.policy, answers: opts.answers, inventory: opts.inventory, profile: opts.profile,
    nonInteractive: opts.nonInteractive, journal: store.journal, now, previous, hints: opts.hints,
    llmFixer: opts.llm?.enabled ? llmFixer(opts.llm) : undefined,
  });
  const risk = intentRiskTier({ target: result.spec.target, action: result.spec.action, approvalRequired: result.approvalRequired });
  const built = result.files.length > 0;
  const stored = await store.intents.insert({
    now,
    text,
    target: result.spec.target,
    status: result.status,
    answers: Object.fromEntries(Object.entries(opts.answers ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')),
    spec: result.spec,
    // A VM plan is what a later "add one more worker" grows, so it is what gets kept.
    plan: result.vmPlan ?? result.plan,
    files: result.files,
    findings: result.findings,
    parentId: previous?.id ?? null,
    approvalRequired: built && (result.approvalRequired || risk.tier === 'high'),
  });
  await store.journal.append({
    at: now, kind: 'intent.stored', actor: opts.actor,
    summary: `intent ${stored.id}: ${stored.status}${stored.approvalRequired ? ', waits for approval' : ''} (${result.files.length} file(s))`,
    payload: { id: stored.id, status: stored.status, tier: risk.tier, reasons: risk.reasons, files: result.files.map((f) => f.path), parent: previous?.id ?? null },
  });
  return { result, stored, riskReasons: risk.reasons };
}

export async function decideIntent(store: Store, id: string, verdict: 'approve' | 'reject', by: string, note?: string): Promise<StoredIntent> {
  const now = Date.now() / 1000;
  const current = await store.intents.require(id);
  if (verdict === 'approve' && current.status === 'escalated') {
    // An escalated bundle has open error findings: approving it would apply what failed review.
    throw new UserError('was escalated with open error findings; change the request and ask again', `intent ${id}`);
  }
  const next = await store.intents.transition(id, verdict === 'approve' ? ['ready'] : ['ready', 'escalated', 'needs-answers', 'no-builder'], verdict === 'approve' ? 'approved' : 'rejected', { by, at: now });
  await store.journal.append({
    at: now, kind: 'intent.decision', actor: by,
    summary: `${by} ${verdict === 'approve' ? 'approved' : 'rejected'} intent ${id}${note ? `: ${note}` : ''}.`,
    payload: { id, status: next.status, note: note ?? null },
  });
  return next;
}

/** A bundle's relative path, refused if it could escape the output folder. */
function safeJoin(dir: string, path: string): string {
  const n = normalize(path);
  if (isAbsolute(n) || n.startsWith('..') || n.split(/[\\/]/).includes('..')) throw new UserError(`artefact path "${path}" would leave the output folder`, path);
  return join(dir, n);
}

/** Refuse a folder with something in it, before any work is done, so nothing is overwritten. */
export function assertEmptyFolder(dir: string): string {
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) throw new UserError(`${root} is not empty; choose an empty or new folder so nothing is overwritten`, '--out');
  return root;
}

/** Write every file of a bundle under `dir` (which must be empty or absent). */
export function writeBundle(files: readonly ArtefactFile[], dir: string): string[] {
  const root = assertEmptyFolder(dir);
  const targets = files.map((f) => ({ f, at: safeJoin(root, f.path) }));
  for (const { f, at } of targets) {
    mkdirSync(dirname(at), { recursive: true });
    writeFileSync(at, f.content, { mode: 0o644 });
  }
  return targets.map((t) => t.at);
}

export async function applyIntent(store: Store, id: string, out: string, by: string): Promise<{ intent: StoredIntent; written: string[] }> {
  assertEmptyFolder(out);
  const current = await store.intents.require(id);
  const allowed = current.approvalRequired ? ['approved'] : ['ready', 'approved'];
  if (!allowed.includes(current.status)) {
    throw new UserError(
      current.approvalRequired && current.status === 'ready'
        ? `needs approval first: autonomic intent approve ${id} --by NAME`
        : `is ${current.status}; only ${allowed.join(' or ')} bundles can be applied`,
      `intent ${id}`,
    );
  }
  const written = writeBundle(current.files.map((f) => ({ ...f, kind: f.kind as ArtefactKind })), out);
  const now = Date.now() / 1000;
  const intent = await store.intents.transition(id, allowed as StoredIntent['status'][], 'applied', { at: now, appliedTo: resolve(out) });
  await store.journal.append({
    at: now, kind: 'intent.applied', actor: by,
    summary: `${by} wrote intent ${id}'s ${written.length} file(s) to ${resolve(out)}.`,
    payload: { id, out: resolve(out), files: current.files.map((f) => f.path) },
  });
  return { intent, written };
}
