import { z } from 'zod';
import type { ActionKind } from '../core/action.js';
import { parseYamlConfig, readConfigFile } from '../core/yaml-config.js';
import { DriftPolicySchema } from '../plan/lifecycle/drift-policy.js';
import { VerificationConfigSchema } from '../plan/verification/config.js';
import { ObjectivesSchema } from '../plan/verification/objectives.js';

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
  /** A canary step; a risky one is raised to high by govern/deployment-risk.ts (GuardrailOptions.riskRaisers). */
  rollout: tier.default('low'),
});
RiskTiersSchema.shape satisfies Record<ActionKind, unknown>;

export const ApprovalPolicySchema = z.strictObject({
  /** A pending approval older than this can no longer be approved: the world it was based on is gone. */
  expirySeconds: z.number().int().min(1).max(30 * 86_400).default(3600),
});

/**
 * Post-action verification (plan/verification): the same fields as a verification file (parseVerificationConfig),
 * except that `objectives` has no default here, so that leaving it out keeps the loop's own objectives (the
 * scenario's SLOs in simulate and demo); given, it replaces them.
 */
export const VerificationPolicySchema = VerificationConfigSchema.extend({ objectives: ObjectivesSchema.unwrap().optional() });
export type VerificationPolicy = z.output<typeof VerificationPolicySchema>;

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
    drift: DriftPolicySchema.default(() => DriftPolicySchema.parse({})),
    /** Absent: every executed action is verified with the built-in settings (VerificationConfigSchema's defaults). */
    verification: VerificationPolicySchema.optional(),
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
  return parsePolicy(readConfigFile(path, 'policy file'), path);
}

/**
 * Parse and validate policy YAML. Errors are UserErrors located as `file:line:col: field.path`,
 * pointing at the offending value (or key, for unknown keys) so the user can jump straight to it.
 * An empty file (or one with only comments) means "all defaults".
 */
export function parsePolicy(text: string, fileName: string): GuardrailPolicy {
  return parseYamlConfig(text, fileName, GuardrailPolicySchema);
}
