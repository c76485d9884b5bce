/**
 * Validate / clarify: what is missing, ambiguous, absurd or not allowed in a parsed intent, as
 * questions that list the real options from the inventory (images, namespaces, storage classes,
 * templates, nodes), and how answers fold back into the spec for the next turn. Out-of-policy
 * values (replicas beyond the guardrail bounds) are refused with the allowed range, never clamped
 * silently; privilege-widening asks need an explicit "keep".
 */
import { MAX_REPLICAS_LIMIT, resolveServiceBounds, type GuardrailPolicy } from '../../govern/policy.js';
import type { Inventory } from './inventory.js';
import { imageBase } from './parse/images.js';
import { parseNumber } from './parse/numbers.js';
import { quantityToMiB, toQuantity } from './parse/quantity.js';
import { DNS_LABEL, type IntentSpec } from './spec.js';

/** What a request calls the app → images that fill that role (for options when the image is not named). */
const ROLES: readonly [RegExp, readonly string[], string][] = [
  [/\bweb ?server|\bwebsite\b|\bstatic site\b|\breverse proxy\b/i, ['nginx', 'httpd', 'caddy'], 'web server'],
  [/\bdatabase\b|\bsql\b|\bdb\b/i, ['postgres', 'mysql', 'mariadb'], 'database'],
  [/\bcache\b/i, ['redis', 'memcached'], 'cache'],
  [/\bqueue\b|\bbroker\b|\bmessaging\b/i, ['rabbitmq', 'kafka'], 'message broker'],
];

function roleText(spec: IntentSpec): string {
  return `${spec.name ?? ''} ${spec.kubernetes?.containerName ?? ''} ${spec.constraints.notes.join(' ')}`;
}

export type QuestionReason = 'missing' | 'ambiguous' | 'out-of-range' | 'not-found' | 'policy' | 'privilege';

/** Every question id; answers (CLI `--answer`, API, MCP) are keyed by these. */
export const QUESTION_IDS = ['name', 'image', 'replicas', 'cores', 'memory', 'namespace', 'storageClass', 'template', 'node', 'sshKey', 'privilege'] as const;
export type QuestionId = (typeof QUESTION_IDS)[number];

export interface ClarifyingQuestion {
  /** Stable id; answers are keyed by it. */
  id: QuestionId;
  reason: QuestionReason;
  question: string;
  /** Real options from the inventory (may be empty when the inventory knows none). */
  options: string[];
  /** What the planner will use if the question is left unanswered (absent: it cannot proceed). */
  suggested?: string;
  blocking: boolean;
}

export interface ClarifyOptions {
  inventory: Inventory;
  policy: GuardrailPolicy;
  /** Privilege-widening asks the parser found. */
  privilegeRequests?: readonly string[];
  /** Spec fields the request stated (a name it only implied is offered for confirmation). */
  stated?: readonly string[];
  hardened?: boolean;
}

/** Largest node's allocatable CPU (cores) and memory (MiB), if the inventory knows nodes. */
function largestNode(inv: Inventory): { cores: number; memoryMiB: number } | undefined {
  const nodes = inv.nodes();
  if (nodes.length === 0) return undefined;
  return { cores: Math.max(...nodes.map((n) => n.cpuAllocatableMillis)) / 1000, memoryMiB: Math.max(...nodes.map((n) => n.memoryAllocatableMiB)) };
}

