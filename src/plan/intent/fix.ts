/**
 * The rule-based fixer: given the artefacts and the findings, returns amended artefacts and what
 * it changed. Each finding is fixed by its rule's own fix (rules/k8s-rules.ts) or, for schema and
 * semantic findings, by the small repairs here. Which findings may be fixed is the caller's policy
 * (the hardened profile fixes everything fixable; as-requested only what makes the manifest valid).
 */
import type { Finding } from './findings.js';
import { overlayWorkload } from './k8s/overlay.js';
import { clone, isObject, obj, podSpecOf, type Json, type JsonObject, type Manifest } from './k8s/manifest.js';
import { cite } from './notes.js';
import { ruleById, type RuleContext } from './rules/k8s-rules.js';
import type { IntentSpec } from './spec.js';

export interface FixContext {
  spec?: IntentSpec;
  /** Spec fields the request stated (for re-applying intent). */
  stated?: readonly string[];
  /** Value → base64 as the request's own transcript shows it. */
  encodings?: ReadonlyMap<string, string>;
}

export interface FixResult {
  artefacts: Manifest[];
  /** `doc`: the docs/iac-notes entry that explains the change. */
  applied: { ruleId: string; object: string; change: string; doc?: string }[];
}

/** Walk a JSON-pointer path to its parent and key. */
function parentOf(root: JsonObject, path: string): { parent: JsonObject | Json[]; key: string } | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return undefined;
  let cur: Json = root;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else return undefined;
  }
  if (!Array.isArray(cur) && !isObject(cur)) return undefined;
  return { parent: cur, key: parts[parts.length - 1] };
}

function getAt(p: { parent: JsonObject | Json[]; key: string }): Json | undefined {
  return Array.isArray(p.parent) ? p.parent[Number(p.key)] : p.parent[p.key];
}

function setAt(p: { parent: JsonObject | Json[]; key: string }, v: Json): void {
  if (Array.isArray(p.parent)) p.parent[Number(p.key)] = v;
  else p.parent[p.key] = v;
}

function fixSchema(m: Manifest, f: Finding, ctx: FixContext): string | undefined {
  const at = f.path ? parentOf(m, f.path) : undefined;
  if (f.ruleId === 'SCHEMA-META' && at && !Array.isArray(at.parent)) {
    delete at.parent[at.key];
    return `removed metadata.${at.key}`;
  }
  if (f.ruleId === 'SCHEMA-SECRET-DATA' && at) {
    const raw = getAt(at);
    const text = raw === null || raw === undefined ? '' : String(raw);
    const encoded = ctx.encodings?.get(text) ?? Buffer.from(text, 'utf8').toString('base64');
    setAt(at, encoded);
    return `base64-encoded data.${at.key}`;
  }
  if (f.ruleId === 'SCHEMA' && at) {
    const v = getAt(at);
    if (/must be integer|must be number/.test(f.message) && typeof v === 'string' && /^-?\d+$/.test(v.trim())) {
      setAt(at, Number(v));
      return `${f.path} as a number`;
    }
    if (/must be string/.test(f.message) && (typeof v === 'number' || typeof v === 'boolean')) {
      setAt(at, String(v));
      return `${f.path} as a string`;
    }
    if (/must be boolean/.test(f.message) && typeof v === 'string' && /^(?:true|false)$/i.test(v)) {
      setAt(at, v.toLowerCase() === 'true');
      return `${f.path} as a boolean`;
    }
  }
  return undefined;
}

/** Whether a fix exists for the finding (so the loop knows what it can still do). */
export function fixable(f: Finding): boolean {
  if (f.source === 'rule') return ruleById(f.ruleId)?.fix !== undefined;
  if (f.source === 'schema') return f.ruleId === 'SCHEMA-META' || f.ruleId === 'SCHEMA-SECRET-DATA' || /must be (?:integer|number|string|boolean)/.test(f.message);
  if (f.source === 'semantic') return f.ruleId !== 'SEMANTIC-CAPABILITIES';
  return false;
}

export function applyFixes(artefacts: readonly Manifest[], findings: readonly Finding[], ctx: FixContext = {}): FixResult {
  const out = artefacts.map((m) => clone(m as Json) as Manifest);
  const applied: FixResult['applied'] = [];
  const ruleCtx = (): RuleContext => ({ all: out });
  const doneRule = new Set<string>();
  for (const f of findings) {
    if (f.waived) continue;
    if (f.source === 'rule' && f.index !== undefined) {
      const rule = ruleById(f.ruleId);
      // A rule's fix handles every hit in its manifest at once.
      const key = `${f.ruleId}#${f.index}`;
      if (!rule?.fix || doneRule.has(key)) continue;
      doneRule.add(key);
      out[f.index] = rule.fix(out[f.index], ruleCtx());
      applied.push({ ruleId: f.ruleId, object: f.object, change: rule.title, doc: cite(rule.doc) });
    } else if (f.source === 'schema' && f.index !== undefined) {
      const change = fixSchema(out[f.index], f, ctx);
      if (change) applied.push({ ruleId: f.ruleId, object: f.object, change });
    } else if (f.source === 'semantic' && ctx.spec && !doneRule.has('semantic')) {
      // Intent not reflected: apply the stated fields onto the primary workload again.
      doneRule.add('semantic');
      const stated = new Set(ctx.stated ?? []);
      const w = out.find((m) => podSpecOf(m) !== undefined && (!ctx.spec?.kubernetes?.workloadKind || m.kind === ctx.spec.kubernetes.workloadKind));
      if (w && overlayWorkload(w, ctx.spec, new Set([...stated, 'image', 'command', 'replicas']))) applied.push({ ruleId: f.ruleId, object: `${String(w.kind)}/${String(obj(w.metadata)?.name ?? '')}`, change: 're-applied the stated fields of the intent' });
    }
  }
  return { artefacts: out, applied };
}
