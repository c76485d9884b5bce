/**
 * Settings of the Kubernetes provider, validated at the boundary (a bad value names the field).
 */
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';

export const KubernetesProviderConfigSchema = z.object({
  /** Namespace of services named without one ("web" = Deployment web here; "shop/web" names its namespace). */
  namespace: z.string().min(1).default('default'),
  /** Bound on each API request. */
  requestTimeoutMs: z.number().int().positive().default(15_000),
  /** Optimistic-concurrency retries (409 Conflict) of a scale: attempts in all, backoff between them. */
  conflictAttempts: z.number().int().min(1).max(20).default(5),
  conflictBackoffMs: z.number().int().nonnegative().default(200),
  /** A drain blocked by a PodDisruptionBudget (429) is retried with backoff until this deadline, then stopped. */
  drainDeadlineMs: z.number().int().positive().default(120_000),
  evictionBackoffMs: z.number().int().positive().default(5_000),
  /** After the evictions, how long to wait for the evicted pods to be gone. */
  podGoneTimeoutMs: z.number().int().nonnegative().default(60_000),
  podGonePollMs: z.number().int().positive().default(1_000),
});
export type KubernetesProviderConfig = z.infer<typeof KubernetesProviderConfigSchema>;
export type KubernetesProviderConfigInput = z.input<typeof KubernetesProviderConfigSchema>;

export function parseKubernetesProviderConfig(input: unknown, where = 'kubernetes provider settings'): KubernetesProviderConfig {
  const r = KubernetesProviderConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new UserError(`${first.path.join('.') || '(root)'}: ${first.message}`, where);
  }
  return r.data;
}

/** "web" → the provider's namespace; "shop/web" → namespace shop. */
export function deploymentRef(service: string, defaultNamespace: string): { namespace: string; name: string } {
  const i = service.indexOf('/');
  return i < 0 ? { namespace: defaultNamespace, name: service } : { namespace: service.slice(0, i), name: service.slice(i + 1) };
}
