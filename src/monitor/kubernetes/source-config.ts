/**
 * Settings of the Kubernetes telemetry source, validated at the boundary.
 */
import { z } from 'zod';
import { UserError } from '../../core/errors.js';

export const KubernetesSourceConfigSchema = z.object({
  /** Namespaces whose Deployments are the loop's services. The first one's services are named plainly ("web"),
   * the others with their namespace ("shop/web"), as the provider expects. */
  namespaces: z.array(z.string().min(1)).min(1).default(['default']),
  requestTimeoutMs: z.number().int().positive().default(15_000),
  /** Per-replica service rate (req/s) when a Deployment does not say (annotation autonomic.io/service-rate-per-replica). */
  defaultServiceRatePerReplica: z.number().positive().default(10),
  /** Price per node-hour by instance type (node.kubernetes.io/instance-type); unknown types cost 0. */
  prices: z.record(z.string(), z.number().nonnegative()).default({}),
  /** On the first snapshot, events this recent count as new. */
  initialEventWindowSeconds: z.number().nonnegative().default(300),
  /** Log tail of troubled pods (not Ready, or restarted): lines per container, pods per snapshot. */
  logTailLines: z.number().int().nonnegative().default(20),
  logMaxPods: z.number().int().nonnegative().default(5),
  /** A NotReady node younger than this is still being provisioned. */
  provisioningGraceSeconds: z.number().nonnegative().default(300),
});
export type KubernetesSourceConfig = z.infer<typeof KubernetesSourceConfigSchema>;
export type KubernetesSourceConfigInput = z.input<typeof KubernetesSourceConfigSchema>;

export function parseKubernetesSourceConfig(input: unknown, where = 'kubernetes source settings'): KubernetesSourceConfig {
  const r = KubernetesSourceConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new UserError(`${first.path.join('.') || '(root)'}: ${first.message}`, where);
  }
  return r.data;
}

/** The annotation a Deployment can carry to tell the planners its per-replica capacity. */
export const SERVICE_RATE_ANNOTATION = 'autonomic.io/service-rate-per-replica';