export function clarify(spec: IntentSpec, opts: ClarifyOptions): ClarifyingQuestion[] {
  const qs: ClarifyingQuestion[] = [];
  const inv = opts.inventory;
  const k = spec.kubernetes;
  const hasBase = (k?.base.length ?? 0) > 0;

  if (spec.target === 'kubernetes' && k?.hasWorkload && !hasBase) {
    const images = [...inv.images()];
    if (!spec.image) {
      const role = ROLES.find(([re]) => re.test(spec.constraints.notes.join(' ') + ' ' + (spec.name ?? '')) || re.test(roleText(spec)));
      const fits = role ? images.filter((i) => role[1].some((r) => i.split('/').pop()!.startsWith(r))) : [];
      const options = fits.length > 0 ? fits : images.length > 0 ? images : role ? [...role[1]] : [];
      qs.push({ id: 'image', reason: role ? 'ambiguous' : 'missing', question: role ? `Which ${role[2]} image should run?` : 'Which container image should run?', options, blocking: true });
    } else if (images.length > 0 && !images.includes(spec.image) && !images.some((i) => i.split(':')[0] === spec.image!.split(':')[0])) {
      qs.push({ id: 'image', reason: 'not-found', question: `Image "${spec.image}" is not in the registry catalogue. Which one did you mean?`, options: images, blocking: true });
    }
    if (spec.name && !DNS_LABEL.test(spec.name)) qs.push({ id: 'name', reason: 'ambiguous', question: `"${spec.name}" is not a valid Kubernetes name (lower-case letters, digits, "-"). What should it be called?`, options: [], suggested: spec.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''), blocking: false });
    if (spec.name && inv.existingNames().includes(spec.name) && spec.action === 'deploy') {
      qs.push({ id: 'name', reason: 'ambiguous', question: `Something named "${spec.name}" already runs. Replace it, or use another name?`, options: [spec.name, `${spec.name}-2`], suggested: `${spec.name}-2`, blocking: true });
    }
  }

  if (spec.replicas !== undefined) {
    const bounds = resolveServiceBounds(opts.policy, spec.name ?? '*');
    if (spec.replicas < 0 || !Number.isInteger(spec.replicas) || spec.replicas > MAX_REPLICAS_LIMIT) {
      qs.push({ id: 'replicas', reason: 'out-of-range', question: `${spec.replicas} replicas is not a possible count. How many replicas (${bounds.minReplicas}–${bounds.maxReplicas})?`, options: [String(bounds.minReplicas), String(Math.min(bounds.maxReplicas, 3))], blocking: true });
    } else if (spec.replicas > bounds.maxReplicas || spec.replicas < bounds.minReplicas) {
      qs.push({ id: 'replicas', reason: 'policy', question: `The guardrail policy allows ${bounds.minReplicas}–${bounds.maxReplicas} replicas for ${spec.name ?? 'this service'}; ${spec.replicas} is refused. How many within that range?`, options: [String(bounds.minReplicas), String(bounds.maxReplicas)], blocking: true });
    }
  }

  const node = largestNode(inv);
  if (spec.cores !== undefined) {
    if (!(spec.cores > 0)) qs.push({ id: 'cores', reason: 'out-of-range', question: `${spec.cores} cores is not a size. How many cores?`, options: ['1', '2'], blocking: true });
    else if (node && spec.cores > node.cores) {
      qs.push({ id: 'cores', reason: 'out-of-range', question: `${spec.cores} cores is more than the largest node has (${node.cores}). How many cores (at most ${Math.floor(node.cores)})?`, options: [...new Set([1, 2, Math.floor(node.cores)].filter((x) => x <= node.cores && x > 0))].map(String), blocking: true });
    } else if (!node && spec.cores > 256) {
      qs.push({ id: 'cores', reason: 'out-of-range', question: `${spec.cores} cores is beyond any single machine. How many cores?`, options: ['1', '2', '4'], blocking: true });
    }
  }
  if (spec.memoryMiB !== undefined) {
    if (node && spec.memoryMiB > node.memoryMiB) {
      qs.push({ id: 'memory', reason: 'out-of-range', question: `${spec.memoryMiB} MiB is more memory than the largest node has (${Math.floor(node.memoryMiB)} MiB). How much memory?`, options: ['512Mi', '1Gi', `${Math.floor(node.memoryMiB / 1024)}Gi`], blocking: true });
    } else if (!node && spec.memoryMiB > 4 * 1024 * 1024) {
      qs.push({ id: 'memory', reason: 'out-of-range', question: `${spec.memoryMiB} MiB is beyond any single machine. How much memory?`, options: ['512Mi', '1Gi', '4Gi'], blocking: true });
    }
  }

  if (spec.target === 'kubernetes' && spec.namespace) {
    const nss = inv.namespaces();
    if (nss.length > 0 && !nss.includes(spec.namespace) && !(k?.objects.some((o) => o.kind === 'Namespace' && o.name === spec.namespace) ?? false)) {
      qs.push({ id: 'namespace', reason: 'not-found', question: `Namespace "${spec.namespace}" does not exist. Create it, or use one of the existing ones?`, options: ['create', ...nss], suggested: 'create', blocking: false });
    }
  }
  const classes = inv.storageClasses().map((s) => s.name);
  for (const s of spec.storage) {
    if (s.storageClass && classes.length > 0 && !classes.includes(s.storageClass)) {
      qs.push({ id: 'storageClass', reason: 'not-found', question: `Storage class "${s.storageClass}" does not exist. Which one?`, options: classes, suggested: inv.storageClasses().find((c) => c.isDefault)?.name, blocking: true });
      break;
    }
  }

  // Growing an earlier cluster takes template, names, sizes and keys from that bundle: nothing to ask.
  if (spec.target === 'proxmox' && !spec.vm?.grow) {
    const cluster = spec.vm?.cluster;
    const templates = inv.templates().map((t) => `${t.id} (${t.name})`);
    if (!spec.template) qs.push({ id: 'template', reason: 'missing', question: 'Which template should the VM be cloned from?', options: templates, blocking: true });
    else if (inv.templates().length > 0 && !inv.templates().some((t) => t.id === spec.template || t.name === spec.template)) {
      qs.push({ id: 'template', reason: 'not-found', question: `There is no template "${spec.template}". Which one?`, options: templates, blocking: true });
    }
    const taken = new Set(inv.existingNames());
    if (!spec.name) qs.push({ id: 'name', reason: 'missing', question: cluster ? 'What should the cluster be called (VM names derive from it)?' : 'What should the VM be called?', options: [], blocking: true });
    else if (taken.has(spec.name)) qs.push({ id: 'name', reason: 'ambiguous', question: `A VM named "${spec.name}" already exists. What should the new one be called?`, options: [`${spec.name}-2`], suggested: `${spec.name}-2`, blocking: true });
    else if (!(opts.stated ?? []).includes('name')) qs.push({ id: 'name', reason: 'ambiguous', question: `Call ${cluster ? 'the cluster' : 'the VM'} "${spec.name}"?`, options: [spec.name], suggested: spec.name, blocking: false });
    const nodes = inv.nodes().filter((n) => n.ready);
    // A cluster is spread over the nodes by the planner (control planes apart); a single VM can be pinned.
    if (!cluster && !spec.constraints.node && nodes.length > 1) {
      const byFree = [...nodes].sort((a, b) => b.cpuFreeMillis - a.cpuFreeMillis);
      qs.push({ id: 'node', reason: 'missing', question: 'Which node should it run on?', options: byFree.map((n) => `${n.name} (${(n.cpuFreeMillis / 1000).toFixed(1)} cores, ${Math.floor(n.memoryFreeMiB / 1024)} GiB free)`), suggested: byFree[0].name, blocking: false });
    }
    if (!cluster && spec.cores === undefined) qs.push({ id: 'cores', reason: 'missing', question: 'How many cores?', options: ['1', '2', '4'], suggested: '2', blocking: false });
    if (!cluster && spec.memoryMiB === undefined) qs.push({ id: 'memory', reason: 'missing', question: 'How much memory?', options: ['1Gi', '2Gi', '4Gi'], suggested: '2Gi', blocking: false });
    if ((spec.vm?.sshKeys.length ?? 0) === 0) {
      qs.push({ id: 'sshKey', reason: 'missing', question: 'Which SSH public key may log in (cloud-init; password login stays off)?', options: [], blocking: true });
    }
  }

  const priv = opts.privilegeRequests ?? [];
  const caps = spec.containerSecurity?.addCapabilities ?? [];
  if (opts.hardened !== false && (priv.length > 0 || caps.length > 0)) {
    const what = [...priv, ...caps.map((c) => `capability ${c}`)].join(', ');
    qs.push({ id: 'privilege', reason: 'privilege', question: `The request asks for elevated access (${what}). This widens what the workload can do to the node; keep it (needs approval) or drop it?`, options: ['drop', 'keep'], suggested: 'drop', blocking: false });
  }
  return qs;
}

