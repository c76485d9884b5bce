import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode } from 'yaml';
import type { ActionKind } from '../core/action.js';
import { UserError } from '../core/errors.js';

/**
 * The guardrail policy: the bounds the loop may never cross, whatever a planner proposes.
 * Loaded from YAML (see policies/default.yaml). Every object is strict, so a typo such as
 * `maxReplica:` is an error instead of a silently ignored bound.
 */

/** Replica counts above this are a typo, not a plan (Kubernetes itself tops out far below). */
export const MAX_REPLICAS_LIMIT = 100_000;
/** Likewise for node counts. */
export const MAX_NODES_LIMIT = 1_000_000;

const replicas = z.number().int().min(0).max(MAX_REPLICAS_LIMIT);

/** Both fields optional: a listed service inherits what it leaves out from `*`, then from the built-in defaults. */
export const ServiceBoundsSchema = z.strictObject({
  minReplicas: replicas.optional(),
  maxReplicas: replicas.optional(),
});

export const BUILTIN_SERVICE_BOUNDS = { minReplicas: 1, maxReplicas: 100 } as const;

export const ClusterPolicySchema = z.strictObject({
  minNodes: z.number().int().min(0).max(MAX_NODES_LIMIT).default(1),
  maxNodes: z.number().int().min(1).max(MAX_NODES_LIMIT).default(100),
  /** Absent = no spending cap (a price is then not needed to add nodes). */
  maxCostPerHour: z.number().positive().optional(),
  /** Empty = any instance type. */
  allowedInstanceTypes: z.array(z.string().min(1)).default([]),
  allowSpot: z.boolean().default(true),
});

export const RateLimitPolicySchema = z.strictObject({
  maxActionsPerWindow: z.number().int().min(1).max(100_000).default(10),
  windowSeconds: z.number().positive().max(7 * 86_400).default(600),
});

export const BlastRadiusPolicySchema = z.strictObject({
  /** Largest replica change per action as a share of the current replicas (0.5 = ±50 %). */
  maxReplicaChangeShare: z.number().positive().max(100).default(0.5),
  /** A change this small is always allowed, so 1→2 or 2→4 is not blocked for being +100 %. */
  minAbsoluteChange: z.number().int().min(1).max(MAX_REPLICAS_LIMIT).default(4),
});

const tier = z.enum(['low', 'high']);
export type RiskTier = z.infer<typeof tier>;

/** Every action kind is listed so an added kind without a tier fails to compile (see the `satisfies` below). */
export const RiskTiersSchema = z.strictObject({
  scale: tier.default('low'),
  'add-nodes': tier.default('low'),
  'remove-node': tier.default('high'),
  'restart-pod': tier.default('low'),
  rollback: tier.default('low'),
  'cordon-drain': tier.default('high'),
});
RiskTiersSchema.shape satisfies Record<ActionKind, unknown>;

export const ApprovalPolicySchema = z.strictObject({
  /** A pending approval older than this can no longer be approved: the world it was based on is gone. */
  expirySeconds: z.number().int().min(1).max(30 * 86_400).default(3600),
});

export const GuardrailPolicySchema = z
  .strictObject({
    services: z
      .record(z.string().min(1), ServiceBoundsSchema)
      .default({ '*': { ...BUILTIN_SERVICE_BOUNDS } }),
    cluster: ClusterPolicySchema.default(() => ClusterPolicySchema.parse({})),
    rateLimits: RateLimitPolicySchema.default(() => RateLimitPolicySchema.parse({})),
    blastRadius: BlastRadiusPolicySchema.default(() => BlastRadiusPolicySchema.parse({})),
    riskTiers: RiskTiersSchema.default(() => RiskTiersSchema.parse({})),
    approvals: ApprovalPolicySchema.default(() => ApprovalPolicySchema.parse({})),
  })
  .superRefine((p, ctx) => {
    // Cross-field checks run on the resolved bounds, so `*: {minReplicas: 5}` + `web: {maxReplicas: 3}` is caught.
    for (const [name, own] of Object.entries(p.services)) {
      const b = resolveServiceBounds(p, name);
      if (b.minReplicas > b.maxReplicas) {
        const field = own.maxReplicas !== undefined ? 'maxReplicas' : 'minReplicas';
        const inherited = own.minReplicas === undefined ? ' (inherited)' : own.maxReplicas === undefined ? ' (maxReplicas inherited)' : '';
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, field],
          message: `minReplicas ${b.minReplicas} is greater than maxReplicas ${b.maxReplicas}${inherited}`,
        });
      }
    }
    if (p.cluster.minNodes > p.cluster.maxNodes) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'minNodes'],
        message: `minNodes ${p.cluster.minNodes} is greater than maxNodes ${p.cluster.maxNodes}`,
      });
    }
  });