export type Answers = Partial<Record<QuestionId, string>>;

/** Fold answers into the spec (a new object); invalid answers are ignored, so the question comes back. */
export function applyAnswers(spec: IntentSpec, answers: Answers): IntentSpec {
  const out: IntentSpec = structuredClone(spec);
  const num = (s: string | undefined): number | null => (s === undefined ? null : parseNumber(s.trim()));
  if (answers.image?.trim()) {
    out.image = answers.image.trim().split(/\s+/)[0];
    // The app was unnamed because nothing said what it runs: name it after the chosen image.
    if (!out.name) out.name = imageBase(out.image).toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  }
  if (answers.name?.trim()) out.name = answers.name.trim();
  const r = num(answers.replicas);
  if (r !== null && Number.isInteger(r)) out.replicas = r;
  const c = num(answers.cores);
  if (c !== null) out.cores = c;
  if (answers.memory) {
    const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(answers.memory.trim());
    const q = m ? toQuantity(m[1], m[2]) : null;
    const mib = q ? quantityToMiB(q) : null;
    if (mib !== null) out.memoryMiB = mib;
  }
  if (answers.namespace) {
    const ns = answers.namespace.trim();
    if (ns === 'create' && out.namespace && out.kubernetes && !out.kubernetes.objects.some((o) => o.kind === 'Namespace')) out.kubernetes.objects.unshift({ kind: 'Namespace', name: out.namespace });
    else if (ns !== 'create' && DNS_LABEL.test(ns)) out.namespace = ns;
  }
  if (answers.storageClass) for (const s of out.storage) s.storageClass = answers.storageClass.trim();
  if (answers.template) out.template = answers.template.trim().split(/\s+/)[0];
  if (answers.node) out.constraints.node = answers.node.trim().split(/\s+/)[0];
  const key = answers.sshKey?.trim();
  // Only a public key is taken (an "ssh-…"/"ecdsa-…" line); anything else leaves the question open.
  if (key && /^(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)\s+[A-Za-z0-9+/=]+(?:\s+[\w.@-]+)?$/.test(key)) {
    out.vm = { ...(out.vm ?? { sshKeys: [], packages: [] }), sshKeys: [...(out.vm?.sshKeys ?? []), key] };
  }
  return out;
}