export type GuardrailPolicy = z.output<typeof GuardrailPolicySchema>;
/** What a caller may write before defaults are applied (e.g. tests building a policy in code). */
export type GuardrailPolicyInput = z.input<typeof GuardrailPolicySchema>;

export interface ServiceBounds {
  minReplicas: number;
  maxReplicas: number;
}

/** Bounds for one service: its own entry, then `*`, then the built-in defaults, field by field. */
export function resolveServiceBounds(policy: GuardrailPolicy, service: string): ServiceBounds {
  const own = Object.hasOwn(policy.services, service) ? policy.services[service] : undefined;
  const star = Object.hasOwn(policy.services, '*') ? policy.services['*'] : undefined;
  return {
    minReplicas: own?.minReplicas ?? star?.minReplicas ?? BUILTIN_SERVICE_BOUNDS.minReplicas,
    maxReplicas: own?.maxReplicas ?? star?.maxReplicas ?? BUILTIN_SERVICE_BOUNDS.maxReplicas,
  };
}

/** The policy with every default applied; what an empty policy file means. */
export function defaultPolicy(): GuardrailPolicy {
  return GuardrailPolicySchema.parse({});
}

export function loadPolicyFile(path: string): GuardrailPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'policy file not found' : `cannot read policy file (${code ?? String(e)})`, path);
  }
  return parsePolicy(text, path);
}

/**
 * Parse and validate policy YAML. Errors are UserErrors located as `file:line:col: field.path`,
 * pointing at the offending value (or key, for unknown keys) so the user can jump straight to it.
 */
export function parsePolicy(text: string, fileName: string): GuardrailPolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`YAML syntax error: ${firstLine(e.message)}`, where(e.pos[0]));
  }
  // An undefined alias is not a parse error in yaml, but toJS throws on it: report it like one.
  let badAlias: Alias | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        badAlias = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (badAlias) throw new UserError(`YAML syntax error: alias *${badAlias.source} refers to no anchor defined before it`, where(badAlias.range?.[0] ?? 0));
  // An empty file (or one with only comments) means "all defaults".
  let data: unknown;
  try {
    data = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. an alias bomb exceeding maxAliasCount.
    throw new UserError(`YAML error: ${firstLine(e instanceof Error ? e.message : String(e))}`, `${fileName}:1:1`);
  }
  const r = GuardrailPolicySchema.safeParse(data ?? {}, { reportInput: true });
  if (r.success) return r.data;

  // The first problem leads the message (and gives UserError its location); the rest follow, one per line.
  const located = r.error.issues.slice(0, 10).map((issue) => locateIssue(doc, issue, where, fileName));
  const extra = located.slice(1).map((l) => `\n${l.loc}: ${l.text}`).join('');
  const unshown = r.error.issues.length - located.length;
  throw new UserError(`${located[0].text}${extra}${unshown > 0 ? `\n(and ${unshown} more)` : ''}`, located[0].loc);
}

function locateIssue(doc: Document, issue: z.core.$ZodIssue, where: (offset: number) => string, fileName: string): { loc: string; text: string } {
  let path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  let pointAtKey = false;
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    path = [...path, issue.keys[0]];
    pointAtKey = true;
  }
  const node = locate(doc.contents, path, pointAtKey);
  const loc = node?.range ? where(node.range[0]) : `${fileName}:1:1`;
  const field = path.length > 0 ? path.join('.') : '(top level)';
  return { loc, text: `${field}: ${describeIssue(issue)}` };
}

/** Walk the YAML AST along a zod path; stops at the deepest node that exists (e.g. for a missing field). */
function locate(root: unknown, path: readonly (string | number)[], pointAtKey: boolean): YamlNode | undefined {
  let node: unknown = root;
  let found: YamlNode | undefined = isNodeLike(root) ? root : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return found;
      if (last && pointAtKey && isNodeLike(pair.key)) return pair.key;
      node = pair.value;
      // `key:` with no value has a null value node; point at the key then.
      found = isNodeLike(pair.value) ? pair.value : isNodeLike(pair.key) ? pair.key : found;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (!isNodeLike(item)) return found;
      node = item;
      found = item;
    } else return found;
  }
  return found;
}

function isNodeLike(x: unknown): x is YamlNode {
  return isMap(x) || isSeq(x) || isScalar(x);
}

function keyText(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const NOUNS: Record<string, string> = {
  number: 'a number', int: 'a whole number', string: 'a string', boolean: 'true or false',
  object: 'a mapping', array: 'a list', record: 'a mapping',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const got = show(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${NOUNS[issue.expected] ?? issue.expected}, got ${got}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}, got ${got}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}, got ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    default:
      return issue.message;
  }
}
